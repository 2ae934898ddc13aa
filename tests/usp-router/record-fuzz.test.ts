// Issue 9 §7, malformed input at scale (the USP half), end to end: a device floods its controller
// topic with 2,000 mutated USP Records while a simulated agent keeps being served. nats-server,
// auth, acl, the broker and the usp-router run as separate processes on the secured bus; the
// device is a raw MQTT.js v5 client, the agent comes from @octomesh/usp-sim. The router must stay
// up and ready, count every Record it drops by the reason the pure classification gives
// (services/usp-router/src/domain/records.ts; records.fuzz.test.ts fuzzes it with 100,000
// cases), and answer the agent's Gets through usp.v1.send during and after the flood.
import fc from 'fast-check';
import {
  decodeUspMsg,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  Subjects,
  usp,
  usp_record,
  type FabricPublisher,
} from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import { AgentFleet, UspMqttVersions } from '@octomesh/usp-sim';
import type { MqttClient } from 'mqtt';
import { classifyInbound, DropReasons } from '../../services/usp-router/src/domain/records.ts';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { addAccounts } from '../support/accounts.ts';

const p = 'oktopus/usp/v1';
const CONTROLLER = 'oktopusController';
const AGENT = 'os::FUZZ-AGENT-1';
const DEVICE = 'os::FUZZ-DEV';
const DEVICE_USER = 'fuzz-dev';
const RECORDS = 2_000;
/** Fixed, so a failure replays with the same Records. */
const FUZZ_SEED = 0x907;
const MT = usp.Header.MsgType;

const record = (fields: Omit<usp_record.IRecord, 'version' | 'toId' | 'fromId'>) =>
  encodeUspRecord({ version: '1.4', toId: CONTROLLER, fromId: DEVICE, ...fields });
const noSession = (msg: Uint8Array) => record({ noSessionContext: { payload: msg } });

/** Valid Records of each kind an agent sends, from the fuzzing device. */
const msgSeeds = [
  encodeUspMsg({
    header: { msgId: 'fuzz-get-1', msgType: MT.GET_RESP },
    body: {
      response: {
        getResp: {
          reqPathResults: [
            {
              requestedPath: 'Device.DeviceInfo.',
              resolvedPathResults: [
                { resolvedPath: 'Device.DeviceInfo.', resultParams: { SerialNumber: 'SN-1' } },
              ],
            },
          ],
        },
      },
    },
  }),
  encodeUspMsg({
    header: { msgId: 'fuzz-notify-1', msgType: MT.NOTIFY },
    body: {
      request: {
        notify: {
          subscriptionId: 'boot',
          sendResp: true,
          event: { objPath: 'Device.', eventName: 'Boot!', params: { Cause: 'LocalReboot' } },
        },
      },
    },
  }),
];
const recordSeeds = [
  record({
    mqttConnect: {
      version: usp_record.MQTTConnectRecord.MQTTVersion.V5,
      subscribedTopic: `${p}/agent/${DEVICE}`,
    },
  }),
  ...msgSeeds.map(noSession),
  record({ disconnect: { reason: 'bye', reasonCode: 7003 } }),
];

const byte = fc.integer({ min: 0, max: 255 });

/** A seed with up to four bytes overwritten, one byte inserted, or its tail cut. */
function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const seed = fc.nat({ max: seeds.length - 1 }).map((i) => seeds[i]!);
  const flips = fc.array(fc.tuple(fc.nat(), byte), { minLength: 1, maxLength: 4 });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(seed, flips).map(([s, f]) => {
        const bytes = Uint8Array.from(s);
        for (const [at, value] of f) bytes[at % bytes.length] = value;
        return bytes;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(seed, fc.nat(), byte).map(([s, at, value]) => {
        const i = at % (s.length + 1);
        return Uint8Array.from([...s.subarray(0, i), value, ...s.subarray(i)]);
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(seed, fc.nat()).map(([s, at]) => s.subarray(0, at % s.length)),
    },
  );
}

/** Mutated Records, mutated Msgs in a valid Record (so they reach the Msg decoder), noise. */
const fuzzRecords = fc.oneof(
  { weight: 4, arbitrary: mutated(recordSeeds) },
  { weight: 2, arbitrary: mutated(msgSeeds).map(noSession) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
);

/** How the router classifies each Record the device sends, by the same pure code. */
function expectedDrops(payloads: readonly Uint8Array[]): Record<string, number> {
  const publisher: FabricPublisher = {
    subject: `user:${DEVICE_USER}`,
    role: Roles.device,
    endpointId: DEVICE,
    clientId: DEVICE_USER,
  };
  const drops: Record<string, number> = Object.fromEntries(DropReasons.map((r) => [r, 0]));
  for (const payload of payloads) {
    const inbound = classifyInbound(payload, publisher, new Set([CONTROLLER]));
    if (inbound.kind === 'drop') drops[inbound.reason]!++;
  }
  return drops;
}

/** The router's counters read from its /metrics. */
interface RouterCounters {
  received: number;
  dropped: Record<string, number>;
}

function parseCounters(text: string): RouterCounters {
  const dropped: Record<string, number> = Object.fromEntries(DropReasons.map((r) => [r, 0]));
  let received = 0;
  for (const line of text.split('\n')) {
    const drop = /^octomesh_usp_records_dropped_total\{reason="([^"]+)"\} (\d+)$/.exec(line);
    if (drop !== null) dropped[drop[1]!] = Number(drop[2]);
    const total = /^octomesh_usp_records_received_total (\d+)$/.exec(line);
    if (total !== null) received = Number(total[1]);
  }
  return { received, dropped };
}

const delta = (after: RouterCounters, before: RouterCounters) =>
  Object.fromEntries(DropReasons.map((r) => [r, after.dropped[r]! - before.dropped[r]!]));

describe('usp-router under a flood of malformed Records (issue 9 §7)', () => {
  let server: TestBus;
  /** The test as a USP controller application. */
  let nc: NatsConnection;
  const services: ServiceProcess[] = [];
  let router: ServiceProcess;
  let fleet: AgentFleet;
  let device: MqttClient | undefined;
  let url: string;
  let msgCounter = 0;

  const health = async (path: string) =>
    fetch(`http://127.0.0.1:${await router.healthPort}${path}`);
  const counters = async () => parseCounters(await (await health('/metrics')).text());

  /** A Get of the agent's serial number through the controller API. */
  async function getSerialNumber(): Promise<string | undefined> {
    const msgId = `fuzz-e2e-${++msgCounter}`;
    const reply = await call(
      nc,
      Subjects.uspSend,
      {
        endpointId: AGENT,
        msg: encodeUspMsg({
          header: { msgId, msgType: MT.GET },
          body: { request: { get: { paramPaths: ['Device.DeviceInfo.SerialNumber'] } } },
        }),
        timeoutMs: 5000,
      },
      { timeoutMs: 7000, request: MeshCodecs.uspSendRequest, reply: MeshCodecs.uspSendReply },
    );
    const answer = decodeUspMsg(reply.msg);
    expect(answer.header?.msgId).toBe(msgId);
    return answer.body?.response?.getResp?.reqPathResults?.[0]?.resolvedPathResults?.[0]
      ?.resultParams?.['SerialNumber'];
  }

  beforeAll(async () => {
    server = await startSecuredBus();
    nc = await server.connect('controller', 'record-fuzz');
    // Accounts are written as the CLI would: with the admin identity.
    const admin = await server.connect('admin', 'record-fuzz-admin');
    try {
      await addAccounts(admin, [
        { username: 'fuzz-agent-1', password: 'pw-agent', role: Roles.device, endpointId: AGENT },
        { username: DEVICE_USER, password: 'pw-dev', role: Roles.device, endpointId: DEVICE },
      ]);
    } finally {
      await admin.close();
    }
    services.push(await startService('auth', server));
    services.push(await startService('acl', server));
    // The broker keeps its default device publish rate (100/s, burst 200): it paces the flood
    // over about 18 s, so the agent is asked many times while Records keep arriving.
    const broker = await startService('broker', server, {
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
    });
    services.push(broker);
    router = await startService('usp-router', server);
    services.push(router);
    url = `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`;
    fleet = new AgentFleet({
      count: 1,
      endpointIdPattern: 'os::FUZZ-AGENT-%d',
      usernamePattern: 'fuzz-agent-%d',
      passwordPattern: 'pw-agent',
      agent: { url, mqttVersion: UspMqttVersions.v5 },
    });
    expect((await fleet.start()).connected).toBe(1);
  }, 90_000);

  afterAll(async () => {
    if (device !== undefined) await end(device);
    await fleet?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('2,000 mutated Records are each dropped and counted or accepted, while the agent is served throughout', async () => {
    // The agent is registered and answers before the flood.
    const serial = await eventually(
      'the agent answering a Get',
      () => getSerialNumber().catch(() => undefined),
      15_000,
    );
    expect(serial).toBeTruthy();

    const payloads = fc.sample(fuzzRecords, { numRuns: RECORDS, seed: FUZZ_SEED });
    const expected = expectedDrops(payloads);
    const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
    // The flood reaches every check the router makes, and most Records are dropped.
    for (const reason of ['bad-record', 'bad-msg', 'wrong-to-id', 'spoofed'])
      expect(expected[reason]).toBeGreaterThan(0);
    // Some still pass every check: the router's accepted paths (presence, answers, Notify)
    // take mutated input too.
    expect(expectedTotal).toBeGreaterThan(RECORDS / 2);
    expect(expectedTotal).toBeLessThan(RECORDS);

    const before = await counters();
    // A device may only use its username or endpoint id as client id.
    device = await connectClient(url, {
      protocolVersion: 5,
      clientId: DEVICE_USER,
      username: DEVICE_USER,
      password: 'pw-dev',
    });
    for (const payload of payloads)
      device.publish(`${p}/controller/${DEVICE}`, Buffer.from(payload), { qos: 0 });

    // Until the router has read every Record, the agent keeps being asked (each Get must be
    // answered) and the counters polled, with a deadline.
    let servedDuringFlood = 0;
    let now = before;
    const deadline = Date.now() + 90_000;
    for (;;) {
      expect(await getSerialNumber()).toBe(serial);
      servedDuringFlood++;
      now = await counters();
      const done =
        now.received - before.received >= RECORDS &&
        DropReasons.every((r) => now.dropped[r]! - before.dropped[r]! >= expected[r]!);
      if (done) break;
      if (Date.now() > deadline)
        throw new Error(
          `router read ${now.received - before.received} of ${RECORDS} Records; dropped ${JSON.stringify(delta(now, before))}, expected ${JSON.stringify(expected)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Every Record was counted once, under the reason the classification gives.
    expect(delta(now, before)).toEqual(expected);
    expect(servedDuringFlood).toBeGreaterThan(1);
    // Still running and ready, and serving the agent after the flood.
    expect(router.child.exitCode).toBeNull();
    expect(router.child.signalCode).toBeNull();
    expect((await health('/readyz')).status).toBe(200);
    expect(await getSerialNumber()).toBe(serial);
    // The device's own connection survived its garbage too: the broker does not read USP.
    expect(device.connected).toBe(true);
  }, 150_000);
});
