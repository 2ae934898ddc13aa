// The scenarios, each run against one broker at a time: build the jobs, hand them to the
// generators, sample the broker process while they run, and turn the answers into figures.
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../support/stats.ts';
import { devicePattern, roleClient } from './accounts.ts';
import type { BrokerUnderTest } from './brokers.ts';
import type { Generator } from './generator-pool.ts';
import type {
  ConnectResult,
  FlowJob,
  FlowResult,
  FlowUnit,
  MqttVersion,
  ReasonCounts,
} from './jobs.ts';
import { accountIdentity } from './jobs.ts';
import {
  formatCount,
  formatMb,
  formatMs,
  formatReasons,
  formatShare,
  notApplicable,
  type Measurement,
} from './measurement.ts';
import { CpuMeter, rssBytes } from './process-stats.ts';

/** Settings every scenario reads. */
export interface ScenarioSettings {
  readonly pairs: number;
  readonly windowMs: number;
  readonly warmupMs: number;
  readonly payloadBytes: number;
  readonly window: number;
  readonly fanIn: number;
  readonly fanOut: number;
  readonly latencyRate: number;
  readonly latencyMs: number;
  readonly connects: number;
  readonly connectConcurrency: number;
  readonly idle: number;
  readonly idleSubscribe: boolean;
  readonly idleSettleMs: number;
  readonly floodMs: number;
  readonly floodPublishers: number;
  readonly floodPayloadBytes: number;
  readonly floodReadBytesPerSecond: number;
  readonly floodRssLimitBytes: number;
  /** How long after the flood a broker may take to serve again. */
  readonly floodRecoveryMs: number;
  /** Device accounts that exist (connect and idle clients cycle through them). */
  readonly deviceAccounts: number;
}

/** What scenarios run on. */
export interface ScenarioContext {
  readonly settings: ScenarioSettings;
  /** Generators that carry message flows. */
  readonly flowGenerators: readonly Generator[];
  /** Every generator (connection scenarios spread over all of them). */
  readonly generators: readonly Generator[];
}

const DRAIN_TIMEOUT_MS = 10_000;
const GENERATOR_SATURATED = 0.9;
const SAMPLE_INTERVAL_MS = 250;

// Splits `total` into `parts` near-equal shares.
function shares(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

function mergeReasons(into: ReasonCounts, from: Readonly<ReasonCounts>): void {
  for (const [reason, n] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + n;
}

function versionName(version: MqttVersion): string {
  return version === 5 ? '5' : '3.1.1';
}

// CPU meters on the broker process and its helpers, started now.
function processMeters(broker: BrokerUnderTest): [string, CpuMeter][] {
  const meters: [string, CpuMeter][] = [
    ['broker', new CpuMeter(broker.pid)],
    ...Object.entries(broker.helpers).map(([name, pid]): [string, CpuMeter] => [
      name,
      new CpuMeter(pid),
    ]),
  ];
  for (const [, meter] of meters) meter.start();
  return meters;
}

function readMeters(meters: readonly [string, CpuMeter][]): string {
  return meters.map(([name, meter]) => `${name} ${formatShare(meter.stop())}`).join(', ');
}

/** Runs a flow job split over the flow generators; broker CPU is sampled over the window. */
async function runFlow(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
  job: FlowJob,
  whileRunning?: (generators: readonly Generator[]) => Promise<void>,
): Promise<{ result: FlowResult; brokerCpu: number }> {
  const generators = ctx.flowGenerators.slice(
    0,
    Math.max(1, Math.min(ctx.flowGenerators.length, job.units.length)),
  );
  const unitsOf = generators.map((_, g) => job.units.filter((_, u) => u % generators.length === g));
  await Promise.all(generators.map((gen, g) => gen.prepare({ ...job, units: unitsOf[g]! })));
  const meter = new CpuMeter(broker.pid);
  let brokerCpu = Number.NaN;
  const runs = generators.map((gen, g) =>
    gen.start(
      g === 0
        ? (name) => {
            if (name === 'window-start') meter.start();
            else brokerCpu = meter.stop();
          }
        : undefined,
    ),
  );
  const watching = whileRunning?.(generators);
  const results = await Promise.all(runs);
  await watching;
  return { result: mergeFlowResults(results), brokerCpu };
}

function mergeFlowResults(results: readonly FlowResult[]): FlowResult {
  const problems: ReasonCounts = {};
  for (const r of results) mergeReasons(problems, r.problems);
  const sum = (pick: (r: FlowResult) => number) => results.reduce((s, r) => s + pick(r), 0);
  // Generators run their windows at the same time: rates add up.
  const windowRate = sum((r) => (r.windowMs > 0 ? r.windowDelivered / r.windowMs : 0));
  const windowMs = Math.max(...results.map((r) => r.windowMs));
  return {
    sent: sum((r) => r.sent),
    acked: sum((r) => r.acked),
    expected: sum((r) => r.expected),
    delivered: sum((r) => r.delivered),
    windowDelivered: windowRate * windowMs,
    windowSent: sum((r) => r.windowSent),
    windowMs,
    duplicates: sum((r) => r.duplicates),
    gaps: sum((r) => r.gaps),
    latenciesMs: results.flatMap((r) => r.latenciesMs),
    maxSendLagMs: Math.max(...results.map((r) => r.maxSendLagMs)),
    generatorCpu: Math.max(...results.map((r) => r.generatorCpu)),
    subscriberBytes: sum((r) => r.subscriberBytes),
    problems,
    stoppedEarly: results.some((r) => r.stoppedEarly),
  };
}

// What a flow's answer says about losses, duplicates and disconnects.
function flowDefects(result: FlowResult, qos: 0 | 1): string[] {
  const defects: string[] = [];
  if (qos === 1 && result.delivered < result.expected) {
    const lost = result.expected - result.delivered;
    defects.push(
      `LOSS: ${formatCount(lost)} of ${formatCount(result.expected)} acknowledged QoS 1 copies never arrived (${formatShare(lost / result.expected)})`,
    );
  }
  if (result.duplicates > 0) defects.push(`${formatCount(result.duplicates)} duplicates`);
  if (Object.keys(result.problems).length > 0) defects.push(formatReasons(result.problems));
  return defects;
}

function flowUnitsForPairs(
  broker: BrokerUnderTest,
  settings: ScenarioSettings,
  label: string,
): FlowUnit[] {
  const credentials = broker.openNeedsCredentials;
  const devices = devicePattern(settings.deviceAccounts, credentials);
  // The USP shape: a controller writes to each agent's own topic, the agent reads it.
  return Array.from({ length: settings.pairs }, (_, i) => {
    const device = accountIdentity(devices, `bench-${label}-sub-`, i);
    return {
      subscribers: [{ client: device, filter: device.topic }],
      publishers: [
        {
          client: roleClient('controller', `bench-${label}-pub-${i}`, credentials),
          topic: device.topic,
        },
      ],
    };
  });
}

function fanUnit(
  broker: BrokerUnderTest,
  topic: string,
  publishers: number,
  subscribers: number,
  label: string,
): FlowUnit {
  const credentials = broker.openNeedsCredentials;
  return {
    publishers: Array.from({ length: publishers }, (_, k) => ({
      client: roleClient('admin', `bench-${label}-pub-${k}`, credentials),
      topic,
    })),
    subscribers: Array.from({ length: subscribers }, (_, k) => ({
      client: roleClient('admin', `bench-${label}-sub-${k}`, credentials),
      filter: topic,
    })),
  };
}

/** The message shapes measured for throughput. */
export const FlowShapes = { pairs: 'pairs', fanIn: 'fan-in', fanOut: 'fan-out' } as const;
/** One of {@link FlowShapes}. */
export type FlowShape = (typeof FlowShapes)[keyof typeof FlowShapes];

/** Messages per second delivered over the window, with loss accounting. */
export async function measureThroughput(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
  shape: FlowShape,
  version: MqttVersion,
  qos: 0 | 1,
): Promise<Measurement> {
  if (!broker.versions.includes(version)) return notApplicable(`no MQTT ${versionName(version)}`);
  const s = ctx.settings;
  const label = `${shape}-q${qos}-v${version}`;
  const units =
    shape === 'pairs'
      ? flowUnitsForPairs(broker, s, label)
      : shape === 'fan-in'
        ? [fanUnit(broker, 'bench/fan-in', s.fanIn, 1, label)]
        : [fanUnit(broker, 'bench/fan-out', 1, s.fanOut, label)];
  const { result, brokerCpu } = await runFlow(ctx, broker, {
    kind: 'flow',
    endpoint: broker.open,
    version,
    qos,
    payloadBytes: s.payloadBytes,
    window: s.window,
    units,
    mode: { type: 'throughput', warmupMs: s.warmupMs, windowMs: s.windowMs },
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    subscriberBytesPerSecond: 0,
  });
  const rate = result.windowMs > 0 ? (result.windowDelivered * 1000) / result.windowMs : 0;
  const sentRate = result.windowMs > 0 ? (result.windowSent * 1000) / result.windowMs : 0;
  const defects = flowDefects(result, qos);
  const accounting =
    qos === 1
      ? `delivered ${formatCount(result.delivered)} of ${formatCount(result.expected)} acknowledged copies`
      : `delivered ${formatCount(result.delivered)} of ${formatCount(result.expected)} sent copies` +
        (result.expected > 0 && result.delivered < result.expected
          ? ` (${formatShare(1 - result.delivered / result.expected)} dropped, QoS 0)`
          : '');
  const notes = [
    `${formatCount(rate)} msg/s delivered (${formatCount(sentRate)} PUBLISH/s sent)`,
    `broker CPU ${formatShare(brokerCpu)}, generator CPU ${formatShare(result.generatorCpu)}`,
    accounting,
  ];
  if (result.generatorCpu > GENERATOR_SATURATED) notes.push('generator saturated: a lower bound');
  return {
    value: rate,
    cell: formatCount(rate),
    detail: [...notes, ...defects].join('; '),
    defects,
  };
}

/** p50 and p99 from scheduled send to delivery at a fixed total rate over the pairs. */
export async function measureLatency(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
  version: MqttVersion,
): Promise<{ p50: Measurement; p99: Measurement }> {
  if (!broker.versions.includes(version)) {
    const na = notApplicable(`no MQTT ${versionName(version)}`);
    return { p50: na, p99: na };
  }
  const s = ctx.settings;
  const qos = 1;
  const { result, brokerCpu } = await runFlow(ctx, broker, {
    kind: 'flow',
    endpoint: broker.open,
    version,
    qos,
    payloadBytes: s.payloadBytes,
    window: s.window,
    units: flowUnitsForPairs(broker, s, `latency-v${version}`),
    mode: { type: 'latency', ratePerSecond: s.latencyRate, durationMs: s.latencyMs },
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    subscriberBytesPerSecond: 0,
  });
  const sorted = Float64Array.from(result.latenciesMs).sort();
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const defects = flowDefects(result, qos);
  const detail = [
    `p50 ${formatMs(p50)} ms, p99 ${formatMs(p99)} ms, max ${formatMs(percentile(sorted, 100))} ms over ${formatCount(sorted.length)} deliveries`,
    `broker CPU ${formatShare(brokerCpu)}`,
    ...(result.maxSendLagMs > 5
      ? [
          `sender fell behind schedule by up to ${formatMs(result.maxSendLagMs)} ms (charged to latency)`,
        ]
      : []),
    ...defects,
  ].join('; ');
  return {
    p50: { value: p50, cell: formatMs(p50), detail, defects },
    p99: { value: p99, cell: formatMs(p99), detail: '', defects: [] },
  };
}

/** Connect + subscribe with a password, closed loop; the first pass fills auth caches. */
export async function measureConnects(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
  version: MqttVersion,
  warmUp: boolean,
): Promise<Measurement> {
  if (!broker.versions.includes(version)) return notApplicable(`no MQTT ${versionName(version)}`);
  const s = ctx.settings;
  const gens = ctx.generators;
  const counts = shares(s.connects, gens.length);
  const concurrency = shares(s.connectConcurrency, gens.length);
  let first = 0;
  const meters = processMeters(broker);
  const results: ConnectResult[] = await Promise.all(
    gens.map((gen, g) => {
      const job = {
        kind: 'connect' as const,
        endpoint: broker.auth,
        version,
        accounts: devicePattern(Math.min(s.connects, s.deviceAccounts), true),
        clientIdPrefix: `bench-connect-v${version}-`,
        first,
        count: counts[g]!,
        concurrency: Math.max(1, concurrency[g]!),
      };
      first += counts[g]!;
      return gen.connect(job);
    }),
  );
  const cpu = readMeters(meters);
  const failures: ReasonCounts = {};
  for (const r of results) mergeReasons(failures, r.failures);
  const completed = results.reduce((sum, r) => sum + r.completed, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  const sorted = Float64Array.from(results.flatMap((r) => r.latenciesMs)).sort();
  const connacks = Float64Array.from(results.flatMap((r) => r.connackMs)).sort();
  const rate = seconds > 0 ? completed / seconds : 0;
  const defects =
    Object.keys(failures).length > 0 ? [`refused or failed: ${formatReasons(failures)}`] : [];
  const detail = [
    `${warmUp ? 'warm-up pass: ' : 'measured: '}${formatCount(rate)} connect+subscribe/s`,
    `${formatCount(completed)} of ${formatCount(s.connects)} in ${seconds.toFixed(2)} s, ${s.connectConcurrency} in flight`,
    `to SUBACK p50 ${formatMs(percentile(sorted, 50))} ms, p99 ${formatMs(percentile(sorted, 99))} ms (to CONNACK p50 ${formatMs(percentile(connacks, 50))} ms)`,
    `CPU ${cpu}`,
    ...defects,
  ].join('; ');
  return { value: rate, cell: formatCount(rate), detail, defects };
}

/** RSS growth of the broker process per idle connection. */
export async function measureIdleMemory(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
): Promise<Measurement> {
  const s = ctx.settings;
  const gens = ctx.generators;
  const before = rssBytes(broker.pid);
  const counts = shares(s.idle, gens.length);
  let first = 0;
  const accounts = devicePattern(s.deviceAccounts, broker.openNeedsCredentials);
  const opened = await Promise.all(
    gens.map((gen, g) => {
      const job = {
        kind: 'idle-open' as const,
        endpoint: broker.open,
        version: 4 as const,
        accounts,
        clientIdPrefix: 'bench-idle-',
        first,
        count: counts[g]!,
        concurrency: 100,
        keepAliveSeconds: 120,
        subscribe: s.idleSubscribe,
      };
      first += counts[g]!;
      return gen.openIdle(job);
    }),
  );
  // Let the broker finish what the connects started (auth answers, buffers, a GC or two).
  await sleep(s.idleSettleMs);
  const after = rssBytes(broker.pid);
  const closed = await Promise.all(gens.map((gen) => gen.closeIdle()));
  const open = opened.reduce((sum, r) => sum + r.opened, 0);
  const seconds = Math.max(...opened.map((r) => r.seconds));
  const failures: ReasonCounts = {};
  for (const r of opened) mergeReasons(failures, r.failures);
  const droppedByBroker = closed.reduce((sum, r) => sum + r.closedByBroker, 0);
  const perConnection =
    before !== undefined && after !== undefined && open > 0 ? (after - before) / open : Number.NaN;
  const defects: string[] = [];
  if (Object.keys(failures).length > 0) defects.push(`connects failed: ${formatReasons(failures)}`);
  if (droppedByBroker > 0)
    defects.push(`${formatCount(droppedByBroker)} idle connections dropped by the broker`);
  const detail = [
    `${formatCount(perConnection)} bytes per connection`,
    `RSS ${formatMb(before)} → ${formatMb(after)} with ${formatCount(open)} of ${formatCount(s.idle)} connections open (${formatCount(open / seconds)}/s opened)`,
    ...defects,
  ].join('; ');
  return { value: perConnection, cell: formatCount(perConnection), detail, defects };
}

/** Outcome of the flood: did the broker survive, and what did its memory do. */
export interface FloodOutcome {
  /** 1 when the process is still running. */
  readonly alive: Measurement;
  /** Seconds after the flood until a new client could connect and get a message through. */
  readonly recovery: Measurement;
  readonly peakRss: Measurement;
}

/** QoS 0 publishers as fast as TCP allows, one subscriber reading slowly, for a bounded time. */
export async function measureFlood(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
): Promise<FloodOutcome> {
  const s = ctx.settings;
  const before = rssBytes(broker.pid);
  let peak = before ?? 0;
  let guardHit: string | undefined;
  let diedAt: number | undefined;
  const started = performance.now();
  const { result } = await runFlow(
    ctx,
    broker,
    {
      kind: 'flow',
      endpoint: broker.open,
      version: 4,
      qos: 0,
      payloadBytes: s.floodPayloadBytes,
      // Unbounded: the publishers do not wait for the slow subscriber.
      window: 0,
      units: [fanUnit(broker, 'bench/flood', s.floodPublishers, 1, 'flood')],
      mode: { type: 'throughput', warmupMs: 0, windowMs: s.floodMs },
      drainTimeoutMs: 500,
      subscriberBytesPerSecond: s.floodReadBytesPerSecond,
    },
    async (generators) => {
      // Sample memory while the flood runs; stop it early if the machine itself is at risk.
      const until = performance.now() + s.floodMs;
      while (performance.now() < until) {
        const rss = rssBytes(broker.pid);
        if (rss === undefined || broker.exited() !== undefined) {
          diedAt ??= (performance.now() - started) / 1000;
          break;
        }
        peak = Math.max(peak, rss);
        if (rss > s.floodRssLimitBytes) {
          guardHit = `stopped after ${((performance.now() - started) / 1000).toFixed(1)} s: RSS passed the bench's ${formatMb(s.floodRssLimitBytes)} guard`;
          await Promise.all(generators.map((g) => g.stopPublishing()));
          break;
        }
        await sleep(SAMPLE_INTERVAL_MS);
      }
    },
  );
  // Give a live broker a moment to free what the closed subscriber held.
  await sleep(2000);
  const afterRss = rssBytes(broker.pid);
  // Then it must serve again: one QoS 1 message through a fresh pair, retried for a while.
  const probeStarted = performance.now();
  let probe = broker.exited() === undefined ? await probeDelivery(ctx, broker) : 'process gone';
  const firstFailure = probe;
  let probes = 1;
  while (
    probe !== undefined &&
    broker.exited() === undefined &&
    performance.now() - probeStarted < s.floodRecoveryMs
  ) {
    await sleep(1000);
    probe = await probeDelivery(ctx, broker);
    probes++;
  }
  // Seconds from the end of the flood until a probe got through (2 s of settling included).
  const recoveredAfter = (performance.now() - probeStarted) / 1000 + 2;
  const exited = broker.exited();
  const alive = exited === undefined;
  const serving = alive && probe === undefined;
  const sentRate = result.windowMs > 0 ? (result.windowSent * 1000) / result.windowMs : 0;
  const defects: string[] = [];
  if (!alive)
    defects.push(`broker DIED during the flood (${exited}, after ~${(diedAt ?? 0).toFixed(1)} s)`);
  else if (!serving)
    defects.push(
      `broker alive but not serving ${recoveredAfter.toFixed(0)} s after the flood (${probes} probes): ${probe}`,
    );
  else if (probes > 1)
    defects.push(
      `not serving for ~${recoveredAfter.toFixed(0)} s after the flood (${probes - 1} failed probes, e.g. ${firstFailure})`,
    );
  const detail = [
    !alive
      ? 'process DIED'
      : serving
        ? `survived, served again ${probes > 1 ? `only after ~${recoveredAfter.toFixed(0)} s` : 'at once'}`
        : 'alive but NOT serving',
    `RSS ${formatMb(before)} → peak ${formatMb(peak)} → ${formatMb(afterRss)} 2 s after`,
    `${formatCount(sentRate)} PUBLISH/s of ${s.floodPayloadBytes} B written by ${s.floodPublishers} publishers for ${(result.windowMs / 1000).toFixed(1)} s`,
    `slow subscriber read ${formatMb(result.subscriberBytes)} (${formatCount(result.delivered)} messages)`,
    ...(guardHit !== undefined ? [guardHit] : []),
    ...(Object.keys(result.problems).length > 0 ? [formatReasons(result.problems)] : []),
    ...defects,
  ].join('; ');
  const recovery = !serving ? Number.NaN : probes > 1 ? recoveredAfter : 0;
  return {
    alive: { value: alive ? 1 : 0, cell: alive ? 'yes' : 'DIED', detail, defects },
    recovery: {
      value: recovery,
      cell: !alive ? 'n/a' : serving ? recovery.toFixed(0) : `> ${recoveredAfter.toFixed(0)}`,
      detail: '',
      defects: [],
    },
    peakRss: { value: peak, cell: formatMb(peak), detail: '', defects: [] },
  };
}

// One QoS 1 message through a fresh pair: undefined when it arrived, else what went wrong.
async function probeDelivery(
  ctx: ScenarioContext,
  broker: BrokerUnderTest,
): Promise<string | undefined> {
  try {
    const { result } = await runFlow(
      { ...ctx, flowGenerators: ctx.flowGenerators.slice(0, 1) },
      broker,
      {
        kind: 'flow',
        endpoint: broker.open,
        version: 4,
        qos: 1,
        payloadBytes: 64,
        window: 1,
        units: [fanUnit(broker, 'bench/probe', 1, 1, 'probe')],
        mode: { type: 'latency', ratePerSecond: 10, durationMs: 500 },
        drainTimeoutMs: 5000,
        subscriberBytesPerSecond: 0,
      },
    );
    return result.delivered >= result.sent && result.sent > 0
      ? undefined
      : `${result.delivered} of ${result.sent} probe messages delivered`;
  } catch (error) {
    return (error as Error).message;
  }
}
