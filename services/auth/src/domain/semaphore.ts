// A counting semaphore with a FIFO queue: bounds how many expensive operations run at once.

/** Lets at most `limit` holders in at a time; others wait in arrival order. */
export class Semaphore {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`);
    this.#limit = limit;
  }

  /** Holders now plus those waiting. */
  get pending(): number {
    return this.#held + this.#waiting.length;
  }

  /** Resolves when a slot is free; call release() exactly once afterwards. */
  acquire(): Promise<void> {
    if (this.#held < this.#limit) {
      this.#held++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Frees a slot, handing it to the longest waiter if any. */
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#held--;
  }
}
