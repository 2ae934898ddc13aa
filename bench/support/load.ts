// Load generators. Closed loop: a fixed number of requests in flight, as a broker's pool of
// CONNECTs waiting on auth. Open loop: requests leave at scheduled times whatever the answers
// do, and latency counts from the scheduled time, so a stall is charged to every request it
// delayed instead of hiding them (coordinated omission).
import { setTimeout as sleep } from 'node:timers/promises';
import { PhaseRecorder, type PhaseResult } from './stats.ts';

/** One request of a phase: resolves to undefined when it succeeded, else to why it failed. */
export type Operation = (index: number) => Promise<string | undefined>;

/** Settings of {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  readonly requests: number;
  readonly concurrency: number;
  /** Decisions (or logins) per request; 1 unless batched. */
  readonly unitsPerRequest?: number;
  /** Stops sending when aborted; the runner then throws the abort reason. */
  readonly signal?: AbortSignal;
}

/** Settings of {@link runOpenLoop}. */
export interface OpenLoopOptions {
  readonly ratePerSecond: number;
  readonly seconds: number;
  /** Requests allowed in flight before further ones are counted as failed instead of sent. */
  readonly maxOutstanding: number;
  readonly unitsPerRequest?: number;
  /** Stops sending when aborted; the runner then throws the abort reason. */
  readonly signal?: AbortSignal;
}

/** Runs `requests` operations with at most `concurrency` in flight. */
export async function runClosedLoop(
  label: string,
  options: ClosedLoopOptions,
  operation: Operation,
): Promise<PhaseResult> {
  const recorder = new PhaseRecorder(label, options.requests);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.requests && options.signal?.aborted !== true) {
      const index = next++;
      const started = performance.now();
      const failure = await attempt(operation, index);
      recorder.record(performance.now() - started, failure);
    }
  };
  const started = performance.now();
  const workers = Math.max(1, Math.min(options.concurrency, options.requests));
  await Promise.all(Array.from({ length: workers }, worker));
  options.signal?.throwIfAborted();
  return recorder.finish((performance.now() - started) / 1000, options.unitsPerRequest ?? 1);
}

/** Sends `ratePerSecond × seconds` operations at evenly scheduled times and waits for all answers. */
export async function runOpenLoop(
  label: string,
  options: OpenLoopOptions,
  operation: Operation,
): Promise<PhaseResult> {
  const total = Math.round(options.ratePerSecond * options.seconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const recorder = new PhaseRecorder(label, total);
  const pending = new Set<Promise<void>>();
  let maxSendLagMs = 0;
  const start = performance.now() + 5;
  for (let sent = 0; sent < total && options.signal?.aborted !== true;) {
    const now = performance.now();
    // Timers fire late by a millisecond or more, so each wake-up sends everything now due.
    for (; sent < total && start + sent * intervalMs <= now; sent++) {
      const scheduled = start + sent * intervalMs;
      maxSendLagMs = Math.max(maxSendLagMs, now - scheduled);
      if (pending.size >= options.maxOutstanding) {
        recorder.record(now - scheduled, 'not sent: too many requests outstanding');
        continue;
      }
      const request: Promise<void> = attempt(operation, sent).then((failure) => {
        recorder.record(performance.now() - scheduled, failure);
        pending.delete(request);
      });
      pending.add(request);
    }
    if (sent < total) await sleep(Math.max(0, start + sent * intervalMs - performance.now()));
  }
  await Promise.all(pending);
  options.signal?.throwIfAborted();
  return recorder.finish(
    (performance.now() - start) / 1000,
    options.unitsPerRequest ?? 1,
    maxSendLagMs,
  );
}

async function attempt(operation: Operation, index: number): Promise<string | undefined> {
  try {
    return await operation(index);
  } catch (error) {
    return describeError(error);
  }
}

/** A short, groupable reason for an error: its code and name, without per-request detail. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error thrown: ${typeof error}`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string'
    ? `${error.name} ${code}: ${error.message}`
    : `${error.name}: ${error.message}`;
}
