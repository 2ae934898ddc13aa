// Connection scenarios: the connect+subscribe rate with auth on, and the broker's memory per
// idle connection.
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../support/stats.ts';
import { devicePattern } from './accounts.ts';
import type { BrokerUnderTest } from './brokers.ts';
import type { ConnectResult, MqttVersion, ReasonCounts } from './jobs.ts';
import {
  formatCount,
  formatMb,
  formatMs,
  formatReasons,
  notApplicable,
  type Measurement,
} from './measurement.ts';
import { rssBytes } from './process-stats.ts';
import {
  mergeReasons,
  processMeters,
  readMeters,
  shares,
  versionName,
  type ScenarioContext,
} from './scenario-context.ts';

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
