// The run as a list of steps: each is a section of the report with its summary rows and a way
// to measure one broker. Steps run against every broker in turn, for one or more rounds.
import { printNote } from '../support/report.ts';
import type { BrokerUnderTest } from './brokers.ts';
import { measureConnects, measureIdleMemory } from './connection-scenarios.ts';
import { measureFlood } from './flood-scenario.ts';
import { measureLatency, measureThroughput } from './flow-scenarios.ts';
import { notApplicable, type Measurement } from './measurement.ts';
import { idleCount, options, scenarios, versions, type ScenarioName } from './options.ts';
import { versionName, type ScenarioContext } from './scenario-context.ts';
import type { MetricRow } from './summary.ts';

/** One step of the run: a section, its summary rows, and how to measure one broker. */
export interface Step {
  readonly scenario: ScenarioName;
  readonly title: string;
  readonly rows: readonly MetricRow[];
  /** Rounds to run (the summary keeps the median per row). */
  readonly rounds: number;
  /** One measurement per row, in row order. */
  readonly measure: (broker: BrokerUnderTest) => Promise<Measurement[]>;
}

/** Every selected step, in run order. */
export function buildSteps(ctx: ScenarioContext): Step[] {
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
      title: `connect+subscribe with auth, MQTT ${versionName(v)}: ${s.connects} clients, ${s.connectConcurrency} in flight, a warm-up pass then the measured pass`,
      rows: [
        {
          key: `connect-v${v}`,
          label: `connect+sub/s with auth ${versionName(v)}`,
          kind: 'rate',
          targets: ['2x-aedes'],
        },
      ],
      measure: async (broker) => {
        const warmUp = await measureConnects(ctx, broker, v, true);
        if (Number.isNaN(warmUp.value)) return [warmUp];
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
        title: `${name}, MQTT ${versionName(v)}: msg/s delivered over ${s.windowMs / 1000} s (after ${s.warmupMs} ms warm-up), ${s.payloadBytes} B payload${qos === 1 ? `, window ${s.window}` : ''}`,
        rows: [
          {
            key: `${shape}-q${qos}-v${v}`,
            label: `${name} ${versionName(v)} msg/s`,
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
      title: `latency at ${s.latencyRate} msg/s over the ${s.pairs} pairs, QoS 1, MQTT ${versionName(v)}, ${s.latencyMs / 1000} s open loop (from scheduled send time)`,
      rows: [
        {
          key: `latency-p50-v${v}`,
          label: `latency p50 ms ${versionName(v)}`,
          kind: 'latency',
          targets: [],
        },
        {
          key: `latency-p99-v${v}`,
          label: `latency p99 ms ${versionName(v)}`,
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

/** One broker, one round of a step: its measurements (n/a when the process is gone), printed. */
export async function measureOnce(step: Step, broker: BrokerUnderTest): Promise<Measurement[]> {
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

/** The round whose figure is the median (upper middle for an even count); defects of all rounds. */
export function medianMeasurement(perRound: readonly Measurement[]): Measurement {
  if (perRound.length === 1) return perRound[0]!;
  const sorted = [...perRound].sort((a, b) => (a.value || 0) - (b.value || 0));
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return { ...middle, defects: perRound.flatMap((m) => m.defects) };
}
