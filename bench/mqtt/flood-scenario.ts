// The QoS 0 flood: publishers as fast as TCP allows and one slow subscriber, for a bounded
// time; then whether the broker process lives and how soon it serves a new client again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerUnderTest } from './brokers.ts';
import { fanUnit, runFlow } from './flow-scenarios.ts';
import { formatCount, formatMb, formatReasons, type Measurement } from './measurement.ts';
import { rssBytes } from './process-stats.ts';
import type { ScenarioContext } from './scenario-context.ts';

const SAMPLE_INTERVAL_MS = 250;

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
