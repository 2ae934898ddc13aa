// Wills of a replica that died. Each replica records its connected clients that have a will in
// the KV bucket `mqtt-wills`, under `<replica>.<client id>` (both in the KV key encoding), and
// removes the record when the connection ends (the will was then sent or discarded by this
// replica itself). When the peers stop hearing a replica (replica-interest.ts), each survivor
// reads that replica's records and claims each one by deleting it at the revision it read: the
// one whose delete succeeds publishes the will (after its delay, capped by the session expiry),
// so a will is sent once whatever the number of survivors. A survivor also publishes the
// client's `disconnected` broker event (with willSent), so the usp-router marks the endpoint
// offline as for any other lost connection.
//
// A delayed will is cancelled when its client reconnects within the delay [MQTT-3.1.3-9], on
// whatever replica: only persistent sessions have a delay (it is capped by the session expiry),
// and a client resuming its session on a replica makes that replica the owner of the session's
// record in `mqtt-sessions`. So before scheduling a rescued will and again when its delay has
// passed, the survivor asks `stillAway`; the broker answers from that record. A client whose new
// connection started clean ended the session, so its will goes (late, but not lost).
//
// Not covered: clients without a will get no disconnected event from the survivors; a survivor
// that dies while a rescued will waits out its delay takes the will with it (the record was
// claimed by deleting it).
import { BucketSpecs, encodeKvKey } from '@octomesh/contracts';
import type { Connection, Message } from '@octomesh/mqtt-engine';
import {
  deleteBucketKey,
  openBucket,
  readBucketEntries,
  type KV,
  type NatsConnection,
} from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';

/** What a record holds: the will and who it belongs to. */
interface WillRecord {
  v: 1;
  replica: string;
  clientId: string;
  delaySeconds: number;
  identity: { subject: string; username: string; role: string; endpointId: string };
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties: Record<string, unknown>;
}

/** Counters (metrics). */
export interface WillKeeperCounters {
  kept: number;
  /** Rescued delayed wills not sent: their client resumed its session elsewhere within the delay. */
  cancelled: number;
  rescued: number;
  invalid: number;
  failed: number;
}

/** Records wills of connected clients and sends those of dead replicas. */
export class WillKeeper {
  readonly counters: WillKeeperCounters = {
    kept: 0,
    rescued: 0,
    cancelled: 0,
    invalid: 0,
    failed: 0,
  };
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  readonly #replica: string;
  readonly #token: string;
  readonly #logger: Logger;
  /** Writes per client id in order (a keep and its drop never cross). */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(nc: NatsConnection, kv: KV, replica: string, logger: Logger) {
    this.#nc = nc;
    this.#kv = kv;
    this.#replica = replica;
    this.#token = encodeKvKey(replica);
    this.#logger = logger;
  }

  static async open(
    nc: NatsConnection,
    options: { replica: string; logger: Logger; bucketReplicas?: number },
  ): Promise<WillKeeper> {
    const kv = await openBucket(nc, BucketSpecs.wills, options.bucketReplicas ?? 1);
    return new WillKeeper(nc, kv, options.replica, options.logger);
  }

  #key(clientId: string): string {
    return `${this.#token}.${encodeKvKey(clientId)}`;
  }

  #chain(clientId: string, step: () => Promise<unknown>): void {
    const previous = this.#chains.get(clientId) ?? Promise.resolve();
    const next = previous
      .then(step)
      .then(
        () => undefined,
        (error: unknown) => {
          this.counters.failed++;
          this.#logger.warn(
            { clientId, error: (error as Error).message },
            'will record not written',
          );
        },
      )
      .finally(() => {
        if (this.#chains.get(clientId) === next) this.#chains.delete(clientId);
      });
    this.#chains.set(clientId, next);
  }

  /** A client with a will connected here. */
  keep(connection: Connection): void {
    const will = connection.will;
    const identity = connection.identity;
    if (will === undefined || identity === undefined) return;
    const message = will.message;
    const record: WillRecord = {
      v: 1,
      replica: this.#replica,
      clientId: connection.clientId,
      delaySeconds: Math.min(will.delaySeconds, connection.session?.expirySeconds ?? 0),
      identity: {
        subject: identity.subject,
        username: identity.username,
        role: identity.role,
        endpointId: identity.endpointId,
      },
      topic: message.topic,
      payload: message.payload.toString('base64'),
      qos: message.qos,
      retain: message.retain,
      properties: encodeProperties(message.properties as Record<string, unknown>),
    };
    this.counters.kept++;
    this.#chain(connection.clientId, () =>
      this.#kv.put(this.#key(connection.clientId), JSON.stringify(record)),
    );
  }

  /** The client's connection here ended: this replica dealt with its will. */
  drop(connection: Connection): void {
    if (connection.will === undefined && !this.#chains.has(connection.clientId)) return;
    this.#chain(connection.clientId, () => this.#kv.delete(this.#key(connection.clientId)));
  }

  /**
   * A replica stopped beating: claims its records one by one, and for each one won publishes
   * the disconnected event now and the will after its delay.
   */
  async rescue(
    replica: string,
    send: {
      publish(message: Message): Promise<void>;
      disconnected(record: { clientId: string; identity: WillRecord['identity'] }): void;
      /** False when the client has resumed its session elsewhere since (its will is cancelled). */
      stillAway?(clientId: string): Promise<boolean>;
    },
  ): Promise<number> {
    const entries = await readBucketEntries(
      this.#nc,
      BucketSpecs.wills.name,
      `${encodeKvKey(replica)}.>`,
      { timeoutMs: 30_000, maxEntries: 10_000_000 },
    );
    let rescued = 0;
    for (const entry of entries) {
      let record: WillRecord;
      try {
        record = parseRecord(entry.value);
        if (
          record.replica !== replica ||
          `${encodeKvKey(replica)}.${encodeKvKey(record.clientId)}` !== entry.key
        ) {
          throw new Error('record does not match its key');
        }
      } catch (error) {
        this.counters.invalid++;
        this.#logger.warn(
          { key: entry.key.slice(0, 200), error: (error as Error).message },
          'invalid will record',
        );
        continue;
      }
      // Whoever deletes the revision it read sends the will; the others find it gone.
      const won = await deleteBucketKey(this.#kv, entry.key, entry.revision);
      if (!won) continue;
      rescued++;
      this.counters.rescued++;
      send.disconnected(record);
      const message: Message = {
        topic: record.topic,
        payload: Buffer.from(record.payload, 'base64'),
        qos: record.qos,
        retain: record.retain,
        properties: decodeProperties(record.properties),
        expiresAt: undefined,
        publisherClientId: record.clientId,
        publisher: { ...record.identity, clientId: record.clientId },
      };
      const publish = (): void => {
        send
          .publish(message)
          .catch((error: unknown) =>
            this.#logger.warn(
              { clientId: record.clientId, error: (error as Error).message },
              'rescued will not published',
            ),
          );
      };
      // A delayed will waits for its client: gone still when the delay has passed, it is sent.
      const publishUnlessBack = async (): Promise<void> => {
        if (await this.#stillAway(send, record.clientId)) publish();
        else {
          this.counters.cancelled++;
          this.#logger.info(
            { clientId: record.clientId },
            'rescued will cancelled: its client resumed its session elsewhere',
          );
        }
      };
      if (record.delaySeconds <= 0) publish();
      else if (!(await this.#stillAway(send, record.clientId))) {
        this.counters.cancelled++;
      } else {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          void publishUnlessBack();
        }, record.delaySeconds * 1000);
        timer.unref();
        this.#timers.add(timer);
      }
    }
    if (rescued > 0) {
      this.#logger.info({ replica, rescued }, 'wills of a dead replica taken over');
    }
    return rescued;
  }

  // Asks `stillAway`; a failure to answer counts as away (a will sent is better than one lost).
  async #stillAway(
    send: { stillAway?(clientId: string): Promise<boolean> },
    clientId: string,
  ): Promise<boolean> {
    if (send.stillAway === undefined) return true;
    try {
      return await send.stillAway(clientId);
    } catch (error) {
      this.#logger.warn(
        { clientId, error: (error as Error).message },
        'whether a client came back is unknown: its rescued will goes',
      );
      return true;
    }
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}

function parseRecord(data: Uint8Array): WillRecord {
  const value = JSON.parse(new TextDecoder().decode(data)) as Partial<WillRecord>;
  const identity = value.identity;
  if (
    value.v !== 1 ||
    typeof value.replica !== 'string' ||
    typeof value.clientId !== 'string' ||
    typeof value.delaySeconds !== 'number' ||
    !Number.isFinite(value.delaySeconds) ||
    value.delaySeconds < 0 ||
    typeof value.topic !== 'string' ||
    value.topic === '' ||
    /[+#]/.test(value.topic) ||
    value.topic.includes('\u0000') ||
    typeof value.payload !== 'string' ||
    (value.qos !== 0 && value.qos !== 1 && value.qos !== 2) ||
    typeof value.retain !== 'boolean' ||
    typeof value.properties !== 'object' ||
    value.properties === null ||
    typeof identity !== 'object' ||
    identity === null ||
    typeof identity.subject !== 'string' ||
    typeof identity.username !== 'string' ||
    typeof identity.role !== 'string' ||
    typeof identity.endpointId !== 'string'
  ) {
    throw new Error('malformed will record');
  }
  return value as WillRecord;
}

// MQTT 5 properties as JSON: Buffers (correlation data) as {bytes: base64}; user properties as
// they are (the engine's object form).
function encodeProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) {
    out[name] = Buffer.isBuffer(value) ? { bytes: value.toString('base64') } : value;
  }
  return out;
}

function decodeProperties(properties: Record<string, unknown>): Message['properties'] {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(properties)) {
    const bytes = (value as { bytes?: unknown } | null)?.bytes;
    out[name] = typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : value;
  }
  return out as Message['properties'];
}
