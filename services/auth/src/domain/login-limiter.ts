// Brute-force policy of the auth service (issue 9 §5). Failures count per (user, address) pair,
// so guessing a user's password from one address never locks that user out at another: the
// rightful device keeps logging in. A second, much softer limit per address (across all users)
// slows password spraying, counted per fixed window because carrier-grade NAT puts many
// devices, some with stale passwords, behind one address.
import { AttemptLimiter, FailureWindows } from '@octomesh/credentials';
import { addressKey } from './address-key.ts';

/** Options of a {@link LoginLimiter}. */
export interface LoginLimiterOptions {
  /** Failures of one user from one address allowed without delay. */
  pairFreeFailures: number;
  /** Failures from one address (all users together) allowed without delay per window. */
  addressFreeFailures: number;
  /** First lockout; doubles with each further failure. */
  baseDelayMs: number;
  /** Longest lockout. */
  maxDelayMs: number;
  /** Pairs: forgotten after this long without failures. Addresses: the counting window. */
  windowMs: number;
  /** Most pairs tracked, and separately most addresses (bounded memory, LRU). */
  maxEntries: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** Whom an attempt's failures count against: its (user, address) pair and its address. */
export interface LoginKeys {
  /** Absent without a username (a certificate or anonymous attempt). */
  readonly pair: string | undefined;
  /** Absent when the broker gave no source address. */
  readonly address: string | undefined;
}

/** Go ahead, or wait `retryAfterMs` because of too many failures of the pair or the address. */
export type LoginDecision =
  { allowed: true } | { allowed: false; retryAfterMs: number; scope: 'user-address' | 'address' };

const ALLOWED: LoginDecision = Object.freeze({ allowed: true });

/** The limiter keys of an attempt: `addr:<ip or /64>` and the pair of that with the username. */
export function loginKeys(username: string | undefined, sourceAddress: string): LoginKeys {
  const address = addressKey(sourceAddress);
  // JSON keeps the pair injective whatever bytes the username or a non-IP source holds.
  const pair =
    username === undefined || username === ''
      ? undefined
      : JSON.stringify([address ?? '', username]);
  return { pair, address };
}

/** Per-(user, address) lockouts plus softer per-address ones, each in its own bounded table. */
export class LoginLimiter {
  readonly #pairs: AttemptLimiter;
  readonly #addresses: AttemptLimiter;

  constructor(options: LoginLimiterOptions) {
    const shared = {
      maxEntries: options.maxEntries,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      windowMs: options.windowMs,
      ...(options.now === undefined ? {} : { now: options.now }),
    };
    // Separate tables: failures spread over many pairs cannot evict an address entry.
    this.#pairs = new AttemptLimiter({
      ...shared,
      freeFailures: options.pairFreeFailures,
      window: FailureWindows.quiet,
    });
    this.#addresses = new AttemptLimiter({
      ...shared,
      freeFailures: options.addressFreeFailures,
      window: FailureWindows.fixed,
    });
  }

  /** Pairs and addresses tracked, including expired ones not yet dropped. */
  get size(): { pairs: number; addresses: number } {
    return { pairs: this.#pairs.size, addresses: this.#addresses.size };
  }

  /** Says whether an attempt may proceed; when both are locked, reports the longer wait. */
  check(keys: LoginKeys): LoginDecision {
    const pair = keys.pair === undefined ? ALLOWED : this.#pairs.check([keys.pair]);
    const address = keys.address === undefined ? ALLOWED : this.#addresses.check([keys.address]);
    if (!address.allowed && (pair.allowed || address.retryAfterMs > pair.retryAfterMs)) {
      return { allowed: false, retryAfterMs: address.retryAfterMs, scope: 'address' };
    }
    if (!pair.allowed)
      return { allowed: false, retryAfterMs: pair.retryAfterMs, scope: 'user-address' };
    return ALLOWED;
  }

  /** Counts a bad user name or password against the pair and the address. */
  recordFailure(keys: LoginKeys): void {
    if (keys.pair !== undefined) this.#pairs.recordFailure([keys.pair]);
    if (keys.address !== undefined) this.#addresses.recordFailure([keys.address]);
  }

  /**
   * Forgets the pair's failures. The address keeps its count: one valid account must not let
   * an address shared with (or run by) a sprayer start afresh.
   */
  recordSuccess(keys: LoginKeys): void {
    if (keys.pair !== undefined) this.#pairs.recordSuccess([keys.pair]);
  }
}
