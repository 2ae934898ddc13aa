// Where sessions outlive a broker process: what a session is (identity, expiry, subscriptions)
// is saved when its connection ends and loaded when a client resumes on a replica that does
// not hold it. The memory store serves one process; the broker's NATS KV store
// (services/broker/src/nats-session-store.ts) serves every replica. Queued QoS 1/2 messages of
// offline sessions are not stored: they stay in the memory of the replica that holds them.
import { OctomeshError, ReasonCodes } from '@octomesh/contracts';
import type { Subscription } from './subscription-index.ts';

/** A session as stored. */
export interface StoredSession {
  clientId: string;
  /** Identity subject that owns the client id. */
  identitySubject: string;
  expirySeconds: number;
  subscriptions: Subscription[];
  /** When its connection ended (ms since the epoch); expiry counts from here. */
  disconnectedAt: number;
  /**
   * Saved while a connection held it (a replica that dies leaves it so): it does not expire by
   * time until someone marks it disconnected (the NATS store's sweeper, once its owner is gone).
   */
  connected?: boolean;
}

/** Persists sessions between connections. */
export interface SessionStore {
  save(session: StoredSession): Promise<void>;
  /** The session, or undefined when there is none or it has expired (then it is removed). */
  load(clientId: string, now?: number): Promise<StoredSession | undefined>;
  delete(clientId: string): Promise<void>;
}

/** The store is full: the session cannot be kept (the client is told, nothing is evicted silently). */
export class SessionStoreFullError extends OctomeshError {
  constructor(limit: number) {
    super('SESSION_STORE_FULL', `session store holds its limit of ${limit} sessions`, {
      reasonCode: ReasonCodes.quotaExceeded,
    });
  }
}

/** True when a stored session's expiry has passed. */
export function sessionExpired(session: StoredSession, now: number): boolean {
  if (session.connected === true) return false;
  return session.disconnectedAt + session.expirySeconds * 1000 <= now;
}

/** Sessions in this process's memory, bounded. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, StoredSession>();
  readonly #maxSessions: number;

  constructor(maxSessions = 1_000_000) {
    this.#maxSessions = maxSessions;
  }

  get size(): number {
    return this.#sessions.size;
  }

  save(session: StoredSession): Promise<void> {
    if (!this.#sessions.has(session.clientId) && this.#sessions.size >= this.#maxSessions) {
      const now = Date.now();
      for (const [id, stored] of this.#sessions)
        if (sessionExpired(stored, now)) this.#sessions.delete(id);
      if (this.#sessions.size >= this.#maxSessions)
        return Promise.reject(new SessionStoreFullError(this.#maxSessions));
    }
    this.#sessions.set(session.clientId, structuredClone(session));
    return Promise.resolve();
  }

  load(clientId: string, now = Date.now()): Promise<StoredSession | undefined> {
    const stored = this.#sessions.get(clientId);
    if (stored === undefined) return Promise.resolve(undefined);
    if (sessionExpired(stored, now)) {
      this.#sessions.delete(clientId);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(structuredClone(stored));
  }

  delete(clientId: string): Promise<void> {
    this.#sessions.delete(clientId);
    return Promise.resolve();
  }
}
