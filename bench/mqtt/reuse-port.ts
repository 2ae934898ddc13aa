// Broker processes behind one port (issue 11, `octomesh up --broker-replicas N`): the same mesh
// (nats-server, auth, acl) with 1, then 2, broker processes bound to one MQTT port with
// SO_REUSEPORT (MQTT_REUSE_PORT), the kernel spreading the clients over them, on the connect
// rate with auth and on pairs QoS 1: in the USP shape (agent topics, which every replica
// forwards to the others as one wide NATS subscription, MQTT_FABRIC_WIDE) and on topics of their
// own (a message crosses to the other replica only when its subscriber is there). The replicas of one variant would hear those of another on
// the same NATS, so each variant runs alone: started, measured, stopped; rounds rotate the
// order. The summary prints the median per variant and the ratio to one process.
//
// Run: node bench/mqtt/reuse-port.ts   (options: BENCH_REUSE_* variables, see bench/README.md)
import { setTimeout as sleep } from 'node:timers/promises';
import { env, type ServiceProcess } from '@octomesh/service-kit';
import { runBench, type BenchMesh } from '../support/mesh.ts';
import { describeOptions, loadBenchOptions, SERVICE_LOG_LEVELS } from '../support/options.ts';
import { formatRatio, printNote, printSection } from '../support/report.ts';
import { median } from '../support/stats.ts';
import { writeOctomeshAccounts } from './accounts.ts';
import { OPEN_LIMITS, type BrokerUnderTest } from './brokers.ts';
import { measureConnects } from './connection-scenarios.ts';
import { fanUnit, measureThroughput, runFlow } from './flow-scenarios.ts';
import { startGenerators, type Generator } from './generator-pool.ts';
import { MqttVersions } from './jobs.ts';
import { formatCount, formatShare, type Measurement } from './measurement.ts';
import { childPidsNamed, CpuMeter } from './process-stats.ts';
import type { ScenarioContext, ScenarioSettings } from './scenario-context.ts';

const HOST = '127.0.0.1';
const PEERS_TIMEOUT_MS = 15_000;

const o = loadBenchOptions('reuse-port', {
  BENCH_REUSE_REPLICAS: env.custom<number[]>(
    'broker processes of each variant, comma-separated (1-8 each)',
    (raw) => {
      const counts = raw.split(',').map((v) => Number(v.trim()));
      if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 8))
        throw new Error('each count must be 1-8');
      return [...new Set(counts)];
    },
    [1, 2],
  ),
  BENCH_REUSE_ROUNDS: env.int('rounds of every variant (median kept)', 3, 1, 20),
  BENCH_REUSE_VERSION: env.oneOf('MQTT version', ['3.1.1', '5'] as const, '5'),
  BENCH_REUSE_PAIRS: env.int('publisher/subscriber pairs, each on its own topic', 100, 1, 2000),
  BENCH_REUSE_SECONDS: env.int('measured window of a throughput run (s)', 5, 1, 600),
  BENCH_REUSE_WARMUP_MS: env.int('publishing before the window opens (ms)', 1000, 0, 60_000),
  BENCH_REUSE_WINDOW: env.int('QoS 1 PUBLISHes a publisher keeps unacknowledged', 16, 1, 1000),
  BENCH_REUSE_CONNECTS: env.int('connect+subscribe cycles per pass', 2000, 1, 100_000),
  BENCH_REUSE_CONNECT_CONCURRENCY: env.int('connect+subscribe cycles in flight', 64, 1, 5000),
  BENCH_REUSE_GENERATORS: env.int('load generator processes', 1, 1, 16),
  BENCH_LOG_LEVEL: env.oneOf('LOG_LEVEL of the Octomesh services', SERVICE_LOG_LEVELS, 'warn'),
});

const version = o.BENCH_REUSE_VERSION === '5' ? MqttVersions.v5 : MqttVersions.v311;
const deviceAccounts = Math.max(o.BENCH_REUSE_PAIRS, o.BENCH_REUSE_CONNECTS);

const settings: ScenarioSettings = {
  pairs: o.BENCH_REUSE_PAIRS,
  windowMs: o.BENCH_REUSE_SECONDS * 1000,
  warmupMs: o.BENCH_REUSE_WARMUP_MS,
  payloadBytes: 64,
  window: o.BENCH_REUSE_WINDOW,
  fanIn: 1,
  fanOut: 1,
  latencyRate: 1,
  latencyMs: 1000,
  connects: o.BENCH_REUSE_CONNECTS,
  connectConcurrency: o.BENCH_REUSE_CONNECT_CONCURRENCY,
  idle: 1,
  idleSubscribe: false,
  idleSettleMs: 0,
  floodMs: 1000,
  floodPublishers: 1,
  floodPayloadBytes: 64,
  floodReadBytesPerSecond: 1024,
  floodRssLimitBytes: 1 << 30,
  floodRecoveryMs: 1000,
  deviceAccounts,
};

/** One broker process of a variant. */
interface Replica {
  readonly name: string;
  readonly service: ServiceProcess;
  readonly healthPort: number;
}

/** A variant running: its replicas behind one port, seen by the scenarios as one broker. */
interface Variant {
  readonly replicas: readonly Replica[];
  readonly broker: BrokerUnderTest;
  stop(): Promise<void>;
}

/** Every sample of /metrics, keyed by metric name (labels joined in). */
async function metrics(healthPort: number): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  try {
    const response = await fetch(`http://${HOST}:${healthPort}/metrics`, {
      signal: AbortSignal.timeout(2000),
    });
    for (const line of (await response.text()).split('\n')) {
      const match = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)$/i.exec(line);
      if (match !== null) samples.set(match[1]!, Number(match[2]));
    }
  } catch {
    // Gone or busy: no samples this time.
  }
  return samples;
}

/**
 * Starts `count` broker processes on one loopback port: the first binds port 0 with
 * SO_REUSEPORT, the others join its port, as `octomesh up --broker-replicas` does.
 */
async function startVariant(
  bench: BenchMesh,
  count: number,
  helpers: Record<string, number>,
): Promise<Variant> {
  const base = {
    ...OPEN_LIMITS,
    LISTENERS: 'mqtt',
    MQTT_HOST: HOST,
    MQTT_REUSE_PORT: 'true',
  };
  const started: ServiceProcess[] = [];
  const stop = async () => void (await Promise.all(started.map((s) => s.stop())));
  try {
    started.push(
      await bench.startService('broker', { ...base, MQTT_PORT: '0', BROKER_REPLICA: 'bench-1' }),
    );
    const port = started[0]!.listenerPorts['mqtt'];
    if (port === undefined) throw new Error('the first broker announced no mqtt listener');
    started.push(
      ...(await Promise.all(
        Array.from({ length: count - 1 }, (_, i) =>
          bench.startService('broker', {
            ...base,
            MQTT_PORT: String(port),
            BROKER_REPLICA: `bench-${i + 2}`,
          }),
        ),
      )),
    );
    const replicas = await Promise.all(
      started.map(async (service, i) => ({
        name: `broker-${i + 1}`,
        service,
        healthPort: await service.healthPort,
      })),
    );
    await waitForPeers(replicas);
    const endpoint = { host: HOST, port };
    const first = replicas[0]!;
    const broker: BrokerUnderTest = {
      name: 'octomesh',
      pid: first.service.child.pid!,
      open: endpoint,
      auth: endpoint,
      versions: [4, 5],
      openNeedsCredentials: true,
      helpers: {
        ...Object.fromEntries(replicas.slice(1).map((r) => [r.name, r.service.child.pid!])),
        ...helpers,
      },
      exited: () => {
        const gone = started.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
        return gone === undefined ? undefined : `a broker exited (${gone.child.exitCode})`;
      },
      problems: () => bench.serviceProblems(),
      counters: () => metrics(first.healthPort),
      stop,
    };
    return { replicas, broker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Waits until every replica counts the others as peers, so a subscription on one is known to
 * the rest before publishers start. A fabric without the peer gauge is not waited for.
 */
async function waitForPeers(replicas: readonly Replica[]): Promise<void> {
  if (replicas.length < 2) return;
  const deadline = Date.now() + PEERS_TIMEOUT_MS;
  for (;;) {
    const peers = await Promise.all(
      replicas.map(async (r) => (await metrics(r.healthPort)).get('octomesh_broker_peer_replicas')),
    );
    if (peers.some((p) => p === undefined)) return;
    if (peers.every((p) => p === replicas.length - 1)) return;
    if (Date.now() > deadline) throw new Error(`replicas see ${peers.join(', ')} peers`);
    await sleep(50);
  }
}

const SPREAD_METRICS = [
  ['octomesh_broker_messages_received_total', 'PUBLISH in'],
  ['octomesh_broker_fabric_received_total', 'from fabric'],
] as const;

/**
 * Runs `measure` with a CPU meter on each replica and prints, per replica, its CPU share and
 * how many PUBLISHes and fabric messages it handled meanwhile: the kernel's spread.
 */
async function withSpread(
  replicas: readonly Replica[],
  measure: () => Promise<Measurement>,
): Promise<Measurement> {
  const before = await Promise.all(replicas.map((r) => metrics(r.healthPort)));
  const meters = replicas.map((r) => new CpuMeter(r.service.child.pid!));
  for (const meter of meters) meter.start();
  const measured = await measure();
  const cpu = meters.map((meter) => meter.stop());
  const after = await Promise.all(replicas.map((r) => metrics(r.healthPort)));
  const lines = replicas.map((r, i) => {
    const deltas = SPREAD_METRICS.filter(([metric]) => after[i]!.has(metric)).map(
      ([metric, label]) =>
        `${label} ${formatCount(after[i]!.get(metric)! - (before[i]!.get(metric) ?? 0))}`,
    );
    return `${r.name} CPU ${formatShare(cpu[i]!)}${deltas.length > 0 ? ` (${deltas.join(', ')})` : ''}`;
  });
  printNote(`           ${lines.join('; ')}`);
  return measured;
}

const ROWS = [
  { key: 'connect', label: 'connect+sub/s with auth' },
  { key: 'pairs', label: `${o.BENCH_REUSE_PAIRS} USP pairs QoS 1 msg/s` },
  { key: 'topicPairs', label: `${o.BENCH_REUSE_PAIRS} own-topic pairs QoS 1 msg/s` },
] as const;
type RowKey = (typeof ROWS)[number]['key'];

async function measureVariant(
  ctx: ScenarioContext,
  variant: Variant,
): Promise<Record<RowKey, Measurement>> {
  const { broker, replicas } = variant;
  await measureConnects(ctx, broker, version, true);
  const connect = await withSpread(replicas, () => measureConnects(ctx, broker, version, false));
  printNote(`connect    ${connect.detail}`);
  const pairs = await withSpread(replicas, () =>
    measureThroughput(ctx, broker, 'pairs', version, 1),
  );
  printNote(`pairs      ${pairs.detail}`);
  const topicPairs = await withSpread(replicas, () => measureTopicPairs(ctx, broker));
  printNote(`own topics ${topicPairs.detail}`);
  return { connect, pairs, topicPairs };
}

/**
 * Pairs QoS 1 on topics of their own (`bench/reuse-pair/<i>`, admin accounts): unlike agent
 * topics, a replica subscribes on NATS per filter, so only messages whose subscriber sits on
 * the other replica cross.
 */
async function measureTopicPairs(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
): Promise<Measurement> {
  const s = ctx.settings;
  const { result } = await runFlow(ctx, broker, {
    kind: 'flow',
    endpoint: broker.open,
    version,
    qos: 1,
    payloadBytes: s.payloadBytes,
    window: s.window,
    units: Array.from({ length: s.pairs }, (_, i) =>
      fanUnit(broker, `bench/reuse-pair/${i}`, 1, 1, `reuse-pair-${i}`),
    ),
    mode: { type: 'throughput', warmupMs: s.warmupMs, windowMs: s.windowMs },
    drainTimeoutMs: 10_000,
    subscriberBytesPerSecond: 0,
  });
  const rate = result.windowMs > 0 ? (result.windowDelivered * 1000) / result.windowMs : 0;
  const lost = result.expected - result.delivered;
  const defects = [
    ...(lost > 0 ? [`LOSS: ${formatCount(lost)} of ${formatCount(result.expected)} copies`] : []),
    ...(result.duplicates > 0 ? [`${formatCount(result.duplicates)} duplicates`] : []),
    ...Object.entries(result.problems).map(([problem, n]) => `${problem} ×${n}`),
  ];
  const detail = [
    `${formatCount(rate)} msg/s delivered`,
    `generator CPU ${formatShare(result.generatorCpu)}`,
    `delivered ${formatCount(result.delivered)} of ${formatCount(result.expected)} acknowledged copies`,
    ...defects,
  ].join('; ');
  return { value: rate, cell: formatCount(rate), detail, defects };
}

function printSummary(counts: readonly number[], results: Map<number, Measurement[][]>): boolean {
  printSection('summary (median over rounds)');
  const header = ['figure'.padEnd(32), ...counts.map((n) => `${n} proc`.padStart(12))];
  const base = counts[0]!;
  if (counts.length > 1) header.push(...counts.slice(1).map((n) => `${n}/${base}`.padStart(8)));
  printNote(header.join(' '));
  let clean = true;
  ROWS.forEach((row, r) => {
    const medians = counts.map((n) => median(results.get(n)!.map((round) => round[r]!.value)));
    const cells = [
      row.label.padEnd(32),
      ...medians.map((m) => formatCount(m).padStart(12)),
      ...medians.slice(1).map((m) => formatRatio(m, medians[0]!).padStart(8)),
    ];
    printNote(cells.join(' '));
    for (const n of counts)
      for (const round of results.get(n)!) {
        for (const defect of round[r]!.defects) {
          clean = false;
          printNote(`  ${n} proc: ${defect}`);
        }
      }
  });
  return clean;
}

async function main(bench: BenchMesh): Promise<boolean> {
  const counts = o.BENCH_REUSE_REPLICAS;
  let generators: Generator[] = [];
  process.once('exit', () => {
    for (const g of generators) g.child.kill('SIGKILL');
  });
  try {
    printSection('set-up');
    printNote(`settings: ${describeOptions(o)}`);
    const auth = await bench.startService('auth');
    const acl = await bench.startService('acl');
    const accounts = await writeOctomeshAccounts(bench.nc, deviceAccounts, bench.signal);
    const helpers = {
      auth: auth.child.pid!,
      acl: acl.child.pid!,
      ...Object.fromEntries(childPidsNamed('nats-server').map((pid) => ['nats-server', pid])),
    };
    printNote(`nats-server, auth and acl processes; ${accounts} accounts in KV`);
    generators = await startGenerators(o.BENCH_REUSE_GENERATORS);
    const ctx: ScenarioContext = { settings, flowGenerators: generators, generators };
    const results = new Map<number, Measurement[][]>(counts.map((n) => [n, []]));
    for (let round = 0; round < o.BENCH_REUSE_ROUNDS; round++) {
      // Rotate who goes first, so no variant always runs on a warmer or busier machine.
      const order = counts.map((_, i) => counts[(i + round) % counts.length]!);
      for (const count of order) {
        bench.signal.throwIfAborted();
        printSection(
          `round ${round + 1}: ${count} broker process${count > 1 ? 'es' : ''} on one port (MQTT ${o.BENCH_REUSE_VERSION})`,
        );
        const variant = await startVariant(bench, count, helpers);
        try {
          const measured = await measureVariant(ctx, variant);
          results.get(count)!.push(ROWS.map((row) => measured[row.key]));
          const exited = variant.broker.exited();
          if (exited !== undefined) throw new Error(exited);
        } finally {
          await variant.stop();
        }
      }
    }
    const clean = printSummary(counts, results);
    const problems = bench.serviceProblems();
    printNote(problems.length === 0 ? 'no warnings or errors logged' : 'logged:');
    for (const problem of problems) printNote(`  ${problem}`);
    return clean;
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
  }
}

await runBench('reuse-port', o.BENCH_LOG_LEVEL, main);
