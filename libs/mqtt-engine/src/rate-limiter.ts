// Per-client publish rate: a token bucket. Past the rate the connection is not refused but
// slowed down: each PUBLISH waits for its token before it is handled, and the waiting packets
// pause the socket (backpressure), so a chatty client cannot starve others and nothing it sent
// is lost.

/** A token bucket refilled continuously at `ratePerSecond`, holding at most `burst` tokens. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, burst: number, now = Date.now()) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token; returns 0 when there was one, else the milliseconds until there is. */
  take(now = Date.now()): number {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
  }

  /**
   * Reserves one token even when none is left (the bucket goes into debt) and returns the
   * milliseconds until that token is due: callers that wait that long, one after another,
   * never exceed the rate.
   */
  reserve(now = Date.now()): number {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#rate) * 1000);
  }
}
