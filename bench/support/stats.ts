// Figures of one benchmark phase. Percentiles are nearest-rank over every sample (a phase
// keeps at most a few tens of thousands), so p99 is exact rather than read off a histogram.

/** What one phase measured. */
export interface PhaseResult {
  readonly label: string;
  /** Requests completed, failed ones included. */
  readonly requests: number;
  readonly failures: number;
  readonly seconds: number;
  /** Milliseconds per request, sorted ascending. */
  readonly latenciesMs: Float64Array;
  /** Failure reason → how often it happened. */
  readonly failureReasons: ReadonlyMap<string, number>;
  /** Decisions (or logins) each request stands for: 10 for a batch of ten checks, else 1. */
  readonly unitsPerRequest: number;
  /** Open loop only: how far the sender fell behind its schedule at worst. */
  readonly maxSendLagMs?: number;
}

/** Requests per second. */
export function requestRate(result: PhaseResult): number {
  return result.seconds > 0 ? result.requests / result.seconds : 0;
}

/** Decisions (or logins) per second: the request rate times the units per request. */
export function unitRate(result: PhaseResult): number {
  return requestRate(result) * result.unitsPerRequest;
}

/** Nearest-rank percentile (0 < p ≤ 100) of ascending samples; NaN when there are none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The middle value (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Collects latencies and failures while a phase runs. */
export class PhaseRecorder {
  readonly #label: string;
  readonly #latencies: Float64Array;
  readonly #reasons = new Map<string, number>();
  #count = 0;
  #failures = 0;

  constructor(label: string, capacity: number) {
    this.#label = label;
    this.#latencies = new Float64Array(capacity);
  }

  /** Records one finished request; `failure` is its reason when it failed. */
  record(latencyMs: number, failure: string | undefined): void {
    if (this.#count < this.#latencies.length) this.#latencies[this.#count] = latencyMs;
    this.#count++;
    if (failure !== undefined) {
      this.#failures++;
      this.#reasons.set(failure, (this.#reasons.get(failure) ?? 0) + 1);
    }
  }

  /** The phase's figures, given its wall time. */
  finish(seconds: number, unitsPerRequest: number, maxSendLagMs?: number): PhaseResult {
    const latenciesMs = this.#latencies
      .slice(0, Math.min(this.#count, this.#latencies.length))
      .sort();
    return {
      label: this.#label,
      requests: this.#count,
      failures: this.#failures,
      seconds,
      latenciesMs,
      failureReasons: this.#reasons,
      unitsPerRequest,
      ...(maxSendLagMs !== undefined ? { maxSendLagMs } : {}),
    };
  }
}
