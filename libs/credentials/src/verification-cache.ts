import { Buffer } from 'node:buffer';
import { createHmac, randomBytes } from 'node:crypto';
import { requireNumberOption } from './options.ts';

/** Options of a {@link VerificationCache}. */
export interface VerificationCacheOptions {
  /** Most entries held; the least recently used is dropped beyond it. */
  maxEntries: number;
  /** How long a successful verification is trusted, counted from when it was remembered. */
  ttlMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

interface Entry {
  username: string;
  revision: number;
  expiresAt: number;
}

/**
 * In-memory cache of recent successful password verifications, so a reconnect storm costs one
 * scrypt per account rather than one per connection.
 *
 * Entries are keyed by HMAC-SHA256 under a random per-process key, never by the password, and
 * nothing leaves the process. A heap dump would expose key and MACs together and allow fast
 * guessing for cached accounts, which is why entries are few and short-lived. Each entry holds
 * the KV revision it was verified against, so any change to the record misses.
 */
export class VerificationCache {
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #macKey = randomBytes(32);
  // Map iteration follows insertion order: re-inserting on use keeps the oldest first.
  readonly #entries = new Map<string, Entry>();
  // username → its one cache key, so forget() works without the password. A record has one
  // password, so one entry per username suffices; it is as bounded as #entries.
  readonly #keyByUsername = new Map<string, string>();

  constructor(options: VerificationCacheOptions) {
    requireNumberOption('maxEntries', options.maxEntries, 1);
    requireNumberOption('ttlMs', options.ttlMs, 1, false);
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held, including expired ones not yet dropped. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when this exact username and password were verified against this record revision within the TTL. */
  has(username: string, password: string | Uint8Array, recordRevision: number): boolean {
    const key = this.#key(username, password);
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (entry.revision !== recordRevision || this.#now() >= entry.expiresAt) {
      this.#delete(key, entry);
      return false;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return true;
  }

  /** Records a successful verification; replaces any earlier entry for the username. */
  remember(username: string, password: string | Uint8Array, recordRevision: number): void {
    this.forget(username);
    const key = this.#key(username, password);
    this.#entries.set(key, {
      username,
      revision: recordRevision,
      expiresAt: this.#now() + this.#ttlMs,
    });
    this.#keyByUsername.set(username, key);
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#delete(oldestKey, oldest);
    }
  }

  /** Drops the username's entry, e.g. when its record is deleted or disabled. */
  forget(username: string): void {
    const key = this.#keyByUsername.get(username);
    if (key === undefined) return;
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#delete(key, entry);
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
    this.#keyByUsername.clear();
  }

  #delete(key: string, entry: Entry): void {
    this.#entries.delete(key);
    if (this.#keyByUsername.get(entry.username) === key) this.#keyByUsername.delete(entry.username);
  }

  #key(username: string, password: string | Uint8Array): string {
    // Length prefixes make (username, password) unambiguous: ("ab", "c") and ("a", "bc") differ.
    const user = Buffer.from(username, 'utf8');
    const pass = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(user.length, 0);
    lengths.writeUInt32BE(pass.length, 4);
    return createHmac('sha256', this.#macKey)
      .update(lengths.subarray(0, 4))
      .update(user)
      .update(lengths.subarray(4))
      .update(pass)
      .digest('base64');
  }
}
