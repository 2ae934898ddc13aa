// What every scenario runs on: its settings, the generators, and small helpers for splitting
// work over generators and reading CPU use of the broker's processes.
import type { BrokerUnderTest } from './brokers.ts';
import type { Generator } from './generator-pool.ts';
import type { MqttVersion, ReasonCounts } from './jobs.ts';
import { formatShare } from './measurement.ts';
import { CpuMeter } from './process-stats.ts';

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

/** Splits `total` into `parts` near-equal shares. */
export function shares(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

export function mergeReasons(into: ReasonCounts, from: Readonly<ReasonCounts>): void {
  for (const [reason, n] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + n;
}

/** "3.1.1" or "5". */
export function versionName(version: MqttVersion): string {
  return version === 5 ? '5' : '3.1.1';
}

/** CPU meters on the broker process and its helpers, started now. */
export function processMeters(broker: BrokerUnderTest): [string, CpuMeter][] {
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

/** "broker 98%, auth 20%": CPU share of each meter since it started. */
export function readMeters(meters: readonly [string, CpuMeter][]): string {
  return meters.map(([name, meter]) => `${name} ${formatShare(meter.stop())}`).join(', ');
}
