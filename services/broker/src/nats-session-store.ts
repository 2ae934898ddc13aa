// Persistent sessions shared by every broker replica (issue 11): a SessionStore on the JetStream
// KV bucket `mqtt-sessions`, one key per client id (encodeKvKey), one revision kept. What is kept
// is what StoredSession holds: identity, expiry and subscriptions. Queued QoS 1/2 messages of
// offline sessions are not part of it; they are to go to a JetStream stream later.
//
// Ownership between replicas. The engine loads a session when a connection attaches on a
// replica that does not hold it in memory, saves it when that connection ends and deletes it
// when the session ends. Replicas race: a client whose old connection on replica A has not
// timed out yet reconnects on B; A may save or delete after B took over. Every value therefore
// records `owner` (the replica's per-process id) and `since` (when that replica's connection for
// the client attached, i.e. its load), and every write is a compare-and-set on the revision this
// replica last saw. A write whose revision is stale re-reads the key and goes ahead only when
// the value there is absent or unreadable, is this replica's own, or was written for a connection
// that attached no later than ours. So:
//   - the write for the connection that attached last wins, whatever order writes arrive in: a
//     save from an older connection never replaces a newer one's session, and never resurrects a
//     session a newer connection ended (a delete leaves an `ended` record, kept
//     `endedRetentionMs` before the sweeper removes it: it must outlast the time a dead
//     connection can go unnoticed, 1.5 × the longest keep-alive);
//   - a replica's own operations on one client id run in call order (queued per client id);
//   - "attached last" is judged by wall clocks: replicas must keep them in sync (NTP); attaches
//     closer together than the clock skew are ordered arbitrarily;
//   - the store sees an attach only through load(): a replica that resumes a session it still
//     holds in memory after another replica took the client id over writes with its older
//     `since` and loses. Cross-replica takeover must end the other replicas' in-memory copies;
//   - a session that found nothing stored when it attached and saved nothing ends without a
//     write (the common clean session costs one read and nothing more): a save from an older
//     connection racing it may then remain, as it would had that connection ended first;
//   - a replica that has forgotten a client id's attach time (maxTrackedClients) only replaces
//     nothing, an unreadable value or its own writes.
// A write dropped for a newer owner resolves (counted in `superseded`); after a few conflicting
// rounds in a row a write gives up with SessionStoreUnavailableError.
//
// Expiry. nats-server 2.9 has no per-message TTL: load() removes an expired session it finds,
// and sweepExpired() walks the bucket in bounded passes removing expired sessions, old `ended`
// records, unreadable records and delete markers left by others. Removal is a purge of the key
// below the revision read, so it never touches a newer write and leaves no marker behind; it is
// idempotent, so every replica may run the sweeper (startSessionSweeper, jittered interval).
//
// Bound. A save that would add a key is refused with SessionStoreFullError when the bucket's
// value count has reached maxSessions. The count includes `ended` and not yet swept expired
// records, and is read before the write: replicas saving new sessions at the same moment can
// together exceed the bound by the number of such saves in flight.
import {
  BucketSpecs,
  decodeKvKey,
  encodeKvKey,
  OctomeshError,
  ReasonCodes,
} from '@octomesh/contracts';
import {
  SessionStoreFullError,
  type SessionStore,
  type StoredSession,
} from '@octomesh/mqtt-engine';
import {
  openBucket,
  readBucketEntries,
  type BucketEntry,
  type KV,
  type KvEntry,
  type NatsConnection,
} from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { decodeSessionRecord, encodeSessionRecord, type SessionRecord } from './session-record.ts';

/** Options of {@link NatsSessionStore.open}. */
export interface NatsSessionStoreOptions {
  /** Values the bucket may hold; a save that would add a key beyond it is refused. */
  maxSessions: number;
  /** This replica's per-process id (the fabric's), written as the owner of what it writes. */
  replica: string;
  logger: Logger;
  /** Copies of the bucket on a NATS cluster: 1, 3 or 5 (default 1). */
  bucketReplicas?: number;
  /** Deadline of every NATS call, in ms (default 2000). */
  timeoutMs?: number;
  /** How long `ended` and unreadable records stay before the sweeper removes them (default 15 min). */
  endedRetentionMs?: number;
  /** Subscriptions a stored session may hold; a record with more is unreadable (default 100,000). */
  maxSubscriptions?: number;
  /** Client ids whose attach time this replica remembers (default 1,000,000; oldest forgotten). */
  maxTrackedClients?: number;
  /** The wall clock, ms since the epoch (default Date.now). */
  clock?: () => number;
  /**
   * Whether a replica is alive (this one, or a peer heard lately). A session saved as connected by
   * a replica that is not gets its expiry started by the sweeper. Default: every replica is
   * alive (connected sessions never expire; a single-replica store that restarts resumes them).
   */
  isLive?: (replica: string) => boolean;
}

/** What the store has done (metrics). */
export interface NatsSessionStoreCounters {
  saved: number;
  loaded: number;
  /** `ended` records written by delete(). */
  ended: number;
  /** Writes dropped because a connection that attached later owns the client id. */
  superseded: number;
  /** Writes retried because another write came first. */
  conflicts: number;
  /** Records that failed validation (treated as no session). */
  invalid: number;
  refusedFull: number;
  /** Expired sessions removed, by load() and by the sweeper. */
  expiredRemoved: number;
  /** `ended`, unreadable records and markers removed by the sweeper. */
  discardedRemoved: number;
  /** Sessions saved as connected by a replica that is gone, marked disconnected by the sweeper. */
  orphansReleased: number;
  /** Sessions of dead replicas taken over by this one. */
  adopted: number;
}

/** What one sweep did. */
export interface SweepResult {
  scanned: number;
  expiredRemoved: number;
  discardedRemoved: number;
  /** True when the pass reached the end of the bucket (the next one starts over). */
  complete: boolean;
}

/** The store could not answer: a NATS call failed or missed its deadline, or writes kept colliding. */
export class SessionStoreUnavailableError extends OctomeshError {
  readonly operation: string;

  constructor(operation: string, problem: string, options: { cause?: unknown } = {}) {
    super('SESSION_STORE_UNAVAILABLE', `session store ${operation}: ${problem}`, {
      reasonCode: ReasonCodes.serverUnavailable,
      cause: options.cause,
    });
    this.operation = operation;
  }
}

// Conflicting write rounds before a write gives up (each one means another write landed first).
const MAX_WRITE_ROUNDS = 4;
// JetStream's answers to a compare-and-set on a stale revision.
const WRONG_LAST_SEQUENCE = new Set([10071, 10164]);

/** What this replica knows of a client id: the revision it last saw and when its connection attached. */
interface Held {
  revision: number;
  since: number;
}

/** The value under a key as read: its revision (0: no message), the record when readable. */
interface Current {
  revision: number;
  record?: SessionRecord;
}

/** A SessionStore on the JetStream KV bucket every broker replica shares. */
export class NatsSessionStore implements SessionStore {
  readonly counters: NatsSessionStoreCounters = {
    saved: 0,
    loaded: 0,
    ended: 0,
    superseded: 0,
    conflicts: 0,
    invalid: 0,
    refusedFull: 0,
    expiredRemoved: 0,
    discardedRemoved: 0,
    orphansReleased: 0,
    adopted: 0,
  };
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  readonly #replica: string;
  readonly #logger: Logger;
  readonly #maxSessions: number;
  readonly #timeoutMs: number;
  readonly #endedRetentionMs: number;
  readonly #maxSubscriptions: number;
  readonly #maxTracked: number;
  readonly #clock: () => number;
  readonly #isLive: (replica: string) => boolean;
  readonly #held = new Map<string, Held>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #sweepCursor = 0;
  #sweeping: Promise<SweepResult> | undefined;

  private constructor(nc: NatsConnection, kv: KV, options: NatsSessionStoreOptions) {
    this.#nc = nc;
    this.#kv = kv;
    this.#replica = options.replica;
    this.#logger = options.logger.child({ component: 'session-store' });
    this.#maxSessions = options.maxSessions;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#endedRetentionMs = options.endedRetentionMs ?? 15 * 60_000;
    this.#maxSubscriptions = options.maxSubscriptions ?? 100_000;
    this.#maxTracked = options.maxTrackedClients ?? 1_000_000;
    this.#clock = options.clock ?? Date.now;
    this.#isLive = options.isLive ?? (() => true);
  }

  /** Opens (creating when missing) the sessions bucket and returns a store on it. */
  static async open(
    nc: NatsConnection,
    options: NatsSessionStoreOptions,
  ): Promise<NatsSessionStore> {
    const timeoutMs = options.timeoutMs ?? 2000;
    const kv = await withDeadline(
      'open',
      timeoutMs,
      openBucket(nc, BucketSpecs.sessions, options.bucketReplicas ?? 1),
    );
    return new NatsSessionStore(nc, kv, options);
  }

  /**
   * Who holds the client id's session now, read only (no attach is recorded): `session` with the
   * replica that last wrote it (and whether a connection held it then), `ended` when a connection
   * ended it, undefined when nothing (or nothing readable) is stored.
   */
  async holder(
    clientId: string,
  ): Promise<{ kind: 'session' | 'ended'; owner: string; connected: boolean } | undefined> {
    const current = await this.#read(encodeKvKey(clientId), clientId);
    const record = current.record;
    if (record === undefined) return undefined;
    return {
      kind: record.kind,
      owner: record.owner,
      connected: record.kind === 'session' && record.session.connected === true,
    };
  }

  /**
   * Takes over the sessions a replica that died owned: each one (not expired) is won by writing
   * this replica as its owner at the revision read, so of several survivors exactly one takes
   * each. A session saved while connected counts as disconnected from `now`. Returns the won
   * sessions (the engine adopts them). Reads the whole bucket: nats-server 2.9 has no index by
   * owner; at most `maxEntries` records are looked at.
   */
  async adoptFrom(
    deadReplica: string,
    options: {
      now?: number;
      maxEntries?: number;
      timeoutMs?: number;
      /** Called with each session as it is won (the engine adopts it at once). */
      onAdopted?: (session: StoredSession) => void;
      /** Compare-and-set writes in flight (default 32). */
      concurrency?: number;
    } = {},
  ): Promise<StoredSession[]> {
    const now = options.now ?? this.#clock();
    const entries = await readBucketEntries(this.#nc, BucketSpecs.sessions.name, '>', {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxEntries: options.maxEntries ?? this.#maxSessions * 2,
    });
    const candidates: {
      entry: BucketEntry;
      clientId: string;
      since: number;
      session: StoredSession;
    }[] = [];
    for (const entry of entries) {
      let clientId: string;
      try {
        clientId = decodeKvKey(entry.key);
      } catch {
        continue;
      }
      const decoded = decodeSessionRecord(entry.value, clientId, this.#maxSubscriptions);
      if (!decoded.ok || decoded.record.kind !== 'session') continue;
      const record = decoded.record;
      if (record.owner !== deadReplica) continue;
      const { connected, ...rest } = record.session;
      const session: StoredSession = connected === true ? { ...rest, disconnectedAt: now } : rest;
      if (sessionExpired(session, now)) continue;
      candidates.push({ entry, clientId, since: record.since, session });
    }
    const won: StoredSession[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < candidates.length) {
        const { entry, clientId, since, session } = candidates[next++]!;
        const adopted: SessionRecord = { kind: 'session', owner: this.#replica, since, session };
        try {
          const revision = await this.#serial(clientId, () =>
            this.#put('adopt', entry.key, adopted, entry.revision),
          );
          this.#track(clientId, revision, since);
          this.counters.adopted++;
          won.push(session);
          options.onAdopted?.(session);
        } catch (error) {
          // Another survivor, or the client resuming somewhere, came first.
          if (!isWrongLastSequence(error)) throw error;
        }
      }
    };
    const workers = Math.max(1, Math.min(options.concurrency ?? 32, candidates.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return won;
  }

  /** Client ids whose attach time this replica remembers. */
  get trackedClients(): number {
    return this.#held.size;
  }

  save(session: StoredSession): Promise<void> {
    return this.#serial(session.clientId, () => this.#save(session));
  }

  load(clientId: string, now = this.#clock()): Promise<StoredSession | undefined> {
    return this.#serial(clientId, () => this.#load(clientId, now));
  }

  delete(clientId: string): Promise<void> {
    return this.#serial(clientId, () => this.#delete(clientId));
  }

  /**
   * Removes expired sessions, and `ended`, unreadable and marker records older than the retention,
   * looking at most at `maxScanned` keys from where the previous pass stopped and removing at
   * most `batchSize` at once. Safe on every replica at once.
   */
  sweepExpired(
    now = this.#clock(),
    options: { maxScanned?: number; batchSize?: number } = {},
  ): Promise<SweepResult> {
    // One pass at a time: passes share the cursor.
    this.#sweeping ??= this.#sweep(
      now,
      options.maxScanned ?? 10_000,
      options.batchSize ?? 100,
    ).finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #load(clientId: string, now: number): Promise<StoredSession | undefined> {
    const key = encodeKvKey(clientId);
    // A load is this replica's connection for the client id attaching.
    const since = this.#clock();
    const current = await this.#read(key, clientId);
    this.#track(clientId, current.revision, since);
    const record = current.record;
    if (record?.kind !== 'session') return undefined;
    if (sessionExpired(record.session, now)) {
      try {
        if (await this.#removeIfUnchanged(key, current.revision)) {
          this.counters.expiredRemoved++;
          this.#track(clientId, 0, since);
        }
      } catch (error) {
        // The sweeper will remove it; the caller only needs to know it is gone.
        this.#logger.warn({ clientId, error: (error as Error).message }, 'expired session kept');
      }
      return undefined;
    }
    this.counters.loaded++;
    return record.session;
  }

  async #save(session: StoredSession): Promise<void> {
    const clientId = session.clientId;
    const key = encodeKvKey(clientId);
    const held = this.#held.get(clientId);
    // Unknown attach time (forgotten, or never loaded here): never beats another replica's write.
    let since = held?.since ?? 0;
    let expected = held?.revision;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      if (expected === undefined) {
        const current = await this.#read(key, clientId);
        if (!this.#mayReplace(current.record, since)) return this.#superseded(clientId, 'save');
        if (current.record?.owner === this.#replica) since = Math.max(since, current.record.since);
        expected = current.revision;
      }
      // Only a key with no message at all adds to the value count.
      if (expected === 0) await this.#assertRoom();
      const record: SessionRecord = { kind: 'session', owner: this.#replica, since, session };
      try {
        const revision = await this.#put('save', key, record, expected);
        this.#track(clientId, revision, since);
        this.counters.saved++;
        return;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        this.counters.conflicts++;
        expected = undefined;
      }
    }
    throw new SessionStoreUnavailableError('save', 'writes kept colliding');
  }

  async #delete(clientId: string): Promise<void> {
    const held = this.#held.get(clientId);
    this.#held.delete(clientId);
    // Nothing was stored when the connection attached and nothing was written since: the end
    // of a clean session costs no NATS call.
    if (held?.revision === 0) return;
    const key = encodeKvKey(clientId);
    let since = held?.since ?? 0;
    let expected = held?.revision;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      if (expected === undefined) {
        const current = await this.#read(key, clientId);
        if (current.revision === 0 && held === undefined) return;
        if (!this.#mayReplace(current.record, since)) return this.#superseded(clientId, 'delete');
        if (current.record?.owner === this.#replica) since = Math.max(since, current.record.since);
        expected = current.revision;
      }
      // An `ended` record, not a removal: a late save from an older connection must find it.
      const record: SessionRecord = {
        kind: 'ended',
        owner: this.#replica,
        since,
        endedAt: this.#clock(),
      };
      try {
        await this.#put('delete', key, record, expected);
        this.counters.ended++;
        return;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        this.counters.conflicts++;
        expected = undefined;
      }
    }
    throw new SessionStoreUnavailableError('delete', 'writes kept colliding');
  }

  async #sweep(now: number, maxScanned: number, batchSize: number): Promise<SweepResult> {
    const result: SweepResult = {
      scanned: 0,
      expiredRemoved: 0,
      discardedRemoved: 0,
      complete: false,
    };
    const status = await withDeadline('status', this.#timeoutMs, this.#kv.status());
    if (status.values === 0 || this.#sweepCursor > status.streamInfo.state.last_seq) {
      this.#sweepCursor = 0;
    }
    if (status.values === 0) return { ...result, complete: true };
    const cursor = this.#sweepCursor;
    const watching = this.#kv.watch({
      key: '>',
      ...(cursor > 0 ? { resumeFromRevision: cursor } : {}),
    });
    const watch = await withDeadline('watch', this.#timeoutMs, watching).catch((error: unknown) => {
      // A watch that starts after its deadline must not run on unread.
      watching.then(
        (late) => late.stop(),
        () => undefined,
      );
      throw error;
    });
    const entries = watch[Symbol.asyncIterator]();
    const batch: Promise<void>[] = [];
    const flush = async (): Promise<void> => {
      for (const outcome of await Promise.allSettled(batch.splice(0))) {
        if (outcome.status === 'rejected') {
          this.#logger.warn({ error: (outcome.reason as Error).message }, 'sweep removal failed');
        }
      }
    };
    try {
      while (result.scanned < maxScanned) {
        let next: IteratorResult<KvEntry>;
        try {
          next = await withDeadline('watch', this.#timeoutMs, entries.next());
        } catch {
          // Nothing within the deadline: the keys past the cursor went away meanwhile (another
          // replica swept them), or NATS is slow; the next pass starts over or resumes.
          if (result.scanned === 0) this.#sweepCursor = 0;
          break;
        }
        if (next.done === true) break;
        const entry = next.value;
        result.scanned++;
        this.#sweepCursor = entry.revision + 1;
        const verdict = this.#sweepVerdict(entry, now);
        if (verdict === 'orphaned') {
          batch.push(
            this.#releaseOrphan(entry, now).then((released) => {
              if (released) this.counters.orphansReleased++;
            }),
          );
          if (batch.length >= batchSize) await flush();
        } else if (verdict !== 'keep') {
          batch.push(
            this.#removeIfUnchanged(entry.key, entry.revision).then((removed) => {
              if (!removed) return;
              if (verdict === 'expired') {
                result.expiredRemoved++;
                this.counters.expiredRemoved++;
              } else {
                result.discardedRemoved++;
                this.counters.discardedRemoved++;
              }
            }),
          );
          if (batch.length >= batchSize) await flush();
        }
        // The last value present when the watch started: the pass is done.
        if (entry.delta === 0) {
          result.complete = true;
          this.#sweepCursor = 0;
          break;
        }
      }
      await flush();
    } finally {
      watch.stop();
    }
    return result;
  }

  #sweepVerdict(entry: KvEntry, now: number): 'keep' | 'expired' | 'discard' | 'orphaned' {
    const old = entry.created.getTime() + this.#endedRetentionMs <= now;
    // A delete or purge marker written by someone else (`nats kv del`): it still counts as a value.
    if (entry.operation !== 'PUT') return old ? 'discard' : 'keep';
    let clientId: string;
    try {
      clientId = decodeKvKey(entry.key);
    } catch {
      this.counters.invalid++;
      return old ? 'discard' : 'keep';
    }
    const decoded = decodeSessionRecord(entry.value, clientId, this.#maxSubscriptions);
    if (!decoded.ok) {
      // A newer version's record is its business.
      if (decoded.unknownVersion) return 'keep';
      this.counters.invalid++;
      return old ? 'discard' : 'keep';
    }
    const record = decoded.record;
    if (record.kind === 'ended') {
      return record.endedAt + this.#endedRetentionMs <= now ? 'discard' : 'keep';
    }
    if (
      record.session.connected === true &&
      record.owner !== this.#replica &&
      !this.#isLive(record.owner)
    ) {
      return 'orphaned';
    }
    return sessionExpired(record.session, now) ? 'expired' : 'keep';
  }

  // A session its replica saved as connected, and that replica is gone (killed): from now on it
  // counts as disconnected, so its expiry starts (compare-and-set: a newer write wins). Owner and
  // attach time stay, so any connection that attaches later replaces it.
  async #releaseOrphan(entry: KvEntry, now: number): Promise<boolean> {
    const clientId = decodeKvKey(entry.key);
    const decoded = decodeSessionRecord(entry.value, clientId, this.#maxSubscriptions);
    if (!decoded.ok || decoded.record.kind !== 'session') return false;
    const { connected: _connected, ...session } = decoded.record.session;
    const record: SessionRecord = {
      ...decoded.record,
      session: { ...session, disconnectedAt: now },
    };
    try {
      await this.#put('sweep', entry.key, record, entry.revision);
      this.#logger.info(
        { clientId, replica: decoded.record.owner },
        'session of a gone replica: its expiry starts now',
      );
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    }
  }

  async #read(key: string, clientId: string): Promise<Current> {
    const entry = await withDeadline('get', this.#timeoutMs, this.#kv.get(key));
    if (entry === null) return { revision: 0 };
    if (entry.operation !== 'PUT') return { revision: entry.revision };
    const decoded = decodeSessionRecord(entry.value, clientId, this.#maxSubscriptions);
    if (!decoded.ok) {
      this.counters.invalid++;
      this.#logger.warn(
        { clientId, revision: entry.revision, problem: decoded.problem },
        'stored session invalid',
      );
      return { revision: entry.revision };
    }
    return { revision: entry.revision, record: decoded.record };
  }

  // Compare-and-set: lands only while the key is still at `expected` (0: no message).
  #put(operation: string, key: string, record: SessionRecord, expected: number): Promise<number> {
    return withDeadline(
      operation,
      this.#timeoutMs,
      this.#kv.put(key, encodeSessionRecord(record), { previousSeq: expected }),
    );
  }

  #mayReplace(record: SessionRecord | undefined, since: number): boolean {
    if (record === undefined) return true;
    // Our own write: nothing has been written since (our operations on a key run in order).
    if (record.owner === this.#replica) return true;
    return record.since <= since;
  }

  #superseded(clientId: string, operation: string): void {
    this.counters.superseded++;
    this.#logger.info({ clientId, operation }, 'session write superseded');
  }

  async #assertRoom(): Promise<void> {
    const status = await withDeadline('status', this.#timeoutMs, this.#kv.status());
    if (status.values >= this.#maxSessions) {
      this.counters.refusedFull++;
      throw new SessionStoreFullError(this.#maxSessions);
    }
  }

  // Removes the key's value while it is still at `revision`: a JetStream purge of the key's
  // subject below revision + 1 never touches a newer write and leaves no delete marker. This
  // belongs in nats-kit's kv.ts (a helper such as `purgeKeyUpTo`) once that file is free.
  async #removeIfUnchanged(key: string, revision: number): Promise<boolean> {
    const bucket = BucketSpecs.sessions.name;
    const subject = `$JS.API.STREAM.PURGE.KV_${bucket}`;
    const reply = await withDeadline(
      'purge',
      this.#timeoutMs,
      this.#nc.request(
        subject,
        JSON.stringify({ filter: `$KV.${bucket}.${key}`, seq: revision + 1 }),
        {
          timeout: this.#timeoutMs,
        },
      ),
    );
    const answer = parsePurgeReply(reply.string());
    if (answer.error !== undefined) {
      throw new SessionStoreUnavailableError('purge', `${subject} answered ${answer.error}`);
    }
    return answer.purged > 0;
  }

  // Runs a replica's operations on one client id in call order.
  #serial<T>(clientId: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(clientId) ?? Promise.resolve();
    const run = previous.then(operation, operation);
    const tail = run.catch(() => undefined);
    this.#queues.set(clientId, tail);
    void tail.then(() => {
      if (this.#queues.get(clientId) === tail) this.#queues.delete(clientId);
    });
    return run;
  }

  #track(clientId: string, revision: number, since: number): void {
    this.#held.delete(clientId);
    this.#held.set(clientId, { revision, since });
    if (this.#held.size > this.#maxTracked) {
      const oldest = this.#held.keys().next();
      if (oldest.done !== true) this.#held.delete(oldest.value);
    }
  }
}

/** True when a stored session's expiry has passed (the engine's rule, session-store.ts). */
function sessionExpired(session: StoredSession, now: number): boolean {
  if (session.connected === true) return false;
  return session.disconnectedAt + session.expirySeconds * 1000 <= now;
}

function isWrongLastSequence(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'JetStreamApiError' &&
    WRONG_LAST_SEQUENCE.has((error as { code?: unknown }).code as number)
  );
}

// A stream purge answer: `{ success, purged }` or `{ error: { code, description } }`.
function parsePurgeReply(text: string): { purged: number; error?: string } {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return { purged: 0, error: 'no JSON' };
  }
  const { purged, error } = (answer ?? {}) as { purged?: unknown; error?: unknown };
  if (error !== undefined) {
    const { code, description } = error as { code?: unknown; description?: unknown };
    return { purged: 0, error: `${String(code)} ${String(description)}` };
  }
  return { purged: typeof purged === 'number' ? purged : 0 };
}

// Bounds one NATS call; a stale-revision answer passes through untouched (the caller re-reads),
// any other failure becomes SessionStoreUnavailableError.
async function withDeadline<T>(operation: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new SessionStoreUnavailableError(operation, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (error instanceof SessionStoreUnavailableError || isWrongLastSequence(error)) throw error;
    throw new SessionStoreUnavailableError(operation, (error as Error).message, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
