// octomesh usp get|set|add|delete|operate|instances|supported <endpoint id> ...: one USP request
// to an agent through the usp-router (usp.v1.send), its answer printed for a person or as JSON.
import { decodeUspMsg, encodeUspMsg, Subjects } from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import { withNats } from '../nats.ts';
import { DEFAULT_USP_TIMEOUT_MS, parseUspInvocation, type UspInvocation } from '../usp/build.ts';
import { describeCallFailure } from '../usp/call-failure.ts';
import { msgToJson, renderAnswer } from '../usp/format.ts';
import { withHelp } from '../usp/with-help.ts';

/** Help text of `octomesh usp`. */
export const uspHelp = `octomesh usp <command> <endpoint id> ... [options]   (NATS from --nats-url or NATS_URL)
  get <path>... [--max-depth N]               parameters as Path.Param = value
  set <Path.Param=value>... [--allow-partial] grouped into one update per object
  add <object path> [param=value ...]         creates an instance; prints its path and keys
  delete <object path>... [--allow-partial]
  operate '<command path>()' [arg=value ...] [--command-key K]
  instances <object path>... [--first-level-only]
  supported <object path>... [--first-level-only] [--no-commands] [--no-events] [--no-params]
  --timeout MS            wait this long for the agent (default ${DEFAULT_USP_TIMEOUT_MS})
  --json                  print the agent's answer (usp.Msg) as JSON
  --controller-id ID      send as this controller (default: the router's first)
  exit 0: all done; 1: the agent refused something, or no answer; 2: bad usage`;

// The router answers 504 itself at the deadline; waiting a little longer for it keeps that
// clearer message rather than a bare NATS timeout.
const ROUTER_MARGIN_MS = 2000;

/** Runs `octomesh usp ...`. */
export async function uspCommand(argv: string[]): Promise<void> {
  const invocation = withHelp(() => parseUspInvocation(argv), uspHelp);
  const answer = await withNats(invocation.natsUrl, (nc) => send(nc, invocation));
  const msg = decodeUspMsg(answer.msg);
  const rendered = renderAnswer(msg);
  if (invocation.json) {
    console.log(JSON.stringify(msgToJson(msg), null, 2));
  } else if (rendered.kind === 'error') {
    throw new Error(rendered.lines.join('\n'));
  } else {
    for (const line of rendered.lines) console.log(line);
  }
  if (!rendered.ok) process.exitCode = 1;
}

async function send(nc: NatsConnection, invocation: UspInvocation) {
  const callTimeoutMs = invocation.timeoutMs + ROUTER_MARGIN_MS;
  try {
    return await call(
      nc,
      Subjects.uspSend,
      {
        endpointId: invocation.endpointId,
        msg: encodeUspMsg(invocation.msg),
        timeoutMs: invocation.timeoutMs,
        controllerId: invocation.controllerId ?? '',
      },
      {
        timeoutMs: callTimeoutMs,
        request: MeshCodecs.uspSendRequest,
        reply: MeshCodecs.uspSendReply,
      },
    );
  } catch (error) {
    const message = describeCallFailure(error, {
      endpointId: invocation.endpointId,
      timeoutMs: invocation.timeoutMs,
      callTimeoutMs,
    });
    if (message === undefined) throw error;
    throw new Error(message, { cause: error });
  }
}
