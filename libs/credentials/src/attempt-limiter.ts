import { CredentialsError, CredentialsErrorCodes } from './credentials-error.ts';
import { requireNumberOption } from './options.ts';

/** How an {@link AttemptLimiter} forgets failures. */
export const FailureWindows = {
  /** All failures of a key are forgotten after `windowMs` without one: persistent guessing adds up. */
  quiet: 'quiet',
  /**
   * Failures count per window of `windowMs` from the first one: a steady trickle (many devices
   * behind one NAT, each failing now and then) never adds up, only a burst within one window.
   */
  fixed: 'fixed',
} as const;

/** One of the {@link FailureWindows} values. */
export type FailureWindow = (typeof FailureWindows)[keyof typeof FailureWindows];

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
  /** How `windowMs` applies (default `quiet`). */
  window?: FailureWindow;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** Result of {@link AttemptLimiter.check}: go ahead, or wait `retryAfterMs` because of `key`. */
export type AttemptDecision =
  { allowed: true } | { allowed: false; retryAfterMs: number; key: string };

interface Entry {
  failures: number;
  windowStartedAt: number;
  lastFailureAt: number;
  lockedUntil: number;
}

const ALLOWED: AttemptDecision = Object.freeze({ allowed: true });
// 2^52 × any sane base delay already exceeds every maxDelayMs; capping also avoids 0 × Infinity.
const MAX_EXPONENT = 52;

/**
 * Slows password guessing with per-key exponential lockouts. One limiter holds one kind of key
 * under one policy; the auth service keeps one for (user, address) pairs and a softer one for
 * addresses, and decides which to reset on success.
 *
 * Failure number n (counting from 1 within the window) locks the key for
 * min(baseDelayMs · 2^(n − freeFailures − 1), maxDelayMs) when n > freeFailures.
 *
 * Memory is bounded by `maxEntries`: when full, the key that failed least recently is evicted.
 * An attacker sending failures under many distinct keys can therefore evict an older lock; a
 * second limiter over a coarser key (the attacker's address) bounds that, since every failure
 * refreshes the attacker's own entry there and keeps it the youngest. Attackers with many
 * addresses weaken it, so the service keys IPv6 clients by prefix, not by full address.
 */
export class AttemptLimiter {
  readonly #maxEntries: number;
  readonly #freeFailures: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #windowMs: number;
  readonly #window: FailureWindow;
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
    this.#window = options.window ?? FailureWindows.quiet;
    if (!Object.values(FailureWindows).includes(this.#window)) {
      throw new CredentialsError(
        CredentialsErrorCodes.OptionsInvalid,
        `window must be one of ${Object.values(FailureWindows).join(', ')}, got ${String(this.#window)}`,
      );
    }
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
      const entry = this.#live(key, now) ?? {
        failures: 0,
        windowStartedAt: now,
        lastFailureAt: now,
        lockedUntil: 0,
      };
      // A fixed window that ran out while a lock kept the entry alive starts afresh (the lock stays).
      if (!this.#inWindow(entry, now)) {
        entry.failures = 0;
        entry.windowStartedAt = now;
      }
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
    if (this.#inWindow(entry, now) || entry.lockedUntil > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #inWindow(entry: Entry, now: number): boolean {
    const since =
      this.#window === FailureWindows.fixed ? entry.windowStartedAt : entry.lastFailureAt;
    return now - since < this.#windowMs;
  }
}
