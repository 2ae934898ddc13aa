// Runs the session store's sweeper on every replica (nats-session-store.ts): nats-server 2.9 has
// no per-message TTL, so expired sessions are removed by the brokers themselves. Every replica
// may run it: removals are conditional on the revision read, hence idempotent, and the jitter
// spreads the replicas' passes apart instead of having them all scan at once. A pass that did not
// reach the end of the bucket (bounded by `maxScanned`) is continued soon after.
import type { Logger } from '@octomesh/service-kit';
import type { SweepResult } from './nats-session-store.ts';

/** Options of {@link startSessionSweeper}. */
export interface SessionSweeperOptions {
  /** Mean time between complete passes, in ms. */
  intervalMs: number;
  /** Spread of each wait around the interval, as a fraction of it (default 0.5: ±50 %). */
  jitter?: number;
  /** Pause before continuing an unfinished pass, in ms (default 1000). */
  continueAfterMs?: number;
  /** Keys looked at per pass (default 10,000). */
  maxScanned?: number;
  logger: Logger;
}

/** A running sweeper. */
export interface SessionSweeper {
  /** Stops it; resolves once a pass under way has finished. */
  stop(): Promise<void>;
}

/** Sweeps `store` at jittered intervals, one pass at a time, until stopped. */
export function startSessionSweeper(
  store: { sweepExpired(now?: number, options?: { maxScanned?: number }): Promise<SweepResult> },
  options: SessionSweeperOptions,
): SessionSweeper {
  const jitter = options.jitter ?? 0.5;
  const continueAfterMs = options.continueAfterMs ?? 1000;
  const logger = options.logger.child({ component: 'session-sweeper' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
      });
    }, delayMs);
    timer.unref();
  };
  const nextWait = (): number =>
    Math.max(0, options.intervalMs * (1 + jitter * (2 * Math.random() - 1)));

  const pass = async (): Promise<void> => {
    let complete = true;
    try {
      const result = await store.sweepExpired(undefined, { maxScanned: options.maxScanned });
      complete = result.complete;
      const removed = result.expiredRemoved + result.discardedRemoved;
      if (removed > 0) logger.info({ ...result }, 'sessions swept');
      else logger.debug({ ...result }, 'sessions swept');
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'session sweep failed');
    }
    schedule(complete ? nextWait() : continueAfterMs);
  };

  schedule(nextWait());
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
