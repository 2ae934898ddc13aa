// What the other broker replicas subscribe to, so that a PUBLISH goes to NATS only when some
// replica (or the usp-router, by the fixed export filters) wants it, and who is alive.
//
// Each replica announces its interest (the filters and shared groups its clients hold, as the
// engine's subscription index reports them) on `mqtt.interest.v1.r.<replica>`: numbered
// changes `{seq, add, remove}`, and on request a snapshot (`reset` on its first part). A replica
// that starts, or sees a gap in a peer's numbers, asks on `mqtt.interest.v1.sync` (everyone, or
// one `target`) and applies the snapshot that follows. Heartbeats on `mqtt.replica.v1.<replica>`
// carry the last number, so a lost change is noticed within one beat; a peer silent for
// `peerTimeoutMs` is suspect, for twice that gone: its interest is dropped and `onPeerGone`
// tells the broker.
//
// Core NATS, not KV: interest changes with every subscription and only live replicas matter; a
// KV watch of several keys needs nats-server 2.10. Announcements are validated like any input.
//
// The window: a SUBACK is sent when the engine has the subscription, and peers learn of it one
// NATS hop later (well under a millisecond on one host); a message another replica publishes in
// between is not sent to this one. NATS itself has the same window between its servers.
import { decodeKvKey, encodeKvKey, ReplicaSubjects } from '@octomesh/contracts';
import { validateTopicFilter } from '@octomesh/acl-rules';
import { interestKey, interestOf, type SubscriptionIndex } from '@octomesh/mqtt-engine';
import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';

/** Settings of {@link ReplicaInterest}. */
export interface ReplicaInterestOptions {
  /** Announcements go out and come in here (a connection with noEcho, ideally). */
  nc: NatsConnection;
  replica: string;
  logger: Logger;
  /**
   * Where the peers' interest goes: subscriptions with the peer's replica id as client id. The
   * fabric matches every topic it publishes against it.
   */
  gate: SubscriptionIndex;
  heartbeatMs?: number;
  peerTimeoutMs?: number;
  /** Interest entries one peer may hold (a peer announcing more is cut off, with a warning). */
  maxKeysPerPeer?: number;
  /** A peer stopped beating (killed, partitioned): its clients' connections are gone too. */
  onPeerGone?: (replica: string) => void;
}

/** Counters (metrics). */
export interface ReplicaInterestCounters {
  announcementsSent: number;
  announcementsReceived: number;
  invalid: number;
  syncsRequested: number;
  peersGone: number;
}

interface Peer {
  lastSeq: number;
  lastSeen: number;
  /** A gap was seen: changes are ignored until the next snapshot. */
  stale: boolean;
  /** When a snapshot was last asked of it (asked again after two beats without one). */
  syncAskedAt: number;
  /** Silent past the timeout, not yet gone. */
  suspect: boolean;
  /** When its last heartbeat arrived (0: none yet). */
  lastBeat: number;
  keys: Set<string>;
}

const ANNOUNCE_PREFIX = `${ReplicaSubjects.interestPrefix}.r`;
/** Largest announcement, in bytes of keys: snapshots are cut into parts of this size. */
const PART_BYTES = 256 * 1024;
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The interest of this replica and of its peers. */
export class ReplicaInterest {
  readonly counters: ReplicaInterestCounters = {
    announcementsSent: 0,
    announcementsReceived: 0,
    invalid: 0,
    syncsRequested: 0,
    peersGone: 0,
  };
  readonly #nc: NatsConnection;
  readonly #replica: string;
  readonly #token: string;
  readonly #logger: Logger;
  readonly #gate: SubscriptionIndex;
  readonly #heartbeatMs: number;
  readonly #peerTimeoutMs: number;
  readonly #maxKeysPerPeer: number;
  readonly #onPeerGone: ((replica: string) => void) | undefined;
  readonly #local = new Set<string>();
  readonly #peers = new Map<string, Peer>();
  /** How many peers hold each shared key (`$share/<group>/<filter>`). */
  readonly #sharedByPeers = new Map<string, number>();
  readonly #subscriptions: NatsSubscription[] = [];
  #seq = 0;
  #pendingAdd = new Set<string>();
  #pendingRemove = new Set<string>();
  #flushQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** This replica's own NATS connection is down: a peer's silence says nothing. */
  #offline = false;

  constructor(options: ReplicaInterestOptions) {
    this.#nc = options.nc;
    this.#replica = options.replica;
    this.#token = encodeKvKey(options.replica);
    this.#logger = options.logger;
    this.#gate = options.gate;
    this.#heartbeatMs = options.heartbeatMs ?? 1000;
    this.#peerTimeoutMs = options.peerTimeoutMs ?? 3500;
    this.#maxKeysPerPeer = options.maxKeysPerPeer ?? 1_000_000;
    this.#onPeerGone = options.onPeerGone;
  }

  /** Listens to peers, asks them for their interest, and starts beating. */
  start(): void {
    const listen = (subject: string, handle: (msg: Msg) => void): void => {
      this.#subscriptions.push(
        this.#nc.subscribe(subject, {
          callback: (error, msg) => {
            if (error !== null || this.#closed) return;
            try {
              handle(msg);
            } catch (cause) {
              this.counters.invalid++;
              this.#logger.warn(
                { subject: msg.subject.slice(0, 200), error: (cause as Error).message },
                'invalid replica message dropped',
              );
            }
          },
        }),
      );
    };
    listen(`${ANNOUNCE_PREFIX}.*`, (msg) => this.#onAnnouncement(msg));
    listen(ReplicaSubjects.interestSync, (msg) => this.#onSync(msg));
    listen(`${ReplicaSubjects.heartbeatPrefix}.*`, (msg) => this.#onHeartbeat(msg));
    this.#requestSync(undefined);
    this.#beat();
    this.#timer = setInterval(() => {
      this.#beat();
      this.#expirePeers(Date.now());
    }, this.#heartbeatMs);
    this.#timer.unref();
  }

  /** True when some peer has a member of this shared group. */
  peersShare(filter: string, shareGroup: string): boolean {
    return this.#sharedByPeers.has(interestKey(filter, shareGroup));
  }

  #countShared(key: string, change: 1 | -1): void {
    if (!key.startsWith('$share/')) return;
    const count = (this.#sharedByPeers.get(key) ?? 0) + change;
    if (count > 0) this.#sharedByPeers.set(key, count);
    else this.#sharedByPeers.delete(key);
  }

  /**
   * This replica lost NATS: peers are not judged by their silence meanwhile, since none of them
   * can be heard (were they, every peer would be declared gone and its clients' wills sent).
   */
  connectionLost(): void {
    this.#offline = true;
  }

  /**
   * NATS is back: every peer gets a full timeout from now to be heard again, and everyone is
   * asked for a snapshot (announcements sent meanwhile were lost both ways).
   */
  connectionBack(now = Date.now()): void {
    this.#offline = false;
    for (const peer of this.#peers.values()) {
      peer.lastSeen = Math.max(peer.lastSeen, now);
      peer.suspect = false;
    }
    this.#requestSync(undefined);
  }

  /**
   * True when `replica` has beaten since `since` and its interest is current (no snapshot
   * awaited): its subscriptions are at the server again after an outage (a replica's heartbeats
   * leave on the connection that holds its subscriptions, after them). Unknown replicas (gone,
   * or never heard) count as caught up: nobody is left to wait for.
   */
  caughtUp(replica: string, since: number): boolean {
    const peer = this.#peers.get(replica);
    if (peer === undefined) return true;
    return peer.lastBeat >= since && !peer.stale;
  }

  /** True while `replica` counts as alive: heard from, and not (yet) declared gone. */
  known(replica: string): boolean {
    return this.#peers.has(replica);
  }

  /** The replicas heard from within the timeout (not this one; not those gone silent). */
  peers(): string[] {
    const now = Date.now();
    return [...this.#peers]
      .filter(([, peer]) => now - peer.lastSeen < this.#peerTimeoutMs)
      .map(([replica]) => replica);
  }

  /** This replica's interest changed (the engine's first or last subscription of a key). */
  set(filter: string, shareGroup: string | undefined, present: boolean): void {
    const key = interestKey(filter, shareGroup);
    if (present) {
      if (this.#local.has(key)) return;
      this.#local.add(key);
      if (!this.#pendingRemove.delete(key)) this.#pendingAdd.add(key);
    } else {
      if (!this.#local.delete(key)) return;
      if (!this.#pendingAdd.delete(key)) this.#pendingRemove.add(key);
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      // One announcement for every change made in the same turn (a session resumed with many
      // subscriptions), sent before the SUBACKs of that turn are written.
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#closed) return;
    const add = [...this.#pendingAdd];
    const remove = [...this.#pendingRemove];
    this.#pendingAdd.clear();
    this.#pendingRemove.clear();
    if (add.length === 0 && remove.length === 0) return;
    for (const part of partsOf(add)) this.#announce({ add: part });
    for (const part of partsOf(remove)) this.#announce({ remove: part });
  }

  #announce(body: { reset?: true; add?: string[]; remove?: string[] }): void {
    this.#seq++;
    this.#nc.publish(
      `${ANNOUNCE_PREFIX}.${this.#token}`,
      JSON.stringify({ seq: this.#seq, ...body }),
    );
    this.counters.announcementsSent++;
  }

  #snapshot(): void {
    const keys = [...this.#local];
    const parts = partsOf(keys);
    if (parts.length === 0) parts.push([]);
    parts.forEach((part, i) =>
      this.#announce(i === 0 ? { reset: true, add: part } : { add: part }),
    );
  }

  #requestSync(target: string | undefined): void {
    this.counters.syncsRequested++;
    this.#nc.publish(
      ReplicaSubjects.interestSync,
      JSON.stringify(
        target === undefined ? { from: this.#replica } : { from: this.#replica, target },
      ),
    );
  }

  #beat(): void {
    if (this.#closed) return;
    this.#nc.publish(
      `${ReplicaSubjects.heartbeatPrefix}.${this.#token}`,
      JSON.stringify({ seq: this.#seq }),
    );
  }

  #peerOf(msg: Msg, prefix: string): string | undefined {
    const replica = decodeKvKey(msg.subject.slice(prefix.length + 1));
    return replica === this.#replica ? undefined : replica;
  }

  #onSync(msg: Msg): void {
    const body = parseJson(msg.data) as { from?: unknown; target?: unknown };
    if (typeof body.from !== 'string' || body.from === this.#replica) return;
    if (body.target !== undefined && body.target !== this.#replica) return;
    // Pending changes first, so the snapshot's numbers follow them.
    this.#flush();
    this.#snapshot();
  }

  #onHeartbeat(msg: Msg): void {
    const replica = this.#peerOf(msg, ReplicaSubjects.heartbeatPrefix);
    if (replica === undefined) return;
    const body = parseJson(msg.data) as { seq?: unknown };
    if (!isSeq(body.seq)) throw new Error('heartbeat without seq');
    const peer = this.#peers.get(replica);
    if (peer === undefined) {
      // A replica we never heard announce (started before our sync reached it, or restarted).
      const now = Date.now();
      this.#peers.set(replica, {
        lastSeq: -1,
        lastSeen: now,
        stale: true,
        syncAskedAt: now,
        suspect: false,
        lastBeat: now,
        keys: new Set(),
      });
      this.#requestSync(replica);
      return;
    }
    const now = Date.now();
    peer.lastSeen = now;
    peer.lastBeat = now;
    const missed = !peer.stale && body.seq > peer.lastSeq;
    const unanswered = peer.stale && now - peer.syncAskedAt > 2 * this.#heartbeatMs;
    if (missed || unanswered) {
      peer.stale = true;
      peer.syncAskedAt = now;
      this.#requestSync(replica);
    }
  }

  #onAnnouncement(msg: Msg): void {
    const replica = this.#peerOf(msg, ANNOUNCE_PREFIX);
    if (replica === undefined) return;
    if (msg.data.length > MAX_MESSAGE_BYTES) throw new Error('announcement too large');
    const body = parseJson(msg.data) as {
      seq?: unknown;
      reset?: unknown;
      add?: unknown;
      remove?: unknown;
    };
    if (!isSeq(body.seq)) throw new Error('announcement without seq');
    const add = stringList(body.add, 'add');
    const remove = stringList(body.remove, 'remove');
    // Every key is checked before any is applied: a bad one drops the whole announcement.
    for (const key of add) {
      const { filter, shareGroup } = interestOf(key);
      const problem = validateTopicFilter(filter);
      if (problem !== undefined)
        throw new Error(`bad filter ${JSON.stringify(filter.slice(0, 200))}: ${problem}`);
      if (shareGroup !== undefined && (shareGroup === '' || /[+#/]/.test(shareGroup))) {
        throw new Error('bad share group');
      }
    }
    this.counters.announcementsReceived++;
    let peer = this.#peers.get(replica);
    if (peer === undefined) {
      peer = {
        lastSeq: -1,
        lastSeen: Date.now(),
        stale: true,
        syncAskedAt: 0,
        suspect: false,
        lastBeat: 0,
        keys: new Set(),
      };
      this.#peers.set(replica, peer);
    }
    peer.lastSeen = Date.now();
    if (body.reset === true) {
      this.#dropKeys(replica, peer);
      peer.stale = false;
    } else if (peer.stale) {
      return;
    } else if (body.seq !== peer.lastSeq + 1) {
      // A change went missing: everything from this peer waits for its snapshot.
      peer.stale = true;
      peer.syncAskedAt = Date.now();
      this.#requestSync(replica);
      return;
    }
    peer.lastSeq = body.seq;
    for (const key of remove) {
      if (!peer.keys.delete(key)) continue;
      this.#countShared(key, -1);
      const { filter, shareGroup } = interestOf(key);
      this.#gate.remove(replica, filter, shareGroup);
    }
    for (const key of add) {
      if (peer.keys.has(key)) continue;
      if (peer.keys.size >= this.#maxKeysPerPeer) {
        this.counters.invalid++;
        this.#logger.warn({ replica, limit: this.#maxKeysPerPeer }, 'peer interest over its limit');
        break;
      }
      const { filter, shareGroup } = interestOf(key);
      this.#gate.add({
        clientId: replica,
        filter,
        ...(shareGroup !== undefined ? { shareGroup } : {}),
        options: { qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      });
      peer.keys.add(key);
      this.#countShared(key, 1);
    }
  }

  #dropKeys(replica: string, peer: Peer): void {
    this.#gate.removeClient(replica);
    for (const key of peer.keys) this.#countShared(key, -1);
    peer.keys.clear();
  }

  // A peer silent for the timeout is suspect: it no longer counts among the live peers (claims do
  // not wait for it) and a warning says so, but its interest stays, so a replica that was only
  // stalled (a long GC, an overloaded host) loses no message. Silent for twice the timeout, it is
  // gone: its interest is dropped and the broker sends its clients' wills. A suspect that beats
  // again is simply back.
  #expirePeers(now: number): void {
    if (this.#offline) return;
    for (const [replica, peer] of this.#peers) {
      const silentMs = now - peer.lastSeen;
      if (silentMs < this.#peerTimeoutMs) {
        peer.suspect = false;
        continue;
      }
      if (silentMs < 2 * this.#peerTimeoutMs) {
        if (!peer.suspect) {
          peer.suspect = true;
          this.#logger.warn({ replica, silentMs }, 'broker replica silent: suspected gone');
        }
        continue;
      }
      this.#peers.delete(replica);
      this.#dropKeys(replica, peer);
      this.counters.peersGone++;
      this.#logger.warn(
        { replica, silentMs },
        'broker replica stopped beating: its interest is dropped, its wills are sent',
      );
      this.#onPeerGone?.(replica);
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }
}

function parseJson(data: Uint8Array): unknown {
  const value: unknown = JSON.parse(new TextDecoder().decode(data));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('not a JSON object');
  }
  return value;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${name} must be a list of strings`);
  }
  return value as string[];
}

/** Keys cut into parts of at most PART_BYTES. */
function partsOf(keys: readonly string[]): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let bytes = 0;
  for (const key of keys) {
    const size = Buffer.byteLength(key) + 4;
    if (part.length > 0 && bytes + size > PART_BYTES) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(key);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
