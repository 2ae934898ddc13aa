// A million mutated MQTT packets through the engine (issue 9 §7): every case must end in
// service or with a reason code the spec gives, never the generic 0x80; no connection may be
// left open; heap must come back; a well-behaved client is served between every batch.
//   node bench/fuzz/mqtt-fuzz.ts            (BENCH_FUZZ_CASES, default 1,000,000)
// Exits 1 on any failure, so it can gate a release; CI runs 100,000 of the same cases in
// tests/mqtt-engine/mutated-packets.test.ts.
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { Engine } from '../../libs/mqtt-engine/src/index.ts';
import { mutatedPacket, runFuzzCase, type FuzzVersion } from '../../libs/testing/src/mqtt-fuzz.ts';

const total = Number(process.env['BENCH_FUZZ_CASES'] ?? 1_000_000);
const BATCH = 10_000;
let generic = 0;
const engine = new Engine({
  deciders: {
    authenticate: async (attempt) => ({
      allow: true,
      identity: {
        subject: `user:${attempt.username ?? ''}`,
        username: attempt.username ?? '',
        role: 'admin',
        endpointId: '',
        clientId: attempt.clientId,
      },
    }),
    authorize: async (_identity, checks) => ({
      cacheTtlMs: 60_000,
      verdicts: checks.map(() => ({ allow: true, reasonCode: 0 })),
    }),
  },
  // One source address for every case: no per-address limits here.
  limits: {
    maxPublishRate: 0,
    sysIntervalSeconds: 0,
    memoryLimitBytes: 0,
    maxConnectionsPerAddress: 0,
    connectRatePerAddress: 0,
  },
  clientIdPolicy: {},
  roleQuotas: {},
  logger: {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (_data, message) => {
      if (message === 'handler failed') generic++;
    },
  },
});

const codes = new Map<string, number>();
let served = 0;
let cases = 0;
let goodServed = 0;
const started = Date.now();
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const good = mqttPacket.generate(
  {
    cmd: 'publish',
    topic: 'fuzz/good',
    payload: Buffer.from('ok'),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  },
  { protocolVersion: 5 },
);
while (cases < total) {
  const version: FuzzVersion = (cases / BATCH) % 2 === 0 ? 4 : 5;
  const batch = fc.sample(mutatedPacket(version), Math.min(BATCH, total - cases));
  for (const bytes of batch) {
    const outcome = await runFuzzCase(engine, version, bytes, `fuzz-${cases}`, {
      username: 'fuzz',
      password: 'x',
    });
    cases++;
    if (outcome.served) served++;
    const key =
      outcome.disconnectCode === undefined ? 'closed' : `0x${outcome.disconnectCode.toString(16)}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  // A well-behaved client between batches: it must be served.
  if (
    (await runFuzzCase(engine, 5, good, `good-${cases}`, { username: 'good', password: 'x' }))
      .served
  )
    goodServed++;
  if (cases % 100_000 === 0 || cases === total)
    process.stdout.write(
      `${cases.toLocaleString('en')} cases, ${Math.round(cases / ((Date.now() - started) / 1000))}/s, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB\n`,
    );
}
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
const batches = Math.ceil(total / BATCH);
console.log(
  `cases: ${cases.toLocaleString('en')} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
console.log(`served after the mutation: ${served.toLocaleString('en')}`);
console.log(
  `ended: ${[...codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
    .join(', ')}`,
);
console.log(`generic handler failures (0x80 path): ${generic}`);
console.log(
  `open connections at the end: ${engine.openConnections}; sessions: ${engine.sessions.size}`,
);
console.log(`good client served between batches: ${goodServed} of ${batches}`);
console.log(
  `heap: ${(heapBefore / 2 ** 20).toFixed(1)} MiB before, ${(heapAfter / 2 ** 20).toFixed(1)} MiB after`,
);
engine.closeAll();
const failed =
  generic > 0 ||
  (codes.get('0x80') ?? 0) > 0 ||
  engine.openConnections > 0 ||
  goodServed !== batches;
process.exit(failed ? 1 : 0);
