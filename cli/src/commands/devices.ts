// octomesh devices: the USP endpoint registry (usp.v1.endpoints on the usp-router): who is
// online, when each was last seen, where the router sends its Records.
import { Subjects } from '@octomesh/contracts';
import { call, MeshCodecs } from '@octomesh/nats-kit';
import { withNats } from '../nats.ts';
import { describeCallFailure } from '../usp/call-failure.ts';
import { devicesToJson, parseDevicesInvocation, renderDevices } from '../usp/devices.ts';
import { withHelp } from '../usp/with-help.ts';

/** Help text of `octomesh devices`. */
export const devicesHelp = `octomesh devices [options]   (NATS from --nats-url or NATS_URL)
  lists USP endpoints: id, online/offline, last seen, agent topic, MQTT version, broker replica
  --online                only endpoints online now
  --prefix P              only endpoint ids starting with P
  --limit N               at most N (1..10000; the router's default is 1000)
  --json                  the registry as JSON`;

// The router reads every key of its KV bucket for a listing: allow for a large registry.
const CALL_TIMEOUT_MS = 5000;

/** Runs `octomesh devices ...`. */
export async function devicesCommand(argv: string[]): Promise<void> {
  const invocation = withHelp(() => parseDevicesInvocation(argv), devicesHelp);
  const reply = await withNats(invocation.natsUrl, async (nc) => {
    try {
      return await call(nc, Subjects.uspEndpoints, invocation.request, {
        timeoutMs: CALL_TIMEOUT_MS,
        request: MeshCodecs.uspListEndpointsRequest,
        reply: MeshCodecs.uspListEndpointsReply,
      });
    } catch (error) {
      const message = describeCallFailure(error, { callTimeoutMs: CALL_TIMEOUT_MS });
      if (message === undefined) throw error;
      throw new Error(message, { cause: error });
    }
  });
  if (invocation.json) console.log(JSON.stringify(devicesToJson(reply), null, 2));
  else for (const line of renderDevices(reply, Date.now())) console.log(line);
}
