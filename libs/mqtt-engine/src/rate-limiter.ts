// Per-client publish rate: a token bucket. Past the rate the connection is not refused but
// slowed down: its socket is paused until tokens come back (backpressure), so a chatty client
// cannot starve others and nothing it sent is lost.

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
}
