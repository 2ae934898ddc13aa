// MQTT benchmarks: Octomesh (the whole mesh, auth on) against mosquitto and aedes in the same
// run. Load comes from separate generator processes on raw sockets; every scenario runs
// against each broker in turn (the order rotates), and the summary prints each figure with
// the ratios octomesh/mosquitto and octomesh/aedes and the targets of issue 3.
//
// Run: npm run bench:mqtt   (options: BENCH_MQTT_* variables, see below or bench/README.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@octomesh/service-kit';
import { runBench, type BenchMesh } from '../support/mesh.ts';
import { describeOptions, loadBenchOptions, SERVICE_LOG_LEVELS } from '../support/options.ts';
import { printNote, printSection } from '../support/report.ts';
import {
  BROKER_NAMES,
  mosquittoProblem,
  startAedes,
  startMosquitto,
  startOctomesh,
  type BrokerName,
  type BrokerUnderTest,
} from './brokers.ts';
import { startGenerators, type Generator } from './generator-pool.ts';
import { MqttVersions, type MqttVersion } from './jobs.ts';
import { notApplicable, type Measurement } from './measurement.ts';
import { openFileLimit } from './process-stats.ts';
import { summarizeProfile } from './profile-summary.ts';
import { printSummary, type MetricRow } from './summary.ts';
import {
  measureConnects,
  measureFlood,
  measureIdleMemory,
  measureLatency,
  measureThroughput,
  type ScenarioContext,
} from './scenarios.ts';

const SCENARIOS = ['idle', 'connect', 'pairs', 'fan-in', 'fan-out', 'latency', 'flood'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const list = <T extends string>(
  description: string,
  values: readonly T[],
  fallback: readonly T[],
) =>
  env.custom<T[]>(
    `${description} (comma-separated: ${values.join(', ')})`,
    (raw) => {
      const picked = raw
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      const unknown = picked.filter((v) => !(values as readonly string[]).includes(v));
      if (unknown.length > 0) throw new Error(`unknown ${unknown.join(', ')}`);
      if (picked.length === 0) throw new Error('nothing named');
      return [...new Set(picked)] as T[];
    },
    [...fallback],
  );

const options = loadBenchOptions('mqtt', {
  BENCH_MQTT_BROKERS: list('brokers to measure', BROKER_NAMES, BROKER_NAMES),
  BENCH_MQTT_SCENARIOS: list('scenarios to run', SCENARIOS, SCENARIOS),
  BENCH_MQTT_VERSIONS: list('MQTT versions', ['3.1.1', '5'] as const, ['3.1.1', '5']),
  BENCH_MQTT_PAIRS: env.int('publisher/subscriber pairs, each on its own topic', 100, 1, 2000),
  BENCH_MQTT_SECONDS: env.int('measured window of each throughput run (s)', 5, 1, 600),
  BENCH_MQTT_WARMUP_MS: env.int('publishing before the window opens (ms)', 1000, 0, 60_000),
  BENCH_MQTT_PAYLOAD: env.int('payload bytes of each message', 64, 16, 65_536),
  BENCH_MQTT_WINDOW: env.int('QoS 1 PUBLISHes a publisher keeps unacknowledged', 16, 1, 1000),
  BENCH_MQTT_FAN_IN: env.int('publishers of the fan-in (one subscriber)', 4, 1, 1000),
  BENCH_MQTT_FAN_OUT: env.int('subscribers of the fan-out (one publisher)', 10, 1, 1000),
  BENCH_MQTT_RATE: env.int('messages/s of the latency run', 1000, 1, 100_000),
  BENCH_MQTT_LATENCY_SECONDS: env.int('duration of the latency run (s)', 5, 1, 600),
  BENCH_MQTT_CONNECTS: env.int('connect+subscribe cycles per pass', 2000, 1, 100_000),
  BENCH_MQTT_CONNECT_CONCURRENCY: env.int('connect+subscribe cycles in flight', 64, 1, 5000),
  BENCH_MQTT_IDLE: env.int(
    'idle connections (capped by the open file limit)',
    19_000,
    1,
    1_000_000,
  ),
  BENCH_MQTT_IDLE_SUBSCRIBE: env.bool('idle connections also subscribe to their own topic', false),
  BENCH_MQTT_IDLE_SETTLE_MS: env.int(
    'wait before reading RSS with the connections open',
    5000,
    0,
    600_000,
  ),
  BENCH_MQTT_FLOOD_SECONDS: env.int('duration of the QoS 0 flood (s)', 15, 1, 600),
  BENCH_MQTT_FLOOD_PUBLISHERS: env.int('flood publishers', 8, 1, 1000),
  BENCH_MQTT_FLOOD_PAYLOAD: env.int('flood payload bytes', 1024, 16, 262_144),
  BENCH_MQTT_FLOOD_READ_KBPS: env.int('KiB/s the slow flood subscriber reads', 64, 1, 1_000_000),
  BENCH_MQTT_FLOOD_RSS_LIMIT_MB: env.int(
    'stop the flood when the broker RSS passes this (MiB)',
    6144,
    64,
    1_000_000,
  ),
  BENCH_MQTT_ROUNDS: env.int('rounds of each throughput and latency run (median kept)', 1, 1, 20),
  BENCH_MQTT_FLOOD_RECOVERY_S: env.int(
    'time a broker has to serve again after the flood (s)',
    120,
    0,
    600,
  ),
  BENCH_MQTT_GENERATORS: env.int('generator processes carrying message flows', 1, 1, 16),
  BENCH_MQTT_CPU_PROF: env.bool('run the Octomesh broker with --cpu-prof and summarize it', false),
  BENCH_LOG_LEVEL: env.oneOf('LOG_LEVEL of the Octomesh services', SERVICE_LOG_LEVELS, 'warn'),
});

const fileLimit = openFileLimit();
// Room for the broker's own descriptors (listeners, NATS, logs) next to the connections.
const FILE_LIMIT_MARGIN = 1000;
const idleCount = Math.max(1, Math.min(options.BENCH_MQTT_IDLE, fileLimit - FILE_LIMIT_MARGIN));
const idleWorkers = Math.max(2, Math.ceil(idleCount / (fileLimit - FILE_LIMIT_MARGIN / 2)));
const versions: MqttVersion[] = options.BENCH_MQTT_VERSIONS.map((v) =>
  v === '5' ? MqttVersions.v5 : MqttVersions.v311,
);
const scenarios = new Set<ScenarioName>(options.BENCH_MQTT_SCENARIOS);
const deviceAccounts = Math.max(options.BENCH_MQTT_PAIRS, options.BENCH_MQTT_CONNECTS);

const vName = (v: MqttVersion): string => (v === 5 ? '5' : '3.1.1');

/** One step of the run: a section, its summary rows, and how to measure one broker. */
interface Step {
  readonly scenario: ScenarioName;
  readonly title: string;
  readonly rows: readonly MetricRow[];
  /** Rounds to run (the summary keeps the median per row). */
  readonly rounds: number;
  /** One measurement per row, in row order. */
  readonly measure: (broker: BrokerUnderTest) => Promise<Measurement[]>;
}

function buildSteps(ctx: ScenarioContext): Step[] {
  const steps: Step[] = [];
  const s = ctx.settings;
  steps.push({
    scenario: 'idle',
    rounds: 1,
    title: `memory per idle connection: ${idleCount} MQTT 3.1.1 connections${s.idleSubscribe ? ' (each subscribed)' : ''}, RSS of the broker process`,
    rows: [
      {
        key: 'idle',
        label: 'bytes per idle connection',
        kind: 'memory',
        targets: ['under-4k', '2x-aedes'],
      },
    ],
    measure: async (broker) => [await measureIdleMemory(ctx, broker)],
  });
  for (const v of versions) {
    steps.push({
      scenario: 'connect',
      rounds: 1,
      title: `connect+subscribe with auth, MQTT ${vName(v)}: ${s.connects} clients, ${s.connectConcurrency} in flight, a warm-up pass then the measured pass`,
      rows: [
        {
          key: `connect-v${v}`,
          label: `connect+sub/s with auth ${vName(v)}`,
          kind: 'rate',
          targets: ['2x-aedes'],
        },
      ],
      measure: async (broker) => {
        const warmUp = await measureConnects(ctx, broker, v, true);
        const measured = await measureConnects(ctx, broker, v, false);
        return [
          {
            ...measured,
            detail: `${warmUp.detail}\n${' '.repeat(14)}${measured.detail}`,
            defects: [...warmUp.defects, ...measured.defects],
          },
        ];
      },
    });
  }
  const flows = [
    ['pairs', 0, `${s.pairs} pairs QoS 0`],
    ['pairs', 1, `${s.pairs} pairs QoS 1`],
    ['fan-in', 1, `fan-in ${s.fanIn}→1 QoS 1`],
    ['fan-out', 1, `fan-out 1→${s.fanOut} QoS 1`],
  ] as const;
  for (const [shape, qos, name] of flows) {
    for (const v of versions) {
      const beatMosquitto = qos === 1 && shape !== 'fan-in';
      steps.push({
        scenario: shape,
        rounds: options.BENCH_MQTT_ROUNDS,
        title: `${name}, MQTT ${vName(v)}: msg/s delivered over ${s.windowMs / 1000} s (after ${s.warmupMs} ms warm-up), ${s.payloadBytes} B payload${qos === 1 ? `, window ${s.window}` : ''}`,
        rows: [
          {
            key: `${shape}-q${qos}-v${v}`,
            label: `${name} ${vName(v)} msg/s`,
            kind: 'rate',
            targets: beatMosquitto ? ['mosquitto', '2x-aedes'] : ['2x-aedes'],
          },
        ],
        measure: async (broker) => [await measureThroughput(ctx, broker, shape, v, qos)],
      });
    }
  }
  for (const v of versions) {
    steps.push({
      scenario: 'latency',
      rounds: options.BENCH_MQTT_ROUNDS,
      title: `latency at ${s.latencyRate} msg/s over the ${s.pairs} pairs, QoS 1, MQTT ${vName(v)}, ${s.latencyMs / 1000} s open loop (from scheduled send time)`,
      rows: [
        {
          key: `latency-p50-v${v}`,
          label: `latency p50 ms ${vName(v)}`,
          kind: 'latency',
          targets: [],
        },
        {
          key: `latency-p99-v${v}`,
          label: `latency p99 ms ${vName(v)}`,
          kind: 'latency',
          targets: ['2x-aedes'],
        },
      ],
      measure: async (broker) => {
        const { p50, p99 } = await measureLatency(ctx, broker, v);
        return [p50, p99];
      },
    });
  }
  steps.push({
    scenario: 'flood',
    rounds: 1,
    title: `QoS 0 flood, MQTT 3.1.1: ${s.floodPublishers} publishers × ${s.floodPayloadBytes} B as fast as TCP allows, one subscriber reading ${s.floodReadBytesPerSecond / 1024} KiB/s, ${s.floodMs / 1000} s`,
    rows: [
      {
        key: 'flood',
        label: 'QoS 0 flood: process alive',
        kind: 'survival',
        targets: ['survives'],
      },
      {
        key: 'flood-recovery',
        label: 'QoS 0 flood: serves again after s',
        kind: 'latency',
        targets: [],
      },
      { key: 'flood-rss', label: 'QoS 0 flood: peak RSS', kind: 'memory', targets: [] },
    ],
    measure: async (broker) => {
      const { alive, recovery, peakRss } = await measureFlood(ctx, broker);
      return [alive, recovery, peakRss];
    },
  });
  return steps.filter((step) => scenarios.has(step.scenario));
}

// Counters whose growth is worth a line: refusals, drops, disconnects, throttling.
const NOTABLE_COUNTER = /refused|denied|slow|dropped|throttled|shed|failed|overflow|busy/;

async function counterDeltas(
  broker: BrokerUnderTest,
  before: Map<string, number>,
): Promise<string[]> {
  const after = await broker.counters();
  const notes: string[] = [];
  for (const [name, value] of after) {
    const delta = value - (before.get(name) ?? 0);
    if (delta > 0 && NOTABLE_COUNTER.test(name)) notes.push(`${name} +${delta}`);
  }
  return notes;
}

// One broker, one round of a step: its measurements (n/a when the process is gone), printed.
async function measureOnce(step: Step, broker: BrokerUnderTest): Promise<Measurement[]> {
  const exited = broker.exited();
  const before = await broker.counters();
  const measured =
    exited !== undefined
      ? step.rows.map(() => notApplicable(`process gone: ${exited}`))
      : await step.measure(broker).catch((error: unknown) =>
          step.rows.map((): Measurement => ({
            value: Number.NaN,
            cell: 'error',
            detail: `failed: ${(error as Error).message}`,
            defects: [`run failed: ${(error as Error).message}`],
          })),
        );
  for (const m of measured) if (m.detail !== '') printNote(`${broker.name.padEnd(10)} ${m.detail}`);
  const counters = await counterDeltas(broker, before);
  if (counters.length > 0) printNote(`${''.padEnd(10)} broker counters: ${counters.join(', ')}`);
  return measured;
}

// The round whose figure is the median (upper middle for an even count); defects of all rounds.
function medianMeasurement(perRound: readonly Measurement[]): Measurement {
  if (perRound.length === 1) return perRound[0]!;
  const sorted = [...perRound].sort((a, b) => (a.value || 0) - (b.value || 0));
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return { ...middle, defects: perRound.flatMap((m) => m.defects) };
}

async function startBrokers(bench: BenchMesh, tmp: string, profileDir: string | undefined) {
  const brokers: BrokerUnderTest[] = [];
  for (const name of options.BENCH_MQTT_BROKERS) {
    if (name === 'octomesh') {
      const env: Record<string, string> =
        profileDir === undefined
          ? {}
          : {
              NODE_OPTIONS:
                `${process.env['NODE_OPTIONS'] ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim(),
            };
      const { broker, accounts } = await startOctomesh(bench, deviceAccounts, env);
      printNote(
        `octomesh: nats-server, auth, acl and broker processes; ${accounts} accounts in KV; broker pid ${broker.pid}, port ${broker.open.port}`,
      );
      brokers.push(broker);
    } else if (name === 'mosquitto') {
      const problem = mosquittoProblem();
      if (problem !== undefined) throw new Error(problem);
      const broker = await startMosquitto(tmp, deviceAccounts);
      printNote(
        `mosquitto: pid ${broker.pid}, anonymous port ${broker.open.port}, password_file port ${broker.auth.port} (${deviceAccounts} accounts)`,
      );
      brokers.push(broker);
    } else {
      const broker = await startAedes(deviceAccounts);
      printNote(
        `aedes: pid ${broker.pid}, anonymous port ${broker.open.port}, authenticate-hook port ${broker.auth.port}`,
      );
      brokers.push(broker);
    }
  }
  return brokers;
}

async function main(bench: BenchMesh): Promise<boolean> {
  const tmp = mkdtempSync(join(tmpdir(), 'octomesh-bench-mqtt-'));
  const removeTmp = (): void => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const profileDir = options.BENCH_MQTT_CPU_PROF ? join(tmp, 'profile') : undefined;
  const brokers: BrokerUnderTest[] = [];
  let generators: Generator[] = [];
  // Last resort on Ctrl-C or a crash: the mesh handles its own processes; ours get a signal.
  const killPeers = (): void => {
    for (const g of generators) g.child.kill('SIGKILL');
  };
  process.once('exit', killPeers);
  try {
    printSection('set-up');
    printNote(`settings: ${describeOptions(options)}`);
    printNote(
      `open file limit ${fileLimit}: ${idleCount} idle connections over ${idleWorkers} generator processes`,
    );
    brokers.push(...(await startBrokers(bench, tmp, profileDir)));
    for (const broker of brokers) process.once('exit', () => void broker.stop());
    generators = await startGenerators(Math.max(options.BENCH_MQTT_GENERATORS, idleWorkers));
    const ctx: ScenarioContext = {
      settings: {
        pairs: options.BENCH_MQTT_PAIRS,
        windowMs: options.BENCH_MQTT_SECONDS * 1000,
        warmupMs: options.BENCH_MQTT_WARMUP_MS,
        payloadBytes: options.BENCH_MQTT_PAYLOAD,
        window: options.BENCH_MQTT_WINDOW,
        fanIn: options.BENCH_MQTT_FAN_IN,
        fanOut: options.BENCH_MQTT_FAN_OUT,
        latencyRate: options.BENCH_MQTT_RATE,
        latencyMs: options.BENCH_MQTT_LATENCY_SECONDS * 1000,
        connects: options.BENCH_MQTT_CONNECTS,
        connectConcurrency: options.BENCH_MQTT_CONNECT_CONCURRENCY,
        idle: idleCount,
        idleSubscribe: options.BENCH_MQTT_IDLE_SUBSCRIBE,
        idleSettleMs: options.BENCH_MQTT_IDLE_SETTLE_MS,
        floodMs: options.BENCH_MQTT_FLOOD_SECONDS * 1000,
        floodPublishers: options.BENCH_MQTT_FLOOD_PUBLISHERS,
        floodPayloadBytes: options.BENCH_MQTT_FLOOD_PAYLOAD,
        floodReadBytesPerSecond: options.BENCH_MQTT_FLOOD_READ_KBPS * 1024,
        floodRssLimitBytes: options.BENCH_MQTT_FLOOD_RSS_LIMIT_MB * 1024 * 1024,
        floodRecoveryMs: options.BENCH_MQTT_FLOOD_RECOVERY_S * 1000,
        deviceAccounts,
      },
      flowGenerators: generators.slice(0, options.BENCH_MQTT_GENERATORS),
      generators,
    };

    const results = new Map<string, Map<BrokerName, Measurement>>();
    const rows: MetricRow[] = [];
    const steps = buildSteps(ctx);
    const started = performance.now();
    let turn = 0;
    for (const step of steps) {
      bench.signal.throwIfAborted();
      printSection(step.title);
      rows.push(...step.rows);
      const rounds = new Map<BrokerName, Measurement[][]>();
      for (let round = 1; round <= step.rounds; round++) {
        if (step.rounds > 1) printNote(`round ${round}`);
        // Rotate who goes first, so no broker always runs on a warmer or busier machine.
        const order = brokers.map((_, i) => brokers[(i + turn) % brokers.length]!);
        turn++;
        for (const broker of order) {
          const measured = await measureOnce(step, broker);
          rounds.set(broker.name, [...(rounds.get(broker.name) ?? []), measured]);
        }
      }
      for (const [name, perRound] of rounds) {
        step.rows.forEach((row, i) => {
          const byBroker = results.get(row.key) ?? new Map<BrokerName, Measurement>();
          byBroker.set(name, medianMeasurement(perRound.map((m) => m[i]!)));
          results.set(row.key, byBroker);
        });
      }
    }
    const wallSeconds = (performance.now() - started) / 1000;

    const names = brokers.map((b) => b.name);
    const ok = printSummary(rows, results, names, wallSeconds);

    printSection('broker processes and logs');
    for (const broker of brokers) {
      printNote(
        `${broker.name}: ${broker.exited() === undefined ? 'running at the end' : `EXITED (${broker.exited()})`}`,
      );
    }
    const problems = brokers.flatMap((b) => b.problems());
    printNote(
      problems.length === 0 ? 'no warnings or errors logged' : 'warnings and errors logged:',
    );
    for (const problem of [...new Set(problems)]) printNote(`  ${problem}`);

    const octomesh = brokers.find((b) => b.name === 'octomesh');
    const octomeshAlive = octomesh === undefined || octomesh.exited() === undefined;
    if (profileDir !== undefined && octomesh !== undefined) {
      // The profile is written when the broker exits.
      await octomesh.stop();
      const summary = summarizeProfile(profileDir, 20);
      printSection('octomesh broker CPU profile (self time)');
      if (summary === undefined) printNote('no profile was written');
      else {
        printNote(
          `${summary.file}: busy ${(summary.busyMs / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s`,
        );
        printNote('by function:');
        for (const f of summary.functions)
          printNote(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
        printNote('by file:');
        for (const f of summary.files)
          printNote(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
      }
    }
    return ok && octomeshAlive;
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await Promise.all(brokers.map((b) => b.stop()));
    removeTmp();
  }
}

await runBench('mqtt', options.BENCH_LOG_LEVEL, main);
