// Where the QoS 1/2 messages of offline persistent sessions wait when several replicas share
// sessions: written as a session goes offline (its unacknowledged and queued deliveries) and
// while it stays offline, taken by whichever replica the client resumes on. Without such a store
// (one replica, MQTT_SESSION_STORE=memory) they wait in the memory of the replica holding the
// session. The broker's JetStream implementation is services/broker/src/nats-session-messages.ts.
import type { PendingDelivery } from './session.ts';

/** Keeps pending deliveries of offline sessions outside any one replica. */
export interface SessionMessageStore {
  /** Appends deliveries for a client id, in order; resolves once every one is stored. */
  append(clientId: string, pending: readonly PendingDelivery[]): Promise<void>;
  /** Everything stored for the client id, oldest first; it is removed from the store. */
  take(clientId: string): Promise<PendingDelivery[]>;
  /** Removes everything stored for the client id (its session ended). */
  drop(clientId: string): Promise<void>;
}

/**
 * Pending deliveries in this process's memory, at most `maxPerSession` per client id (the oldest
 * go first): engines of one process sharing sessions, and the engine's own tests.
 */
export class MemorySessionMessageStore implements SessionMessageStore {
  readonly #pending = new Map<string, PendingDelivery[]>();
  readonly #maxPerSession: number;

  constructor(maxPerSession = 1000) {
    this.#maxPerSession = maxPerSession;
  }

  /** Deliveries stored for the client id now. */
  count(clientId: string): number {
    return this.#pending.get(clientId)?.length ?? 0;
  }

  append(clientId: string, pending: readonly PendingDelivery[]): Promise<void> {
    const list = this.#pending.get(clientId) ?? [];
    list.push(...pending);
    if (list.length > this.#maxPerSession) list.splice(0, list.length - this.#maxPerSession);
    this.#pending.set(clientId, list);
    return Promise.resolve();
  }

  take(clientId: string): Promise<PendingDelivery[]> {
    const list = this.#pending.get(clientId) ?? [];
    this.#pending.delete(clientId);
    return Promise.resolve(list);
  }

  drop(clientId: string): Promise<void> {
    this.#pending.delete(clientId);
    return Promise.resolve();
  }
}
