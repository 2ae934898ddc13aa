// Retained messages in NATS KV (services/broker/src/nats-retained-store.ts) next to the engine's
// MemoryRetainedStore, same operations in the same run: set, get, a SUBSCRIBE's exact filter,
// a narrow wildcard (1 in BENCH_RETAINED_GROUPS of the keys), then what this replica pays in
// memory for its index of N keys and how long a replica takes to replay the bucket at start.
// The memory store holds every message, so its figure is what a full value cache per replica
// would cost at least (a watch-fed cache would add its own bookkeeping).
//
// Run: node --expose-gc bench/retained-store.ts   (options: BENCH_RETAINED_* below)
import { MemoryRetainedStore, type RetainedStore } from '@octomesh/mqtt-engine';
import { createLogger, env } from '@octomesh/service-kit';
import { NatsRetainedStore } from '../services/broker/src/nats-retained-store.ts';
import { runClosedLoop, type Operation } from './support/load.ts';
import { runBench, type BenchMesh } from './support/mesh.ts';
import { describeOptions, loadBenchOptions } from './support/options.ts';
import { printHeader, printNote, printPhase, printSection } from './support/report.ts';
import type { PhaseResult } from './support/stats.ts';

const options = loadBenchOptions('retained-store', {
  BENCH_RETAINED_KEYS: env.int(
    'retained messages written (presence topics)',
    100_000,
    1000,
    2_000_000,
  ),
  BENCH_RETAINED_PAYLOAD: env.int('payload bytes of each message', 64, 1, 65_536),
  BENCH_RETAINED_GROUPS: env.int(
    'groups under the status prefix (the narrow wildcard)',
    1000,
    1,
    100_000,
  ),
  BENCH_RETAINED_OPS: env.int('operations per read phase', 5000, 100, 1_000_000),
  BENCH_RETAINED_CONCURRENCY: env.int(
    'operations in flight in the write and throughput phases',
    64,
    1,
    1000,
  ),
});

const keys = options.BENCH_RETAINED_KEYS;
const groups = options.BENCH_RETAINED_GROUPS;
const ops = options.BENCH_RETAINED_OPS;
const concurrency = options.BENCH_RETAINED_CONCURRENCY;
const payload = Buffer.alloc(options.BENCH_RETAINED_PAYLOAD, 0x61);
const logger = createLogger('bench-retained', 'warn');

/** A presence topic as the usp-router writes them, one group level added for the wildcard. */
const topicOf = (i: number): string =>
  `oktopus/usp/v1/status/${i % groups}/os::BENCH-${String(i).padStart(7, '0')}`;
const absentTopicOf = (i: number): string => `oktopus/usp/v1/agent/os::BENCH-${i}`;

function heapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function phases(label: string, store: RetainedStore): Promise<PhaseResult[]> {
  const expectOne = (count: number): string | undefined =>
    count === 1 ? undefined : `expected 1 message, got ${count}`;
  const read: [string, number, Operation][] = [
    ['get, 1 in flight', 1, async (i) => expectOne((await store.get(topicOf(i % keys))) ? 1 : 0)],
    ['get', concurrency, async (i) => expectOne((await store.get(topicOf(i % keys))) ? 1 : 0)],
    [
      'match exact filter, no message (SUBSCRIBE)',
      concurrency,
      async (i) => ((await store.match(absentTopicOf(i))).length === 0 ? undefined : 'found'),
    ],
    ...[1, 8].map((inFlight): [string, number, Operation] => [
      `match narrow wildcard (~${Math.round(keys / groups)} msgs), ${inFlight} in flight`,
      inFlight,
      async (i) =>
        (await store.match(`oktopus/usp/v1/status/${i % groups}/+`)).length > 0
          ? undefined
          : 'none',
    ]),
  ];
  const results: PhaseResult[] = [];
  for (const [name, inFlight, operation] of read) {
    const requests = name.startsWith('match narrow') ? Math.min(ops, 1000) : ops;
    results.push(
      await runClosedLoop(`${label}: ${name}`, { requests, concurrency: inFlight }, operation),
    );
  }
  return results;
}

async function fill(label: string, store: RetainedStore): Promise<PhaseResult> {
  return runClosedLoop(
    `${label}: set ${keys} new topics`,
    { requests: keys, concurrency },
    async (i) => {
      await store.set({ topic: topicOf(i), payload, qos: 1 });
      return undefined;
    },
  );
}

async function main(bench: BenchMesh): Promise<boolean> {
  printSection('retained store: NATS KV bucket vs in-memory, same run');
  printNote(describeOptions(options));
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    printNote('run with node --expose-gc for the memory figures');
  }
  const limits = { maxMessages: keys * 2, maxBytes: keys * (payload.length + 200) };
  const results: PhaseResult[] = [];

  const memoryBefore = heapBytes();
  const memory = new MemoryRetainedStore(limits);
  results.push(await fill('memory', memory));
  const memoryPerKey = (heapBytes() - memoryBefore) / keys;
  results.push(...(await phases('memory', memory)));

  const nats = await NatsRetainedStore.open(bench.nc, { logger, ...limits });
  results.push(await fill('nats', nats));
  results.push(...(await phases('nats', nats)));
  const set = await runClosedLoop(
    'nats: set (replace), 1 in flight',
    { requests: ops, concurrency: 1 },
    async (i) => {
      await nats.set({ topic: topicOf(i % keys), payload, qos: 1 });
      return undefined;
    },
  );
  results.push(set);
  await nats.close();

  // A replica starting now: it replays the bucket into its index.
  const indexBefore = heapBytes();
  const started = performance.now();
  const replica = await NatsRetainedStore.open(bench.nc, { logger, ...limits });
  const replaySeconds = (performance.now() - started) / 1000;
  const indexPerKey = (heapBytes() - indexBefore) / replica.size;
  const held = replica.size;
  await replica.close();

  printHeader('ops');
  for (const result of results) printPhase(result);
  printSection('memory of one replica (heap + array buffers, after gc)');
  const key = topicOf(keys - 1);
  printNote(`topic ${JSON.stringify(key)} (${key.length} chars), payload ${payload.length} bytes`);
  printNote(
    `MemoryRetainedStore (a full cache): ${memoryPerKey.toFixed(0)} B/message → ` +
      `${((memoryPerKey * 1e6) / 2 ** 20).toFixed(0)} MiB per 1M`,
  );
  printNote(
    `NatsRetainedStore index: ${indexPerKey.toFixed(0)} B/key → ` +
      `${((indexPerKey * 1e6) / 2 ** 20).toFixed(0)} MiB per 1M`,
  );
  printNote(
    `replay of ${held} keys at start: ${replaySeconds.toFixed(2)} s ` +
      `(${(held / replaySeconds).toFixed(0)} keys/s)`,
  );
  return results.every((result) => result.failures === 0) && held === keys;
}

await runBench('retained-store', 'warn', main);
