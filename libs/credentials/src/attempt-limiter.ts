import { CredentialsError, CredentialsErrorCodes } from './credentials-error.ts';
import { requireNumberOption } from './options.ts';

/** Options of an {@link AttemptLimiter}. */
export interface AttemptLimiterOptions {
  /** Most keys tracked; the one least recently failed is dropped beyond it. */
  maxEntries: number;
  /** Failures allowed without delay (mistyped passwords, a device retrying once). */
  freeFailures: number;
  /** Lock after the first failure beyond the free ones; doubles with each further failure. */
  baseDelayMs: number;
  /** Longest lock. */
  maxDelayMs: number;
  /** A key is forgotten after this long without failures (and once any lock has run out). */
  windowMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** Result of {@link AttemptLimiter.check}: go ahead, or wait `retryAfterMs` because of `key`. */
export type AttemptDecision =
  { allowed: true } | { allowed: false; retryAfterMs: number; key: string };

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

const ALLOWED: AttemptDecision = Object.freeze({ allowed: true });
// 2^52 × any sane base delay already exceeds every maxDelayMs; capping also avoids 0 × Infinity.
const MAX_EXPONENT = 52;

/**
 * Slows password guessing with per-key exponential lockouts. The auth service passes several
 * keys per attempt (`user:<name>`, `addr:<ip>`) and decides which to reset on success.
 *
 * Failure number n (counting from 1 within the window) locks the key for
 * min(baseDelayMs · 2^(n − freeFailures − 1), maxDelayMs) when n > freeFailures.
 *
 * Memory is bounded by `maxEntries`: when full, the key that failed least recently is evicted.
 * An attacker sending failures under many distinct keys (usernames) can therefore evict the
 * lock on a victim's `user:` key; the `addr:` key bounds that, since every failure refreshes the
 * attacker's own address entry and keeps it the youngest. Attackers with many addresses
 * weaken it, so the service should key IPv6 clients by prefix, not by full address.
 */
export class AttemptLimiter {
  readonly #maxEntries: number;
  readonly #freeFailures: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  // Map iteration follows insertion order: re-inserting on failure keeps the stalest first.
  readonly #entries = new Map<string, Entry>();

  constructor(options: AttemptLimiterOptions) {
    requireNumberOption('maxEntries', options.maxEntries, 1);
    requireNumberOption('freeFailures', options.freeFailures, 0);
    requireNumberOption('baseDelayMs', options.baseDelayMs, 0, false);
    requireNumberOption('maxDelayMs', options.maxDelayMs, 0, false);
    requireNumberOption('windowMs', options.windowMs, 1, false);
    if (options.maxDelayMs < options.baseDelayMs) {
      throw new CredentialsError(
        CredentialsErrorCodes.OptionsInvalid,
        `maxDelayMs (${options.maxDelayMs}) must not be below baseDelayMs (${options.baseDelayMs})`,
      );
    }
    this.#maxEntries = options.maxEntries;
    this.#freeFailures = options.freeFailures;
    this.#baseDelayMs = options.baseDelayMs;
    this.#maxDelayMs = options.maxDelayMs;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  /** Keys tracked, including expired ones not yet dropped. */
  get size(): number {
    return this.#entries.size;
  }

  /** Says whether an attempt under these keys may proceed; when several are locked, reports the longest wait. */
  check(keys: readonly string[]): AttemptDecision {
    const now = this.#now();
    let decision = ALLOWED;
    for (const key of keys) {
      const entry = this.#live(key, now);
      if (entry === undefined || entry.lockedUntil <= now) continue;
      const retryAfterMs = entry.lockedUntil - now;
      if (decision.allowed || retryAfterMs > decision.retryAfterMs) {
        decision = { allowed: false, retryAfterMs, key };
      }
    }
    return decision;
  }

  /** Counts a failed attempt against every key, locking those past their free failures. */
  recordFailure(keys: readonly string[]): void {
    const now = this.#now();
    for (const key of keys) {
      const entry = this.#live(key, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
      entry.failures += 1;
      entry.lastFailureAt = now;
      const beyondFree = entry.failures - this.#freeFailures;
      if (beyondFree > 0) {
        const delay = this.#baseDelayMs * 2 ** Math.min(beyondFree - 1, MAX_EXPONENT);
        entry.lockedUntil = Math.max(entry.lockedUntil, now + Math.min(delay, this.#maxDelayMs));
      }
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    for (const [oldest] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets the failures of these keys (the service picks which, e.g. the user but not a shared address). */
  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.#entries.delete(key);
  }

  // The entry for key unless its window and lock have both run out; expired entries are dropped here.
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now - entry.lastFailureAt < this.#windowMs || entry.lockedUntil > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }
}
