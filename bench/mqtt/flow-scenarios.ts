// Message scenarios: throughput of pairs, fan-in and fan-out, and latency at a fixed rate. A
// flow job is split over the flow generators; the broker's CPU is sampled over the window.
import { percentile } from '../support/stats.ts';
import { devicePattern, roleClient } from './accounts.ts';
import type { BrokerUnderTest } from './brokers.ts';
import type { Generator } from './generator-pool.ts';
import type { FlowJob, FlowResult, FlowUnit, MqttVersion, ReasonCounts } from './jobs.ts';
import { accountIdentity } from './jobs.ts';
import {
  formatCount,
  formatMs,
  formatReasons,
  formatShare,
  notApplicable,
  type Measurement,
} from './measurement.ts';
import { CpuMeter } from './process-stats.ts';
import {
  mergeReasons,
  versionName,
  type ScenarioContext,
  type ScenarioSettings,
} from './scenario-context.ts';

const DRAIN_TIMEOUT_MS = 10_000;
const GENERATOR_SATURATED = 0.9;

/** Runs a flow job split over the flow generators; broker CPU is sampled over the window. */
export async function runFlow(
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

/** Sums the results of generators that ran one flow side by side. */
export function mergeFlowResults(results: readonly FlowResult[]): FlowResult {
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

/** What a flow's answer says about losses, duplicates and disconnects. */
export function flowDefects(result: FlowResult, qos: 0 | 1): string[] {
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

export function fanUnit(
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
    return { p50: na, p99: { ...na, detail: '' } };
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
