// The message fabric carries every routed PUBLISH between broker replicas. The engine publishes
// each accepted message to the fabric and routes what the fabric hands back, so one replica
// and many behave the same. The local fabric hands messages straight back (one replica); the
// NATS fabric (services/broker) carries them on `mqtt.msg.<topic levels>` to the replicas
// whose clients subscribed, as the engine's interest tells it.
import { OctomeshError, ReasonCodes } from '@octomesh/contracts';
import type { Message } from './types.ts';

/**
 * The fabric cannot take a QoS 1/2 message now (NATS is away and what it holds for its return
 * is at its bound): the PUBLISH is refused before anyone receives it, never acknowledged and
 * lost. QoS 0 messages are not refused: their copy for other replicas is dropped and counted.
 */
export class FabricBackloggedError extends OctomeshError {
  constructor(held: number) {
    super(
      'FABRIC_BACKLOGGED',
      `the fabric holds its limit of ${held} messages for other replicas`,
      {
        reasonCode: ReasonCodes.quotaExceeded,
      },
    );
  }
}

/** A message for one shared group: the fabric chose this replica to deliver it. */
export interface SharedDelivery {
  readonly group: string;
  readonly filter: string;
}

/**
 * What the engine does with a message the fabric hands it. For a shared group's message it
 * returns false when no member of the group is left on this replica (the fabric may then hand it
 * to another replica's members); other returns mean nothing.
 */
export type FabricHandler = (message: Message, shared?: SharedDelivery) => unknown;

/** Moves messages between replicas. */
export interface MessageFabric {
  /** Sends a message to every replica, this one included. */
  publish(message: Message): Promise<void>;
  /**
   * Receives the messages this replica must route; returns an unsubscribe function. With
   * `shared`, the message is for that shared group only.
   */
  subscribe(handler: FabricHandler): () => void;
  /**
   * The engine's interest: a filter (of a shared group, or not) got its first subscription on
   * this replica (`present`) or lost its last. Fabrics that carry everything ignore it.
   */
  interest?(filter: string, shareGroup: string | undefined, present: boolean): void;
  /**
   * True when the fabric itself picks the one replica that delivers a shared group's message
   * (NATS queue groups): the engine then delivers to shared subscriptions only the messages
   * handed to it with `shared`, and never picks a member for the others.
   */
  readonly distributesSharedGroups?: boolean;
  close(): Promise<void>;
}

/** The fabric of a single replica: publish hands the message to the local handlers. */
export class LocalFabric implements MessageFabric {
  readonly #handlers = new Set<FabricHandler>();
  #closed = false;

  publish(message: Message): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('fabric closed'));
    for (const handler of this.#handlers) handler(message);
    return Promise.resolve();
  }

  subscribe(handler: FabricHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    return Promise.resolve();
  }
}
