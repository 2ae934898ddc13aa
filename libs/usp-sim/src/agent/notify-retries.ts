// Notify requests sent with send_resp=true are resent until a NotifyResp arrives, a bounded
// number of times, with the TR-369 back-off: attempt n waits a random time between
// m·k^(n-1) and m·k^n (m minimum wait, k multiplier) [R-NOT.1]. A resend is the same Record,
// so the msg_id is the same and a controller can recognise the duplicate [R-MSG.4].

/** Retry settings; TR-369 defaults are 5 s and 2 (the data model's 2000 per mille). */
export interface NotifyRetryOptions {
  /** Resends after the first send; 0 turns retries off. Default 3. */
  attempts?: number;
  /** m, milliseconds. Default 5000. */
  minWaitMs?: number;
  /** k. Default 2. */
  multiplier?: number;
}

interface Pending {
  readonly resend: () => void;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
}

/** The Notify requests still waiting for an answer. */
export class PendingNotifies {
  readonly #attempts: number;
  readonly #minWaitMs: number;
  readonly #multiplier: number;
  readonly #onGiveUp: (msgId: string) => void;
  readonly #pending = new Map<string, Pending>();

  constructor(options: NotifyRetryOptions, onGiveUp: (msgId: string) => void) {
    this.#attempts = options.attempts ?? 3;
    this.#minWaitMs = options.minWaitMs ?? 5_000;
    this.#multiplier = options.multiplier ?? 2;
    this.#onGiveUp = onGiveUp;
  }

  /** Notifies waiting for an answer. */
  get size(): number {
    return this.#pending.size;
  }

  /** Starts the retry schedule of a Notify just sent; `resend` sends it again. */
  track(msgId: string, resend: () => void): void {
    const pending: Pending = { resend, attempt: 0, timer: undefined };
    this.#pending.set(msgId, pending);
    this.#schedule(msgId, pending);
  }

  /** A NotifyResp (or Error) for `msgId` arrived; true when it was waiting. */
  answered(msgId: string): boolean {
    const pending = this.#pending.get(msgId);
    if (pending === undefined) return false;
    clearTimeout(pending.timer);
    this.#pending.delete(msgId);
    return true;
  }

  /** Stops every retry. */
  clear(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #schedule(msgId: string, pending: Pending): void {
    const low = this.#minWaitMs * this.#multiplier ** pending.attempt;
    const high = low * this.#multiplier;
    pending.timer = setTimeout(
      () => {
        // The last resend also gets its wait before the Notify is given up.
        if (pending.attempt >= this.#attempts) {
          this.#pending.delete(msgId);
          this.#onGiveUp(msgId);
          return;
        }
        pending.attempt++;
        pending.resend();
        this.#schedule(msgId, pending);
      },
      low + Math.random() * (high - low),
    );
    pending.timer.unref();
  }
}
