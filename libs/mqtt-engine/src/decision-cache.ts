// Per-session cache of ACL verdicts, so a steady stream of PUBLISHes costs no NATS round trip
// per message. Bounded, expires by the TTL the acl service gives, dropped whole when rules
// change (mesh.acl.v1.changed).

/** A cached verdict. */
interface Entry {
  allow: boolean;
  reasonCode: number;
  expiresAt: number;
}

/** Verdicts by action and topic for one session. */
export class DecisionCache {
  // Created with the first verdict: most idle sessions never hold one.
  #map: Map<string, Entry> | undefined;
  readonly #maxEntries: number;

  constructor(maxEntries = 256) {
    this.#maxEntries = maxEntries;
  }

  get #entries(): Map<string, Entry> {
    return (this.#map ??= new Map());
  }

  /** The cached verdict, if still valid. */
  get(action: string, topic: string, now = Date.now()): Entry | undefined {
    if (this.#map === undefined) return undefined;
    const key = `${action}\u0000${topic}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Remembers a verdict for `ttlMs` (0 = not cached). */
  set(
    action: string,
    topic: string,
    allow: boolean,
    reasonCode: number,
    ttlMs: number,
    now = Date.now(),
  ): void {
    if (ttlMs <= 0) return;
    const key = `${action}\u0000${topic}`;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { allow, reasonCode, expiresAt: now + ttlMs });
  }

  /** Forgets everything (rules changed). */
  clear(): void {
    this.#map = undefined;
  }
}
