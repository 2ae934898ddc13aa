// The message fabric benchmark (issue 11): in one run, the same mesh (nats-server, auth, acl)
// with four broker deployments in turn — one replica with MQTT_FABRIC=local, one with the NATS
// fabric, two and three replicas on the NATS fabric with the clients spread over them — on
// pairs QoS 1, fan-out QoS 1 and a shared subscription, plus memory per idle connection.
// Replicas of one variant would hear those of another on the same NATS, so each variant runs
// alone: started, measured, stopped; rounds rotate the order. The summary prints msg/s per
// variant and the ratios to `local` (target: nats-1 costs under 10% on pairs and fan-out).
//
// Run: npm run bench:fabric   (options: BENCH_FABRIC_* variables, see bench/README.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBench, type BenchMesh } from '../support/mesh.ts';
import { describeOptions } from '../support/options.ts';
import { formatRatio, printNote, printSection } from '../support/report.ts';
import {
  OPEN_LIMITS,
  startOctomeshBroker,
  startOctomeshHelpers,
  type BrokerUnderTest,
  type OctomeshHelpers,
} from './brokers.ts';
import { measureIdleMemory } from './connection-scenarios.ts';
import {
  fabricOptions as o,
  fabricVersion,
  FABRIC_SCENARIOS,
  VARIANTS,
  type FabricScenario,
  type VariantName,
} from './fabric-options.ts';
import {
  describeShape,
  FabricShapes,
  measureFabricFlow,
  type Deployment,
  type FabricSettings,
} from './fabric-scenarios.ts';
import { startGenerators, type Generator } from './generator-pool.ts';
import type { Measurement } from './measurement.ts';
import { printProfile, summarizeProfile } from './profile-summary.ts';
import type { ScenarioContext, ScenarioSettings } from './scenario-context.ts';

const PEERS_TIMEOUT_MS = 15_000;
const PEERS_POLL_MS = 50;
const PEERS_METRIC = 'octomesh_broker_peer_replicas';
/** The target: the NATS fabric with one replica keeps 90% of local's rate. */
const NATS_1_TARGET = 0.9;
// Growth of these broker counters per scenario shows which way the messages went.
const FABRIC_COUNTER = /^octomesh_broker_fabric_(published|not_exported|received|duplicates)/;

const deviceAccounts = Math.max(o.BENCH_FABRIC_PAIRS, o.BENCH_FABRIC_IDLE);

const settings: FabricSettings = {
  version: fabricVersion,
  windowMs: o.BENCH_FABRIC_SECONDS * 1000,
  warmupMs: o.BENCH_FABRIC_WARMUP_MS,
  payloadBytes: o.BENCH_FABRIC_PAYLOAD,
  window: o.BENCH_FABRIC_WINDOW,
  pairs: o.BENCH_FABRIC_PAIRS,
  fanOut: o.BENCH_FABRIC_FAN_OUT,
  sharedMembers: o.BENCH_FABRIC_SHARED_MEMBERS,
  sharedPublishers: o.BENCH_FABRIC_SHARED_PUBLISHERS,
  deviceAccounts,
};

// The idle scenario of run.ts reads the whole ScenarioSettings; only its idle fields matter here.
const idleSettings: ScenarioSettings = {
  pairs: settings.pairs,
  windowMs: settings.windowMs,
  warmupMs: settings.warmupMs,
  payloadBytes: settings.payloadBytes,
  window: settings.window,
  fanIn: 1,
  fanOut: settings.fanOut,
  latencyRate: 1,
  latencyMs: 0,
  connects: 0,
  connectConcurrency: 1,
  idle: o.BENCH_FABRIC_IDLE,
  idleSubscribe: o.BENCH_FABRIC_IDLE_SUBSCRIBE,
  idleSettleMs: o.BENCH_FABRIC_IDLE_SETTLE_MS,
  floodMs: 0,
  floodPublishers: 0,
  floodPayloadBytes: 0,
  floodReadBytesPerSecond: 0,
  floodRssLimitBytes: 0,
  floodRecoveryMs: 0,
  deviceAccounts,
};

/** One row of the summary. */
interface Row {
  readonly scenario: FabricScenario;
  readonly label: string;
  /** rate: higher is better; memory: lower is. */
  readonly kind: 'rate' | 'memory';
}

const ROWS: readonly Row[] = [
  { scenario: 'idle', label: 'bytes per idle connection', kind: 'memory' },
  { scenario: 'pairs', label: `${settings.pairs} pairs QoS 1 msg/s`, kind: 'rate' },
  { scenario: 'fan-out', label: `fan-out 1→${settings.fanOut} QoS 1 msg/s`, kind: 'rate' },
  {
    scenario: 'shared',
    label: `shared ${settings.sharedPublishers}→${settings.sharedMembers} QoS 1 msg/s`,
    kind: 'rate',
  },
];

/** Resolves once every replica has heard the heartbeat of every other one. */
async function peersKnown(replicas: readonly BrokerUnderTest[], signal: AbortSignal) {
  const deadline = performance.now() + PEERS_TIMEOUT_MS;
  for (;;) {
    const counts = await Promise.all(
      replicas.map(async (r) => (await r.counters()).get(PEERS_METRIC)),
    );
    if (counts.every((n) => n === replicas.length - 1)) return;
    if (performance.now() > deadline) {
      throw new Error(`replicas did not find each other: peers ${counts.join(', ')}`);
    }
    await sleep(PEERS_POLL_MS, undefined, { signal });
  }
}

async function startVariant(
  bench: BenchMesh,
  helpers: OctomeshHelpers,
  name: VariantName,
  profileDir: string | undefined,
): Promise<Deployment> {
  const variant = VARIANTS[name];
  const replicas: BrokerUnderTest[] = [];
  try {
    for (let i = 1; i <= variant.replicas; i++) {
      replicas.push(
        await startOctomeshBroker(bench, helpers, {
          ...OPEN_LIMITS,
          MQTT_FABRIC: variant.fabric,
          BROKER_REPLICA: `bench-${name}-${i}`,
          ...(profileDir === undefined
            ? {}
            : {
                NODE_OPTIONS:
                  `${process.env['NODE_OPTIONS'] ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim(),
              }),
        }),
      );
    }
    if (variant.fabric === 'nats' && replicas.length > 1) await peersKnown(replicas, bench.signal);
  } catch (error) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw error;
  }
  const natsServer = helpers.pids['nats-server'];
  return { replicas, helpers: natsServer === undefined ? {} : { 'nats-server': natsServer } };
}

async function fabricCounters(deployment: Deployment): Promise<Map<string, number>[]> {
  return Promise.all(deployment.replicas.map((r) => r.counters()));
}

// "replica 1: published +12,000, received +0; replica 2: …" — only counters that moved.
function counterGrowth(before: Map<string, number>[], after: Map<string, number>[]): string {
  return after
    .map((counters, i) => {
      const moved = [...counters]
        .filter(([name]) => FABRIC_COUNTER.test(name))
        .map(([name, value]) => [name, value - (before[i]?.get(name) ?? 0)] as const)
        .filter(([, delta]) => delta > 0)
        .map(([name, delta]) => `${name.replace('octomesh_broker_fabric_', '')} +${delta}`);
      return moved.length === 0 ? '' : `replica ${i + 1}: ${moved.join(', ')}`;
    })
    .filter((text) => text !== '')
    .join('; ');
}

function failed(error: unknown): Measurement {
  const message = (error as Error).message;
  return { value: Number.NaN, cell: 'error', detail: `failed: ${message}`, defects: [message] };
}

/** One variant, one round: start it, measure every selected scenario, stop it. */
async function measureVariant(
  bench: BenchMesh,
  helpers: OctomeshHelpers,
  ctx: ScenarioContext,
  name: VariantName,
  withIdle: boolean,
  profileDir: string | undefined,
): Promise<Map<FabricScenario, Measurement>> {
  const measured = new Map<FabricScenario, Measurement>();
  const deployment = await startVariant(bench, helpers, name, profileDir);
  printNote(
    `${name}: broker pids ${deployment.replicas.map((r) => r.pid).join(', ')}, ports ${deployment.replicas.map((r) => r.open.port).join(', ')}`,
  );
  const scenarios = new Set(o.BENCH_FABRIC_SCENARIOS);
  try {
    if (withIdle && scenarios.has('idle')) {
      const m = await measureIdleMemory(ctx, deployment.replicas[0]!).catch(failed);
      printNote(`${name.padEnd(7)} idle on replica 1: ${m.detail}`);
      measured.set('idle', m);
    }
    for (const shape of Object.values(FabricShapes)) {
      if (!scenarios.has(shape)) continue;
      bench.signal.throwIfAborted();
      const before = await fabricCounters(deployment);
      const m = await measureFabricFlow(ctx, deployment, shape, settings).catch(failed);
      const growth = counterGrowth(before, await fabricCounters(deployment));
      printNote(`${name.padEnd(7)} ${shape.padEnd(8)} ${m.detail}`);
      if (growth !== '') printNote(`${''.padEnd(16)} fabric counters: ${growth}`);
      measured.set(shape, m);
    }
    const gone = deployment.replicas.filter((r) => r.exited() !== undefined);
    for (const r of gone) {
      const defect = `replica pid ${r.pid} ${r.exited()}`;
      for (const [scenario, m] of measured)
        measured.set(scenario, { ...m, defects: [...m.defects, defect] });
    }
  } finally {
    await Promise.all(deployment.replicas.map((r) => r.stop()));
  }
  if (profileDir !== undefined) printProfile(summarizeProfile(profileDir, 20));
  return measured;
}

function median(perRound: readonly Measurement[]): Measurement {
  const sorted = [...perRound].sort((a, b) => (a.value || 0) - (b.value || 0));
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return { ...middle, defects: perRound.flatMap((m) => m.defects) };
}

/**
 * Median over rounds of variant / local within the same round: the variants of one round run
 * minutes apart at most, while the machine's other load drifts over the whole run.
 */
function roundRatio(
  byVariant: ReadonlyMap<VariantName, readonly Measurement[]>,
  variant: VariantName,
): number {
  const local = byVariant.get('local') ?? [];
  const ratios = (byVariant.get(variant) ?? [])
    .map((m, round) => m.value / (local[round]?.value ?? Number.NaN))
    .filter((r) => Number.isFinite(r))
    .sort((a, b) => a - b);
  return ratios.length === 0 ? Number.NaN : ratios[Math.floor(ratios.length / 2)]!;
}

/** Prints the table of medians and ratios to local; false when any variant had a defect. */
function printFabricSummary(
  results: ReadonlyMap<FabricScenario, ReadonlyMap<VariantName, Measurement[]>>,
  variants: readonly VariantName[],
): boolean {
  printSection(`summary (median of ${o.BENCH_FABRIC_ROUNDS} rounds; idle: round 1)`);
  const others = variants.filter((v) => v !== 'local');
  const ratioNames = variants.includes('local') ? others.map((v) => `${v}/local`) : [];
  printNote(
    [
      'figure'.padEnd(30),
      ...variants.map((v) => v.padStart(9)),
      ...ratioNames.map((r) => r.padStart(13)),
      '  target (issue 11)',
    ].join(' '),
  );
  const defects: string[] = [];
  const missed: string[] = [];
  for (const row of ROWS) {
    const byVariant = results.get(row.scenario);
    if (byVariant === undefined) continue;
    const medians = new Map(
      [...byVariant].map(([variant, rounds]) => [variant, median(rounds)] as const),
    );
    const ratios = ratioNames.length === 0 ? [] : others.map((v) => roundRatio(byVariant, v));
    let verdict = '';
    if (
      row.kind === 'rate' &&
      row.scenario !== 'shared' &&
      variants.includes('local') &&
      variants.includes('nats-1')
    ) {
      const ratio = roundRatio(byVariant, 'nats-1');
      const met = ratio >= NATS_1_TARGET;
      verdict = `nats-1 ≥ ${NATS_1_TARGET} × local ${met ? 'met' : 'MISSED'}`;
      if (!met) missed.push(`${row.label}: ${verdict} (${formatRatio(ratio, 1)})`);
    }
    printNote(
      [
        row.label.padEnd(30),
        ...variants.map((v) => (medians.get(v)?.cell ?? '-').padStart(9)),
        ...ratios.map((r) => formatRatio(r, 1).padStart(13)),
        `  ${verdict}`,
      ].join(' '),
    );
    for (const [variant, m] of medians) {
      for (const d of m.defects) defects.push(`${variant}, ${row.label}: ${d}`);
    }
  }
  printNote(
    'ratios: median over rounds of variant / local in the same round (msg/s: higher is better; bytes: lower is)',
  );
  printSection('targets missed');
  printNote(missed.length === 0 ? 'none' : missed.join('\n   '));
  printSection('losses, duplicates, refusals, disconnects, crashes');
  printNote(defects.length === 0 ? 'none' : [...new Set(defects)].join('\n   '));
  return defects.length === 0;
}

async function main(bench: BenchMesh): Promise<boolean> {
  const tmp = mkdtempSync(join(tmpdir(), 'octomesh-bench-fabric-'));
  const removeTmp = (): void => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  let generators: Generator[] = [];
  const killGenerators = (): void => {
    for (const g of generators) g.child.kill('SIGKILL');
  };
  process.once('exit', killGenerators);
  try {
    printSection('set-up');
    printNote(`settings: ${describeOptions(o)}`);
    const helpers = await startOctomeshHelpers(bench, deviceAccounts);
    printNote(
      `mesh: nats-server, auth, acl; ${helpers.accounts} accounts in KV; brokers start per variant (${o.BENCH_FABRIC_VARIANTS.join(', ')})`,
    );
    generators = await startGenerators(o.BENCH_FABRIC_GENERATORS);
    const ctx: ScenarioContext = {
      settings: idleSettings,
      flowGenerators: generators,
      generators,
    };
    for (const shape of Object.values(FabricShapes)) {
      if (o.BENCH_FABRIC_SCENARIOS.includes(shape))
        printNote(`${shape}: ${describeShape(shape, settings)}`);
    }
    printNote(
      `MQTT ${o.BENCH_FABRIC_VERSION}, ${settings.payloadBytes} B payload, window ${settings.window}, ${o.BENCH_FABRIC_SECONDS} s measured after ${settings.warmupMs} ms warm-up`,
    );

    const variants = o.BENCH_FABRIC_VARIANTS;
    const results = new Map<FabricScenario, Map<VariantName, Measurement[]>>();
    const started = performance.now();
    for (let round = 1; round <= o.BENCH_FABRIC_ROUNDS; round++) {
      printSection(`round ${round}`);
      // Rotate who goes first, so no variant always runs on a warmer or busier machine.
      const order = variants.map((_, i) => variants[(i + round - 1) % variants.length]!);
      for (const name of order) {
        bench.signal.throwIfAborted();
        const profileDir =
          round === 1 && o.BENCH_FABRIC_CPU_PROF.includes(name)
            ? join(tmp, `profile-${name}`)
            : undefined;
        const measured = await measureVariant(bench, helpers, ctx, name, round === 1, profileDir);
        for (const [scenario, m] of measured) {
          const byVariant = results.get(scenario) ?? new Map<VariantName, Measurement[]>();
          byVariant.set(name, [...(byVariant.get(name) ?? []), m]);
          results.set(scenario, byVariant);
        }
      }
    }
    printNote(`${((performance.now() - started) / 1000).toFixed(0)} s of measuring`);
    const ordered = FABRIC_SCENARIOS.filter((s) => results.has(s));
    const ok = printFabricSummary(
      new Map(ordered.map((s) => [s, results.get(s)!] as const)),
      variants,
    );
    printSection('service logs');
    const problems = bench.serviceProblems();
    printNote(problems.length === 0 ? 'no warnings or errors logged' : problems.join('\n   '));
    return ok;
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    removeTmp();
  }
}

await runBench('fabric', o.BENCH_LOG_LEVEL, main);
