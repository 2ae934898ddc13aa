// The QoS 1/2 messages of offline persistent sessions, shared by every broker replica (issue 11):
// a SessionMessageStore on the JetStream stream `MQTT_SESSION_MESSAGES`, one subject per client id
// (`mqtt.session.v1.<encoded client id>`). The engine writes a session's unacknowledged and queued
// deliveries as it goes offline and every delivery while it stays offline; the replica the client
// resumes on takes them (read in order, then purged up to the last one read, so a write that
// lands meanwhile is kept), and the session's end drops them.
//
// Each stored message is the MQTT message (payload; topic, properties and publisher in headers,
// as on the fabric) plus how it goes to this session: QoS, retain flag, subscription
// identifiers, and for a delivery that was in flight its packet id and state (a QoS 2 message
// the client acknowledged with PUBREC gets its PUBREL, not a second PUBLISH). What comes back
// is validated like any input: a message that fails is dropped and counted, never delivered.
//
// Bounds. Per client id the stream keeps `maxPerSession` messages (the engine's queue bound),
// dropping the oldest as the memory queue of an offline session does. The whole stream is bounded
// in bytes and refuses new messages when full (the engine then keeps them in the memory of the
// replica holding the session and counts them). Messages older than the longest session expiry
// (at most 90 days) are removed by the stream, so a session that expired while its replica was
// down leaves nothing behind for long.
import {
  decodeFabricHeaders,
  encodeKvKey,
  encodeFabricHeaders,
  OctomeshError,
  ReasonCodes,
  SessionMessageStream,
} from '@octomesh/contracts';
import { validateTopicName } from '@octomesh/acl-rules';
import type { PendingDelivery, SessionMessageStore } from '@octomesh/mqtt-engine';
import {
  DiscardPolicy,
  headersOf,
  jetstream,
  jetstreamManager,
  readStream,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
  type StreamReadOutcome,
} from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { fromFabric, toFabric } from './fabric.ts';

/** Settings of {@link NatsSessionMessages.open}. */
export interface NatsSessionMessagesOptions {
  logger: Logger;
  /** This replica's id (written as the publisher replica of stored messages). */
  replica: string;
  /** Messages kept per client id; the oldest go first (the engine's queue bound). */
  maxPerSession: number;
  /** Bytes the stream may hold; past it new messages are refused. */
  maxBytes: number;
  /** The longest session expiry, in seconds: older messages are removed (0: kept). */
  maxAgeSeconds: number;
  /** Copies on a NATS cluster: 1, 3 or 5 (default 1). */
  replicas?: number;
  /** Deadline of every NATS call, in ms (default 5000). */
  timeoutMs?: number;
}

/** What the store has done (metrics). */
export interface NatsSessionMessagesCounters {
  stored: number;
  taken: number;
  /** Stored messages that failed validation: dropped, never delivered. */
  invalid: number;
}

/** The stream could not do what was asked (the engine keeps or refuses, and says so). */
export class SessionMessagesUnavailableError extends OctomeshError {
  constructor(operation: string, problem: string, options: { cause?: unknown } = {}) {
    super('SESSION_MESSAGES_UNAVAILABLE', `session messages ${operation}: ${problem}`, {
      reasonCode: ReasonCodes.serverUnavailable,
      cause: options.cause,
    });
  }
}

/** How a message goes to its session, beside the message itself. */
const DELIVERY_HEADER = 'Octomesh-Delivery';
const TOPIC_HEADER = 'Octomesh-Topic';
const MAX_PACKET_ID = 65_535;
const MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;
// Longest max_age written: 90 days in nanoseconds stays a safe integer in JSON (104 days would not).
const MAX_AGE_SECONDS = 90 * 24 * 3600;
// JetStream's "no message found" (an empty subject).
const NO_MESSAGE = 10037;

/** A SessionMessageStore on a JetStream stream every broker replica shares. */
export class NatsSessionMessages implements SessionMessageStore {
  readonly counters: NatsSessionMessagesCounters = { stored: 0, taken: 0, invalid: 0 };
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #logger: Logger;
  readonly #replica: string;
  readonly #maxPerSession: number;
  readonly #timeoutMs: number;
  readonly #readStream: (
    subject: string,
    onMessage: (msg: JsMsg) => 'more' | 'done',
  ) => Promise<StreamReadOutcome>;

  private constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    options: NatsSessionMessagesOptions,
  ) {
    this.#readStream = (subject, onMessage) =>
      readStream(nc, SessionMessageStream.name, subject, this.#timeoutMs, onMessage);
    this.#js = js;
    this.#jsm = jsm;
    this.#logger = options.logger.child({ component: 'session-messages' });
    this.#replica = options.replica;
    this.#maxPerSession = options.maxPerSession;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Opens the stream, creating it or bringing its limits to these settings. */
  static async open(
    nc: NatsConnection,
    options: NatsSessionMessagesOptions,
  ): Promise<NatsSessionMessages> {
    const timeout = options.timeoutMs ?? 5000;
    const jsm = await jetstreamManager(nc, { timeout });
    const wanted = {
      name: SessionMessageStream.name,
      subjects: [`${SessionMessageStream.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_msgs_per_subject: options.maxPerSession,
      max_bytes: options.maxBytes,
      max_age: Math.min(options.maxAgeSeconds, MAX_AGE_SECONDS) * 1_000_000_000,
      num_replicas: options.replicas ?? 1,
    } satisfies Partial<StreamConfig> & { name: string };
    let current: StreamConfig | undefined;
    try {
      current = (await jsm.streams.info(SessionMessageStream.name)).config;
    } catch (error) {
      if ((error as { name?: string }).name !== 'StreamNotFoundError') throw error;
    }
    if (current === undefined) {
      await jsm.streams.add(wanted);
    } else if (
      current.max_msgs_per_subject !== wanted.max_msgs_per_subject ||
      current.max_bytes !== wanted.max_bytes ||
      current.max_age !== wanted.max_age ||
      current.num_replicas < wanted.num_replicas
    ) {
      // Limits follow the settings; copies are raised, never lowered (as the KV buckets).
      await jsm.streams.update(SessionMessageStream.name, {
        ...current,
        max_msgs_per_subject: wanted.max_msgs_per_subject,
        max_bytes: wanted.max_bytes,
        max_age: wanted.max_age,
        num_replicas: Math.max(current.num_replicas, wanted.num_replicas),
      });
    }
    return new NatsSessionMessages(nc, jetstream(nc, { timeout }), jsm, options);
  }

  async append(clientId: string, pending: readonly PendingDelivery[]): Promise<void> {
    const subject = subjectOf(clientId);
    // Sent back to back on one connection, so the stream stores them in this order.
    const results = await Promise.allSettled(
      pending.map((entry) =>
        this.#js.publish(subject, entry.delivery.message.payload, {
          headers: headersOf(this.#headersOf(entry)),
          timeout: this.#timeoutMs,
        }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    this.counters.stored += results.filter((r) => r.status === 'fulfilled').length;
    if (failed !== undefined) {
      throw new SessionMessagesUnavailableError(
        'append',
        (failed.reason as Error).message ?? 'refused',
        { cause: failed.reason },
      );
    }
  }

  async take(clientId: string): Promise<PendingDelivery[]> {
    const subject = subjectOf(clientId);
    // One request tells an empty subject (the common case) without creating a consumer.
    let found: { seq: number } | null;
    try {
      // null: nothing stored under the subject.
      found = await this.#jsm.streams.getMessage(SessionMessageStream.name, {
        last_by_subj: subject,
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === NO_MESSAGE) return [];
      throw new SessionMessagesUnavailableError('take', (error as Error).message, {
        cause: error,
      });
    }
    if (found === null) return [];
    const last = found.seq;
    const messages = await this.#read(subject, last);
    const pending: PendingDelivery[] = [];
    for (const msg of messages) {
      const entry = this.#decode(msg, clientId);
      if (entry !== undefined) pending.push(entry);
    }
    // Up to the last one read: a message written meanwhile (it cannot be, the session is being
    // resumed here, but a store is no place for assumptions) stays.
    await this.#jsm.streams.purge(SessionMessageStream.name, { filter: subject, seq: last + 1 });
    this.counters.taken += pending.length;
    return pending;
  }

  async drop(clientId: string): Promise<void> {
    await this.#jsm.streams.purge(SessionMessageStream.name, { filter: subjectOf(clientId) });
  }

  // Every message of the subject up to sequence `last`, in order (nats-kit's readStream).
  async #read(subject: string, last: number): Promise<JsMsg[]> {
    const read: JsMsg[] = [];
    const limit = this.#maxPerSession * 2;
    const outcome = await this.#readStream(subject, (msg) => {
      if (msg.seq <= last) read.push(msg);
      if (read.length > limit) {
        throw new SessionMessagesUnavailableError('take', `more than ${limit} messages`);
      }
      return msg.seq >= last ? 'done' : 'more';
    });
    if (outcome.kind === 'timeout') {
      throw new SessionMessagesUnavailableError('take', `not read within ${this.#timeoutMs} ms`);
    }
    if (outcome.kind === 'ended') {
      throw new SessionMessagesUnavailableError('take', 'the read ended early', {
        cause: outcome.cause,
      });
    }
    return read;
  }

  #headersOf(entry: PendingDelivery): [string, string][] {
    const { delivery } = entry;
    const head = encodeFabricHeaders(toFabric(delivery.message, this.#replica));
    const how = {
      q: delivery.qos,
      r: delivery.retain,
      ...(delivery.subscriptionIds.length > 0 ? { s: delivery.subscriptionIds } : {}),
      ...(entry.packetId !== undefined ? { p: entry.packetId } : {}),
      ...(entry.state === 'pubrel' ? { st: 'pubrel' } : {}),
    };
    // Header values are one line of printable ASCII: the topic goes percent-encoded.
    return [
      ...head,
      [TOPIC_HEADER, encodeURIComponent(delivery.message.topic)],
      [DELIVERY_HEADER, JSON.stringify(how)],
    ];
  }

  #decode(msg: JsMsg, clientId: string): PendingDelivery | undefined {
    try {
      const headers = msg.headers;
      if (headers === undefined) throw new Error('no headers');
      const topic = decodeURIComponent(headers.get(TOPIC_HEADER));
      const problem = validateTopicName(topic);
      if (problem !== undefined) throw new Error(`topic: ${problem}`);
      const fabric = decodeFabricHeaders((name) => headers.values(name));
      const how = JSON.parse(headers.get(DELIVERY_HEADER)) as Record<string, unknown>;
      const qos = how.q;
      if (qos !== 1 && qos !== 2) throw new Error('QoS is not 1 or 2');
      if (typeof how.r !== 'boolean') throw new Error('retain is not a boolean');
      const ids = how.s ?? [];
      if (
        !Array.isArray(ids) ||
        !ids.every((id) => Number.isSafeInteger(id) && id >= 1 && id <= MAX_SUBSCRIPTION_IDENTIFIER)
      ) {
        throw new Error('bad subscription identifiers');
      }
      const packetId = how.p;
      if (
        packetId !== undefined &&
        (!Number.isSafeInteger(packetId) ||
          (packetId as number) < 1 ||
          (packetId as number) > MAX_PACKET_ID)
      ) {
        throw new Error('bad packet id');
      }
      if (how.st !== undefined && how.st !== 'pubrel') throw new Error('bad state');
      if (how.st === 'pubrel' && (qos !== 2 || packetId === undefined)) {
        throw new Error('pubrel state without a QoS 2 packet id');
      }
      return {
        delivery: {
          message: { ...fromFabric(topic, msg.data, fabric), remote: false },
          qos,
          retain: how.r,
          subscriptionIds: ids as number[],
        },
        ...(packetId !== undefined ? { packetId: packetId as number } : {}),
        ...(how.st === 'pubrel' ? { state: 'pubrel' as const } : {}),
      };
    } catch (error) {
      this.counters.invalid++;
      this.#logger.warn(
        { clientId, seq: msg.seq, error: (error as Error).message },
        'stored session message invalid: dropped',
      );
      return undefined;
    }
  }
}

function subjectOf(clientId: string): string {
  return `${SessionMessageStream.subjectPrefix}.${encodeKvKey(clientId)}`;
}
