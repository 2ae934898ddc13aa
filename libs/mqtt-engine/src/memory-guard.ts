// The total memory guard: when the process's heap passes the limit, the engine sheds load
// instead of growing until the process dies — new CONNECTs are refused with 0x89 (Server busy)
// and QoS 0 deliveries are dropped (counted) until usage falls below the low watermark.
// Acknowledged QoS 1/2 messages are never dropped by the guard.

/** State of the guard. */
export class MemoryGuard {
  readonly #limitBytes: number;
  readonly #lowBytes: number;
  readonly #usage: () => number;
  #overloaded = false;
  /** Told when shedding starts or stops (the engine logs it). */
  onChange: ((overloaded: boolean, usedBytes: number, limitBytes: number) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `limitBytes` 0 disables the guard; `usage` defaults to the V8 heap plus external memory. */
  constructor(limitBytes: number, usage: () => number = defaultUsage) {
    this.#limitBytes = limitBytes;
    this.#lowBytes = limitBytes * 0.8;
    this.#usage = usage;
  }

  /** True while shedding load. */
  get overloaded(): boolean {
    return this.#overloaded;
  }

  /** Samples the usage now and updates the state (hysteresis between 80% and 100%). */
  sample(): boolean {
    if (this.#limitBytes === 0) return false;
    const used = this.#usage();
    const was = this.#overloaded;
    if (!this.#overloaded && used >= this.#limitBytes) this.#overloaded = true;
    else if (this.#overloaded && used < this.#lowBytes) this.#overloaded = false;
    if (was !== this.#overloaded) this.onChange?.(this.#overloaded, used, this.#limitBytes);
    return this.#overloaded;
  }

  /** Samples every `intervalMs` until stopped. */
  start(intervalMs = 500): void {
    if (this.#limitBytes === 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function defaultUsage(): number {
  const m = process.memoryUsage();
  // external already includes arrayBuffers: adding both counted every Buffer twice.
  return m.heapUsed + m.external;
}
