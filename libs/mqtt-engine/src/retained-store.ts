// Where retained messages live (MQTT 5 §3.3.1.3). Async because the replicated store is NATS
// KV (scale-out issue); the in-memory one serves a single broker. Every implementation runs
// retainedStoreContract from retained-store.contract.ts.
import { OctomeshError, ReasonCodes } from '@octomesh/contracts';
import type { ReasonCode } from '@octomesh/contracts';

/** A retained message as stored; callers treat what a store returns as read-only. */
export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  properties?: Record<string, unknown>;
  /** When the Message Expiry Interval runs out, in ms since the epoch; absent: never. */
  expiresAt?: number;
}

/** The retained messages of the broker, one per topic name. */
export interface RetainedStore {
  /**
   * Stores or replaces the topic's message [MQTT-3.3.1-5]; an empty payload (or one already
   * expired) deletes it and stores nothing [MQTT-3.3.1-6] [MQTT-3.3.1-7]. Rejects with
   * RetainedStoreFullError when a bound would be passed, and RetainedTopicError for a bad topic.
   */
  set(msg: RetainedMessage): Promise<void>;
  /** The topic's message, unless there is none or it expired. */
  get(topic: string): Promise<RetainedMessage | undefined>;
  /** Every unexpired message whose topic the filter matches, '$' rule included [MQTT-4.7.2-1]. */
  match(filter: string, now?: number): Promise<RetainedMessage[]>;
  /** Messages held, when the implementation knows cheaply. */
  readonly size?: number;
  /**
   * True when every replica reads and writes this same store (NATS KV): a retained message
   * from another replica is already in it and is not stored again here.
   */
  readonly shared?: boolean;
}

/** Bounds on what a store holds; both always apply. */
export interface RetainedStoreLimits {
  maxMessages: number;
  /** Measured with retainedMessageBytes, summed over the messages held. */
  maxBytes: number;
}

/** Which bound refused a message. */
export const RetainedStoreLimitKinds = {
  messages: 'maxMessages',
  bytes: 'maxBytes',
} as const;
/** One of {@link RetainedStoreLimitKinds}. */
export type RetainedStoreLimitKind =
  (typeof RetainedStoreLimitKinds)[keyof typeof RetainedStoreLimitKinds];

/** A retained message was refused because the store is full; the publisher gets 0x97. */
export class RetainedStoreFullError extends OctomeshError {
  readonly topic: string;
  readonly limit: RetainedStoreLimitKind;

  constructor(topic: string, limit: RetainedStoreLimitKind) {
    super(
      'RETAINED_STORE_FULL',
      `retained message for ${JSON.stringify(topic)} refused: ${limit}`,
      {
        reasonCode: ReasonCodes.quotaExceeded,
      },
    );
    this.topic = topic;
    this.limit = limit;
  }
}

/** A topic name given to set, or a filter given to match, is malformed. */
export class RetainedTopicError extends OctomeshError {
  readonly topic: string;
  readonly problem: string;

  constructor(topic: string, problem: string, reasonCode: ReasonCode) {
    super('RETAINED_TOPIC_INVALID', `invalid topic ${JSON.stringify(topic)}: ${problem}`, {
      reasonCode,
    });
    this.topic = topic;
    this.problem = problem;
  }
}

/**
 * What a message counts against maxBytes: UTF-8 topic plus payload. Properties are left out
 * (their size depends on the encoding each store uses); maxMessages bounds their share.
 */
export function retainedMessageBytes(msg: Pick<RetainedMessage, 'topic' | 'payload'>): number {
  return Buffer.byteLength(msg.topic, 'utf8') + msg.payload.length;
}

/** True once the message's expiry time is reached: a remaining interval of 0 is no time left. */
export function isRetainedExpired(msg: RetainedMessage, now: number): boolean {
  return msg.expiresAt !== undefined && msg.expiresAt <= now;
}

/** The publisher's role may hold no more retained messages or bytes (PUBACK 0x97). */
export class RetainedQuotaError extends OctomeshError {
  constructor() {
    super('RETAINED_QUOTA_EXCEEDED', 'retained quota of the identity exceeded', {
      reasonCode: ReasonCodes.quotaExceeded,
    });
  }
}
