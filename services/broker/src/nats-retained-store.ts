// Retained messages shared by every broker replica (issue 11): a RetainedStore on the JetStream
// KV bucket `mqtt-retained` (BucketSpecs.retained, one revision per key). It passes the same
// contract as the engine's MemoryRetainedStore (retained-store.contract.ts).
//
// Layout (retained-entry.ts): key = the topic in the fabric's level encoding, one KV token per
// MQTT level; value = a 15-byte head (version, QoS, expiry) + properties as JSON + the payload.
//
// Values are read from NATS, never cached here:
// - get(topic) and a literal filter are one direct get of the key (a device's SUBSCRIBE to its
//   own topic costs one request: 0.2 ms at the median with a million keys);
// - a wildcard filter is turned into key filters (`a/+` → `a.*`; `a/#` → `a` plus `a.>`; `#` →
//   `>`), and the keys they match come from this replica's index (below) once it has caught up
//   with the bucket's last revision (one stream info request, 0.3 ms: a message acknowledged on
//   any replica before the SUBSCRIBE is found). Each key is then one direct get, at most
//   LOOKUP_CONCURRENCY at a time (a filter matching 100 of a million keys: 6 ms at the median).
//   A wide filter (more than max(LOOKUP_MIN, keys / LOOKUP_RATIO) keys) is read instead with one
//   ordered consumer per key filter: on nats-server 2.9 such a consumer walks the whole bucket
//   whatever it returns (0.25 s at 300,000 keys for a filter matching 30), and 2.9 has no
//   multi-filter consumers, hence one read per key filter. The `$` rule [MQTT-4.7.2-1] is
//   applied here, on the keys.
// No value cache: a full copy of the bucket in every replica would cost at least what
// MemoryRetainedStore costs, 453 B per presence message, 432 MiB per million
// (bench/retained-store.ts), against the broker's 512 MB memory guard, to save lookups NATS
// answers in a fraction of a millisecond. On an R3 bucket a direct get may be answered by a
// follower a few ms behind its leader.
//
// The index (retained-index.ts) holds every key as a tree of its tokens with its bytes, plus the
// expiry and revision of messages that expire: 118 B per presence key, 112 MiB per million. It
// is fed by a watch of the whole bucket (every revision, in stream order) that replays it at
// start, ~23 s per million keys on a two-core machine; values cross the watch but are not kept.
// It answers the limits (maxMessages, maxBytes) and the keys of wildcard filters.
// Accuracy across replicas: each replica's index is the bucket as of the last revision its watch
// applied (normally < 1 ms behind), and a write returns once it has come back through the watch,
// so counts never drift and a replica's own writes are exact (in-flight writes are reserved).
// Replicas writing new topics at the same moment each check before seeing the others', so the
// bucket can pass maxMessages (or maxBytes) by at most the writes in flight on the other replicas
// during that lag. The bucket itself has no limit: each replica enforces the limits it is given.
// A deleted topic leaves a KV delete marker (a few dozen bytes) that starting replicas replay;
// nothing removes old markers yet.
//
// Expiry is ours (the Message Expiry Interval), not a NATS TTL: an expired message is never
// returned and is deleted lazily, with the revision read as a precondition so a newer message
// another replica wrote meanwhile survives. When a limit would be passed, expired messages known
// to the index are deleted first to make room, as MemoryRetainedStore does.
//
// Input from NATS is validated: a key or value that is no retained message of ours is skipped,
// counted (`counters.invalid`) and logged, never returned; it still occupies a slot in the index
// (it occupies the bucket) until an empty retained PUBLISH on its topic deletes it.
// Bounded: every NATS request has a deadline (requestTimeoutMs; a consumer read scanTimeoutMs),
// and a consumer read stops with an error past maxMessages + MATCH_SLACK values rather than
// buffer more.
import { validateTopicFilter, validateTopicName } from '@octomesh/acl-rules';
import { BucketSpecs, OctomeshError, ReasonCodes } from '@octomesh/contracts';
import {
  DEFAULT_RETAINED_LIMITS,
  RetainedStoreFullError,
  RetainedStoreLimitKinds,
  RetainedTopicError,
  isRetainedExpired,
  retainedMessageBytes,
  type RetainedMessage,
  type RetainedStore,
  type RetainedStoreLimitKind,
  type RetainedStoreLimits,
} from '@octomesh/mqtt-engine';
import {
  openBucket,
  readBucketEntries,
  watchBucket,
  type BucketEntry,
  type BucketWatch,
  type KV,
  type KvEntry,
  type NatsConnection,
} from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import {
  decodeRetainedValue,
  encodeRetainedValue,
  isLiteralKey,
  peekRetainedValue,
  retainedKeyOf,
  retainedKeysOf,
  topicBytesOfKey,
  topicOfRetainedKey,
} from './retained-entry.ts';
import { RetainedIndex } from './retained-index.ts';

/** Options of {@link NatsRetainedStore.open}; limits default as MemoryRetainedStore's. */
export interface NatsRetainedStoreOptions {
  logger: Logger;
  maxMessages?: number;
  maxBytes?: number;
  /** The clock for expiry, in ms since the epoch; Date.now by default. */
  now?: () => number;
  /** Copies of the bucket when this replica creates it (1, 3 or 5). */
  replicas?: number;
  /** Deadline of each lookup, write and delete, and of a write coming back through the watch. */
  requestTimeoutMs?: number;
  /** Deadline of a wildcard read, however many messages it returns. */
  scanTimeoutMs?: number;
  /** Deadline of the replay of the bucket when the store opens. */
  startTimeoutMs?: number;
}

/** Counters of the store (metrics). */
export interface NatsRetainedStoreCounters {
  /** Direct gets of one key (get, literal filters, the parent of `a/#`). */
  lookups: number;
  /** Ordered-consumer reads of a wide wildcard key filter. */
  scans: number;
  /** Wildcard filters whose keys the index gave (then looked up one by one). */
  indexed: number;
  /** Entries skipped because their key or value is not ours. */
  invalid: number;
  /** Expired messages deleted, lazily or to make room. */
  expiredDeleted: number;
  /** Watches restarted after ending on their own. */
  watchRestarts: number;
}

/** The bucket could not be read or written in time; the operation did nothing certain. */
export class RetainedStoreUnavailableError extends OctomeshError {
  constructor(operation: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('RETAINED_STORE_UNAVAILABLE', `retained store unavailable: ${operation}: ${why}`, {
      reasonCode: ReasonCodes.unspecifiedError,
      cause,
    });
  }
}

const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
const DEFAULT_SCAN_TIMEOUT_MS = 10_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;
/** Values a wildcard read may return beyond maxMessages (other replicas' concurrent writes). */
export const MATCH_SLACK = 1000;
/** A wildcard filter matching at most this many keys is answered by lookups... */
export const LOOKUP_MIN = 128;
/** ...or at most this fraction (1 / LOOKUP_RATIO) of the keys; wider ones by a consumer read. */
export const LOOKUP_RATIO = 64;
/** Lookups in flight for one filter. */
const LOOKUP_CONCURRENCY = 32;
/** Expired messages deleted at once when making room. */
const SWEEP_BATCH = 100;
const WATCH_RETRY_MS = 1000;
const WATCH_RETRY_MAX_MS = 30_000;

/** RetainedStore on the `mqtt-retained` KV bucket, shared by every broker replica. */
export class NatsRetainedStore implements RetainedStore {
  readonly limits: RetainedStoreLimits;
  readonly counters: NatsRetainedStoreCounters = {
    lookups: 0,
    scans: 0,
    indexed: 0,
    invalid: 0,
    expiredDeleted: 0,
    watchRestarts: 0,
  };
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  readonly #watchKv: KV;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #requestTimeoutMs: number;
  readonly #scanTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #index = new RetainedIndex();
  readonly #background = new Set<Promise<void>>();
  readonly #reserved = { messages: 0, bytes: 0 };
  #watch: BucketWatch | undefined;
  #ready: Promise<void>;
  /** The index has replayed the bucket and follows it. */
  #following = false;
  #closed = false;

  private constructor(nc: NatsConnection, kv: KV, watchKv: KV, options: NatsRetainedStoreOptions) {
    this.#nc = nc;
    this.#kv = kv;
    this.#watchKv = watchKv;
    this.#logger = options.logger;
    this.limits = {
      maxMessages: options.maxMessages ?? DEFAULT_RETAINED_LIMITS.maxMessages,
      maxBytes: options.maxBytes ?? DEFAULT_RETAINED_LIMITS.maxBytes,
    };
    this.#now = options.now ?? Date.now;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#scanTimeoutMs = options.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
    this.#startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.#ready = Promise.resolve();
  }

  /** Opens (creating when missing) the bucket and replays it into the index; then ready. */
  static async open(
    nc: NatsConnection,
    options: NatsRetainedStoreOptions,
  ): Promise<NatsRetainedStore> {
    const replicas = options.replicas ?? 1;
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const kv = await openBucket(nc, BucketSpecs.retained, replicas, { timeoutMs });
    // The watch's consumer takes longer to set up on a large bucket than a request may.
    const watchKv = await openBucket(nc, BucketSpecs.retained, replicas, {
      timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    });
    const store = new NatsRetainedStore(nc, kv, watchKv, options);
    store.#ready = store.#startWatch();
    await store.#ready;
    return store;
  }

  /** Every replica reads and writes this same bucket: another replica's message is in it. */
  readonly shared = true;

  /** Messages in the bucket, as of the last change this replica's watch applied. */
  get size(): number {
    return this.#index.size;
  }

  /** Bytes in the bucket as retainedMessageBytes counts them, as of the same change. */
  get bytes(): number {
    return this.#index.bytes;
  }

  /** See RetainedStore.set. */
  async set(msg: RetainedMessage): Promise<void> {
    const key = keyOfName(msg.topic);
    const now = this.#now();
    // An empty or already expired message deletes [MQTT-3.3.1-6] [MQTT-3.3.1-7]. Always
    // written, even for a key the index lacks: the message may be on its way through the watch.
    if (msg.payload.length === 0 || isRetainedExpired(msg, now)) {
      await this.#delete(key);
      return;
    }
    await this.#whenReady();
    const bytes = retainedMessageBytes(msg);
    if (this.#limitPassed(key, bytes) !== undefined) await this.#deleteExpired(now);
    const limit = this.#limitPassed(key, bytes);
    if (limit !== undefined) throw new RetainedStoreFullError(msg.topic, limit);
    const { value, skipped } = encodeRetainedValue(msg);
    if (skipped.length > 0) {
      this.#logger.warn(
        { topic: msg.topic, properties: skipped },
        'retained properties not stored',
      );
    }
    // Reserved until the write is back through the watch; a smaller replacement frees nothing
    // before then, so concurrent writes are judged on the larger of the two.
    const held = this.#index.bytesOf(key);
    const reservation = {
      messages: held === undefined ? 1 : 0,
      bytes: Math.max(0, bytes - (held ?? 0)),
    };
    this.#reserved.messages += reservation.messages;
    this.#reserved.bytes += reservation.bytes;
    try {
      const revision = await this.#request('put', () =>
        this.#kv.put(key, value, { timeout: this.#requestTimeoutMs }),
      );
      await this.#index.waitFor(key, revision, this.#requestTimeoutMs);
    } finally {
      this.#reserved.messages -= reservation.messages;
      this.#reserved.bytes -= reservation.bytes;
    }
  }

  /** See RetainedStore.get. */
  async get(topic: string): Promise<RetainedMessage | undefined> {
    let key: string;
    try {
      key = retainedKeyOf(topic);
    } catch {
      return undefined; // no message is stored under a name set() refuses
    }
    const [entry] = await this.#lookup(key);
    return entry === undefined ? undefined : this.#live(entry, this.#now());
  }

  /** See RetainedStore.match; rejects with RetainedTopicError for a malformed filter. */
  async match(filter: string, now: number = this.#now()): Promise<RetainedMessage[]> {
    const problem = validateTopicFilter(filter);
    if (problem !== undefined) {
      throw new RetainedTopicError(filter, problem, ReasonCodes.topicFilterInvalid);
    }
    let keys: ReturnType<typeof retainedKeysOf>;
    try {
      keys = retainedKeysOf(filter);
    } catch (error) {
      throw new RetainedTopicError(
        filter,
        (error as Error).message,
        ReasonCodes.topicFilterInvalid,
      );
    }
    const read = await Promise.all(keys.keys.map((key) => this.#read(key)));
    const found: RetainedMessage[] = [];
    for (const entry of read.flat()) {
      if (!keys.admits(entry.key)) continue;
      const msg = this.#live(entry, now);
      if (msg !== undefined) found.push(msg);
    }
    return found;
  }

  /** Stops the watch and waits for lazy deletes; the connection stays the caller's. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#watch?.stop();
    this.#index.clear();
    await Promise.allSettled([...this.#background]);
  }

  // Replays the bucket into a fresh index and follows it; resolves once the replay is done.
  async #startWatch(): Promise<void> {
    this.#following = false;
    this.#index.clear();
    const lastAtStart = await this.#lastRevision();
    let replayed!: () => void;
    const initial = new Promise<void>((resolve) => (replayed = resolve));
    const watch = await this.#request('watch', () =>
      watchBucket(this.#watchKv, (entry) => this.#apply(entry), {
        // Every revision in stream order: the index ends the same, and the watch starts in
        // well under a second on a million keys (the last value per key takes seconds on 2.9).
        everyRevision: true,
        onInitialDone: () => replayed(),
        onEntryError: (error, entry) =>
          this.#logger.error(
            { key: entry.key.slice(0, 200), error: (error as Error).message },
            'retained index update failed',
          ),
      }),
    );
    this.#watch = watch;
    void watch.ended.then((ended) => this.#watchEnded(watch, ended));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RetainedStoreUnavailableError('replay', 'timeout')),
        this.#startTimeoutMs,
      );
    });
    try {
      await Promise.race([initial, timedOut]);
    } catch (error) {
      watch.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.#index.replayedUpTo(lastAtStart);
    this.#following = true;
    this.#logger.info(
      { messages: this.#index.size, bytes: this.#index.bytes },
      'retained index replayed',
    );
  }

  // A watch that ends on its own would leave the limits judged on a frozen index: start over.
  #watchEnded(watch: BucketWatch, ended: { expected: boolean; error?: unknown }): void {
    if (this.#closed || ended.expected || watch !== this.#watch) return;
    this.#following = false;
    this.#logger.error(
      { error: (ended.error as Error | undefined)?.message },
      'retained watch ended, replaying the bucket',
    );
    this.#restartWatch(WATCH_RETRY_MS);
  }

  #restartWatch(delayMs: number): void {
    this.counters.watchRestarts++;
    this.#ready = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        if (this.#closed) {
          reject(new RetainedStoreUnavailableError('closed', 'store closed'));
          return;
        }
        this.#startWatch().then(resolve, (error: unknown) => {
          this.#logger.error({ error: (error as Error).message }, 'retained watch restart failed');
          this.#restartWatch(Math.min(delayMs * 2, WATCH_RETRY_MAX_MS));
          resolve(this.#ready); // whoever waits, waits for the next attempt
        });
      }, delayMs);
    });
    this.#ready.catch(() => undefined);
  }

  async #whenReady(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RetainedStoreUnavailableError('index not ready', 'timeout')),
        this.#requestTimeoutMs,
      );
    });
    try {
      await Promise.race([this.#ready, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  // One change of the bucket, in stream order.
  #apply(entry: KvEntry): void {
    if (entry.operation !== 'PUT') {
      this.#index.remove(entry.key, entry.revision);
      return;
    }
    let bytes: number;
    let expiresAt: number | undefined;
    try {
      // retainedMessageBytes without the payload at hand: UTF-8 topic plus payload length.
      const head = peekRetainedValue(entry.value);
      bytes = topicBytesOfKey(entry.key) + head.payloadBytes;
      expiresAt = head.expiresAt;
    } catch (error) {
      this.#invalid(entry.key, entry.revision, error);
      // Not ours, yet it occupies the bucket until an empty PUBLISH on its topic deletes it.
      bytes = entry.key.length + entry.value.length;
      expiresAt = undefined;
    }
    this.#index.put(entry.key, entry.revision, bytes, expiresAt);
  }

  #limitPassed(key: string, bytes: number): RetainedStoreLimitKind | undefined {
    const held = this.#index.bytesOf(key);
    const messages = this.#index.size + this.#reserved.messages;
    if (held === undefined && messages >= this.limits.maxMessages) {
      return RetainedStoreLimitKinds.messages;
    }
    const total = this.#index.bytes + this.#reserved.bytes - (held ?? 0) + bytes;
    if (total > this.limits.maxBytes) return RetainedStoreLimitKinds.bytes;
    return undefined;
  }

  async #delete(key: string): Promise<void> {
    // Waiting before writing: the delete marker's revision is not returned.
    const seen = this.#index.nextChange(key, this.#requestTimeoutMs);
    await this.#request('delete', () => this.#kv.delete(key));
    await seen;
  }

  // Makes room: deletes expired messages the index knows of, each only if still the same revision.
  async #deleteExpired(now: number): Promise<void> {
    for (;;) {
      const expired = this.#index.expired(now, SWEEP_BATCH);
      if (expired.length === 0) return;
      const results = await Promise.all(
        expired.map(({ key, revision }) => this.#deleteRevision(key, revision)),
      );
      // A batch where nothing could be deleted (replaced meanwhile, or NATS failing) ends the
      // sweep: the index moves on through the watch, not through this loop.
      if (!results.includes(true)) return;
    }
  }

  // Deletes `key` if its value is still the one at `revision`; true once the index saw it.
  async #deleteRevision(key: string, revision: number): Promise<boolean> {
    const seen = this.#index.nextChange(key, this.#requestTimeoutMs);
    try {
      await this.#kv.delete(key, { previousSeq: revision });
    } catch (error) {
      // Most often a newer message replaced it (wrong last sequence): that one stays.
      this.#logger.debug({ key, error: (error as Error).message }, 'expired retained not deleted');
      return false;
    }
    this.counters.expiredDeleted++;
    return seen;
  }

  // Expired messages found by a read are deleted in the background; close() waits for them.
  #deleteLater(key: string, revision: number): void {
    const work = this.#deleteRevision(key, revision).then(() => undefined);
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  // The current values under one key filter of a match.
  async #read(key: string): Promise<BucketEntry[]> {
    if (isLiteralKey(key)) return this.#lookup(key);
    const keys = await this.#indexedKeys(key);
    if (keys === undefined) return this.#scan(key);
    this.counters.indexed++;
    const found: BucketEntry[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) found.push(...(await this.#lookup(keys[next++]!)));
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, keys.length) }, worker));
    return found;
  }

  // The keys the index holds under a wildcard key filter, once it has caught up with the
  // bucket; undefined when it cannot tell in time or when they are too many to look up.
  async #indexedKeys(filter: string): Promise<string[] | undefined> {
    if (!this.#following) return undefined;
    const last = await this.#lastRevision();
    if (!(await this.#index.caughtUp(last, this.#requestTimeoutMs))) return undefined;
    const max = Math.max(LOOKUP_MIN, Math.floor(this.#index.size / LOOKUP_RATIO));
    return this.#index.keysMatching(filter, max);
  }

  // The bucket's last revision: every write acknowledged so far is at or below it.
  async #lastRevision(): Promise<number> {
    const status = await this.#request('status', () => this.#kv.status());
    return status.streamInfo.state.last_seq;
  }

  async #lookup(key: string): Promise<BucketEntry[]> {
    this.counters.lookups++;
    const entry = await this.#request('get', () => this.#kv.get(key));
    if (entry === null || entry.operation !== 'PUT') return [];
    return [{ key, value: entry.value, revision: entry.revision }];
  }

  async #scan(key: string): Promise<BucketEntry[]> {
    this.counters.scans++;
    return this.#request('scan', () =>
      readBucketEntries(this.#nc, BucketSpecs.retained.name, key, {
        timeoutMs: this.#scanTimeoutMs,
        maxEntries: this.limits.maxMessages + MATCH_SLACK,
      }),
    );
  }

  // The message of an entry read from NATS, unless it is malformed or expired.
  #live(entry: BucketEntry, now: number): RetainedMessage | undefined {
    let msg: RetainedMessage;
    try {
      msg = decodeRetainedValue(topicOfRetainedKey(entry.key), entry.value);
    } catch (error) {
      this.#invalid(entry.key, entry.revision, error);
      return undefined;
    }
    if (isRetainedExpired(msg, now)) {
      // Discarded, never sent (MQTT 5 §3.3.1.3) [MQTT-3.3.2-5].
      this.#deleteLater(entry.key, entry.revision);
      return undefined;
    }
    return msg;
  }

  #invalid(key: string, revision: number, error: unknown): void {
    this.counters.invalid++;
    this.#logger.warn(
      { key: key.slice(0, 200), revision, error: (error as Error).message },
      'invalid retained entry skipped',
    );
  }

  async #request<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new RetainedStoreUnavailableError(operation, error);
    }
  }
}

/** The key of a topic name set() may store; RetainedTopicError (0x90) otherwise. */
function keyOfName(topic: string): string {
  const problem = validateTopicName(topic);
  if (problem !== undefined) {
    throw new RetainedTopicError(topic, problem, ReasonCodes.topicNameInvalid);
  }
  return retainedKeyOf(topic);
}
