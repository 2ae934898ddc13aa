// A session: what outlives a connection (subscriptions live in the engine's index), the
// outbound QoS 1/2 window honouring the client's Receive Maximum, and a bounded queue for what
// cannot be sent yet. QoS 0 is dropped first when the queue is full; QoS 1/2 are never dropped
// silently for a connected subscriber: past the bound it is disconnected (and counted).
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { DecisionCache } from './decision-cache.ts';
import type { EngineIdentity, Message } from './types.ts';

/** How one message goes to one session (after merging overlapping subscriptions). */
export interface SessionDelivery {
  message: Message;
  qos: QoS;
  retain: boolean;
  subscriptionIds: number[];
}

/** The sending side a session uses while a connection is attached. */
export interface SessionLink {
  readonly protocolVersion: 3 | 4 | 5;
  /** Client's Receive Maximum (v5), 65535 otherwise. */
  readonly clientReceiveMaximum: number;
  /** Client's Maximum Packet Size (v5), undefined = no limit. */
  readonly clientMaximumPacketSize: number | undefined;
  /** True while the transport holds too many unsent bytes: deliveries wait in the queue. */
  readonly congested: boolean;
  sendPublish(packet: IPublishPacket): boolean;
  /** Ends the connection because the subscriber cannot keep up. */
  overflow(): void;
}

/** How an acknowledgement matched the delivery it names. */
export type AckResult = 'ok' | 'unknown' | 'wrong-type';

interface Inflight {
  delivery: SessionDelivery;
  /** 'publish' awaiting PUBACK/PUBREC; 'pubrel' awaiting PUBCOMP. */
  state: 'publish' | 'pubrel';
}

/**
 * A delivery not yet completed, as it leaves a session's memory for a store shared by replicas:
 * sent and unacknowledged (its packet id, and `pubrel` once the client sent PUBREC), or queued.
 */
export interface PendingDelivery {
  delivery: SessionDelivery;
  packetId?: number;
  state?: 'publish' | 'pubrel';
}

/** Counters a session contributes to $SYS and metrics. */
export interface SessionCounters {
  droppedQos0: number;
  droppedExpired: number;
  droppedOversize: number;
  droppedOffline: number;
}

/** What the engine learns from a session: when its queue backs up and when it recovers. */
export interface SessionObserver {
  backlogChanged(session: Session, backlogged: boolean): void;
}

/** One client's session. */
export class Session {
  readonly clientId: string;
  identity: EngineIdentity;
  /** Seconds the session outlives its connection (0 = ends with it). */
  expirySeconds: number;
  link: SessionLink | undefined;
  readonly decisions = new DecisionCache();
  readonly counters: SessionCounters = {
    droppedQos0: 0,
    droppedExpired: 0,
    droppedOversize: 0,
    droppedOffline: 0,
  };
  /** Inbound QoS 2 packet ids received and not yet released [MQTT-4.3.3-9]. */
  get awaitingRelease(): Set<number> {
    return (this.#awaitingRelease ??= new Set());
  }
  #awaitingRelease: Set<number> | undefined;
  readonly #inflight = new Map<number, Inflight>();
  readonly #queue: SessionDelivery[] = [];
  readonly #maxQueued: number;
  readonly #observer: SessionObserver | undefined;
  #nextPacketId = 1;
  /** Set while the queue of a connected session is past half its bound. */
  #backlog: { promise: Promise<void>; resolve: () => void } | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  /**
   * While set (an offline persistent session whose messages live in a shared store), QoS 1/2
   * deliveries go here instead of the memory queue.
   */
  offlineSink: ((delivery: SessionDelivery) => void) | undefined;
  /** The engine's writes to the shared message store for this session, in order. */
  persisting: Promise<void> = Promise.resolve();
  /**
   * Taken over from a replica that died, offline: only the identity's subject is known (the
   * stored session keeps no more), so rule re-checks wait for its client's resume, which checks
   * its subscriptions against the identity it connects with.
   */
  adopted = false;

  constructor(
    clientId: string,
    identity: EngineIdentity,
    expirySeconds: number,
    maxQueued: number,
    observer?: SessionObserver,
  ) {
    this.clientId = clientId;
    this.identity = identity;
    this.expirySeconds = expirySeconds;
    this.#maxQueued = maxQueued;
    this.#observer = observer;
  }

  /** True while a connected session's queue is past half its bound (publishers should wait). */
  get backlogged(): boolean {
    return this.#backlog !== undefined;
  }

  /** Resolves when the backlog is cleared (queue at a quarter of its bound, or link gone). */
  relieved(): Promise<void> {
    return this.#backlog?.promise ?? Promise.resolve();
  }

  #checkBacklog(): void {
    if (this.#backlog === undefined) {
      if (this.link !== undefined && this.#queue.length >= Math.max(1, this.#maxQueued / 2)) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        this.#backlog = { promise, resolve };
        this.#observer?.backlogChanged(this, true);
      }
      return;
    }
    if (this.link === undefined || this.#queue.length <= this.#maxQueued / 4) {
      const { resolve } = this.#backlog;
      this.#backlog = undefined;
      resolve();
      this.#observer?.backlogChanged(this, false);
    }
  }

  /** The connection went away: nobody waits on a detached session. */
  detach(): void {
    this.link = undefined;
    this.#checkBacklog();
  }

  /** Messages waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Messages sent and not yet acknowledged. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Offers one delivery: sent now, queued, or (QoS 0 only, or offline past the bound) dropped. */
  deliver(delivery: SessionDelivery, now = Date.now()): void {
    if (delivery.message.expiresAt !== undefined && delivery.message.expiresAt <= now) {
      this.counters.droppedExpired++;
      return;
    }
    const link = this.link;
    if (
      link !== undefined &&
      this.#queue.length === 0 &&
      !link.congested &&
      this.#canSend(delivery, link)
    ) {
      this.#send(delivery, link, now);
      return;
    }
    if (delivery.qos === 0 && link === undefined) return; // QoS 0 is not kept for offline sessions [MQTT-3.1.2-5 note]
    if (link === undefined && this.offlineSink !== undefined) {
      this.offlineSink(delivery);
      return;
    }
    this.#enqueue(delivery);
  }

  #canSend(delivery: SessionDelivery, link: SessionLink): boolean {
    return delivery.qos === 0 || this.#inflight.size < link.clientReceiveMaximum;
  }

  #enqueue(delivery: SessionDelivery): void {
    if (this.#queue.length < this.#maxQueued) {
      this.#queue.push(delivery);
      if (this.#backlog === undefined) this.#checkBacklog();
      return;
    }
    const qos0 = this.#queue.findIndex((d) => d.qos === 0);
    if (qos0 !== -1) {
      this.#queue.splice(qos0, 1);
      this.counters.droppedQos0++;
      this.#queue.push(delivery);
      return;
    }
    if (delivery.qos === 0) {
      this.counters.droppedQos0++;
      return;
    }
    if (this.link !== undefined) {
      // A connected subscriber that cannot keep up: disconnect it rather than lose an
      // acknowledged message; the message stays queued for its session.
      this.#queue.push(delivery);
      this.link.overflow();
      return;
    }
    this.#queue.shift();
    this.counters.droppedOffline++;
    this.#queue.push(delivery);
  }

  #send(
    delivery: SessionDelivery,
    link: SessionLink,
    now: number,
    dup = false,
    packetId?: number,
  ): void {
    const { message } = delivery;
    const packet: IPublishPacket = {
      cmd: 'publish',
      topic: message.topic,
      payload: message.payload,
      qos: delivery.qos,
      retain: delivery.retain,
      dup,
    };
    if (delivery.qos > 0) {
      const id = packetId ?? this.#allocatePacketId();
      packet.messageId = id;
      this.#inflight.set(id, { delivery, state: 'publish' });
    }
    if (link.protocolVersion === 5) {
      const properties: NonNullable<IPublishPacket['properties']> = { ...message.properties };
      if (message.expiresAt !== undefined) {
        // Forward the remaining lifetime [MQTT-3.3.2-6].
        properties.messageExpiryInterval = Math.max(1, Math.ceil((message.expiresAt - now) / 1000));
      }
      if (delivery.subscriptionIds.length > 0) {
        (properties as { subscriptionIdentifier?: number | number[] }).subscriptionIdentifier =
          delivery.subscriptionIds.length === 1
            ? delivery.subscriptionIds[0]
            : delivery.subscriptionIds;
      }
      if (Object.keys(properties).length > 0) packet.properties = properties;
    }
    if (!link.sendPublish(packet)) {
      // Too large for the client's Maximum Packet Size: discarded [MQTT-3.1.2-25].
      if (packet.messageId !== undefined) this.#inflight.delete(packet.messageId);
      this.counters.droppedOversize++;
    }
  }

  #allocatePacketId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.#nextPacketId;
      this.#nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.#inflight.has(id)) return id;
    }
    throw new Error('no free packet identifier');
  }

  /**
   * PUBACK completes a QoS 1 delivery, PUBCOMP a QoS 2 delivery after its PUBREL; sends what
   * the window now allows. Any other pairing of acknowledgement and delivery is a protocol
   * violation (§4.3.2, §4.3.3, [MQTT-4.8.0-1]).
   */
  complete(packetId: number, by: 'puback' | 'pubcomp'): AckResult {
    const entry = this.#inflight.get(packetId);
    if (entry === undefined) return 'unknown';
    const expected =
      entry.delivery.qos === 1 ? 'puback' : entry.state === 'pubrel' ? 'pubcomp' : 'pubrec';
    if (by !== expected) return 'wrong-type';
    this.#inflight.delete(packetId);
    this.drain();
    return 'ok';
  }

  /** PUBREC: the QoS 2 delivery moves to awaiting PUBCOMP (again, for a repeated PUBREC). */
  received(packetId: number, reasonCode: number): AckResult {
    const entry = this.#inflight.get(packetId);
    if (entry === undefined) return 'unknown';
    if (entry.delivery.qos !== 2) return 'wrong-type';
    if (reasonCode >= 0x80) {
      this.#inflight.delete(packetId);
      this.drain();
      return 'ok';
    }
    entry.state = 'pubrel';
    return 'ok';
  }

  /** Sends queued deliveries while the window allows. */
  drain(now = Date.now()): void {
    const link = this.link;
    if (link === undefined) return;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      // A congested socket resumes us with 'drain'; a full window with the next PUBACK.
      if (link.congested || !this.#canSend(next, link)) break;
      this.#queue.shift();
      if (next.message.expiresAt !== undefined && next.message.expiresAt <= now) {
        this.counters.droppedExpired++;
        continue;
      }
      this.#send(next, link, now);
    }
    if (this.#backlog !== undefined) this.#checkBacklog();
  }

  /**
   * After a reconnect: resend unacknowledged PUBLISHes with DUP and PUBRELs [MQTT-4.4.0-1],
   * then the queue. Returns the packet ids awaiting PUBCOMP (the caller resends PUBREL).
   */
  resume(link: SessionLink, now = Date.now()): number[] {
    this.link = link;
    const pubrels: number[] = [];
    for (const [id, entry] of [...this.#inflight]) {
      if (entry.state === 'pubrel') {
        pubrels.push(id);
        continue;
      }
      this.#inflight.delete(id);
      this.#send(entry.delivery, link, now, true, id);
    }
    this.drain(now);
    return pubrels;
  }

  /**
   * Takes every delivery not yet completed out of memory, in order: sent and unacknowledged
   * first (their packet ids kept, for a resend with DUP or a PUBREL), then the queue.
   */
  takePending(): PendingDelivery[] {
    const pending: PendingDelivery[] = [];
    for (const [packetId, entry] of this.#inflight) {
      pending.push({ delivery: entry.delivery, packetId, state: entry.state });
    }
    for (const delivery of this.#queue) pending.push({ delivery });
    this.#inflight.clear();
    this.#queue.length = 0;
    this.#checkBacklog();
    return pending;
  }

  /**
   * Puts deliveries taken from a store back, before what is queued now: those with a packet id
   * not in use become in flight again (resent on resume), the others are queued.
   */
  restorePending(pending: readonly PendingDelivery[]): void {
    const queued: SessionDelivery[] = [];
    for (const entry of pending) {
      if (
        entry.packetId !== undefined &&
        entry.delivery.qos > 0 &&
        !this.#inflight.has(entry.packetId)
      ) {
        this.#inflight.set(entry.packetId, {
          delivery: entry.delivery,
          state: entry.state ?? 'publish',
        });
      } else {
        queued.push(entry.delivery);
      }
    }
    this.#queue.unshift(...queued);
  }

  /** Forgets in-flight state (clean start). */
  reset(): void {
    this.#inflight.clear();
    this.#queue.length = 0;
    this.#awaitingRelease = undefined;
    this.decisions.clear();
    this.#checkBacklog();
  }
}
