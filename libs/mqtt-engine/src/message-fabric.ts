// The message fabric carries every routed PUBLISH between broker replicas. The engine publishes
// each accepted message to the fabric and routes what the fabric hands back, so one replica
// and many behave the same. The local fabric hands messages straight back (one replica); the
// NATS fabric (`mqtt.msg.<topic levels>`) comes with the scale-out work.
import type { Message } from './types.ts';

/** Moves messages between replicas. */
export interface MessageFabric {
  /** Sends a message to every replica, this one included. */
  publish(message: Message): Promise<void>;
  /** Receives every message published on the fabric; returns an unsubscribe function. */
  subscribe(handler: (message: Message) => void): () => void;
  close(): Promise<void>;
}

/** The fabric of a single replica: publish hands the message to the local handlers. */
export class LocalFabric implements MessageFabric {
  readonly #handlers = new Set<(message: Message) => void>();
  #closed = false;

  publish(message: Message): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('fabric closed'));
    for (const handler of this.#handlers) handler(message);
    return Promise.resolve();
  }

  subscribe(handler: (message: Message) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    return Promise.resolve();
  }
}
