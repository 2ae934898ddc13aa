// The NATS fabric, routed by interest. Every accepted PUBLISH goes to this replica's sessions at
// once and to NATS on `mqtt.msg.<encoded topic>` (one token per level, fabric-subject.ts) only
// when someone elsewhere wants it: another replica's clients (their interest, replica-interest.ts),
// a shared group (NATS queue groups pick the one replica that delivers), or the usp-router
// (the fixed export filters). MQTT properties and the publisher's authenticated identity travel
// in headers (design.md).
//
// A replica subscribes on NATS for its own clients' filters only: `+` is `*`, `#` is `>` (and
// its parent level), with the `$` rule checked here since NATS cannot express it. Filters inside
// a wide filter (the USP agent topics by default: a million devices, one filter each) are
// subscribed and announced as the wide filter. Plain subscriptions and publishes share a
// connection with noEcho, so a replica never receives its own messages back; a message that
// arrives through two overlapping subscriptions is kept once (publisher replica and sequence
// number). Queue subscriptions for shared groups use the other connection, because a group's
// member may be on the publishing replica itself. Messages from NATS are validated like any
// input: a bad subject or header is dropped and counted, never routed.
//
// NATS outages. nats.js discards what is published while it is disconnected (its buffer is reset
// at every dial), so the fabric holds messages for other replicas itself, in order and bounded
// (`maxHeldMessages`, `maxHeldBytes`), from the moment its connection drops. Messages sent in the
// `replayMs` before the drop was noticed may have died with the connection: they are held too,
// sent again, and dropped as duplicates by receivers that had them (sequence numbers, below);
// only the last 512, and none with a payload over 16 KiB (so the replay ring stays under 8 MiB).
// Once NATS is back the hold lasts until every peer that was alive has beaten again, which
// proves its subscriptions are at the server again (bounded by `recoveryTimeoutMs`), then it is
// sent. While the hold is full a QoS 1/2 PUBLISH is refused before anyone receives it
// (FabricBackloggedError: 0x97); a QoS 0 message reaches this replica's clients and its copy for
// the others is dropped and counted. Shared groups do not deduplicate (a queue group may pick
// another replica for the copy sent again): a shared message in the replay window may arrive
// twice, at least once. A peer that alone loses NATS misses what others publish meanwhile.
import { createHash } from 'node:crypto';
import {
  decodeFabricHeaders,
  encodeFabricHeaders,
  fabricSubscription,
  ReplicaSubjects,
  subjectToTopic,
  topicToSubject,
  type FabricMessage,
} from '@octomesh/contracts';
import {
  FabricBackloggedError,
  orderedPairs,
  SubscriptionIndex,
  userPropertiesOf,
  type EngineIdentity,
  type FabricHandler,
  type Message,
  type MessageFabric,
  type SharedDelivery,
} from '@octomesh/mqtt-engine';
import {
  headersOf,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { filterCovers, topicMatches, validateTopicName } from '@octomesh/acl-rules';
import { ReplicaInterest } from './replica-interest.ts';

/** Counters of the fabric (metrics). */
export interface FabricCounters {
  /** Messages sent to NATS. */
  published: number;
  /** Messages this replica kept to itself: nobody elsewhere wanted them. */
  notExported: number;
  received: number;
  /** Second copies through overlapping subscriptions, dropped. */
  duplicates: number;
  invalid: number;
  /** Shared-group messages handed to another replica's members: none was left here. */
  sharedRedirected: number;
  /** Times the fabric's NATS connection dropped. */
  outages: number;
  /** Messages held during outages and sent once NATS was back (replays included). */
  heldSent: number;
  /** QoS 0 copies for other replicas dropped because the hold was full. */
  heldDropped: number;
  /** QoS 1/2 PUBLISHes refused because the hold was full. */
  heldRefused: number;
}

/** The properties a fabric message carries, from an engine message. */
export function toFabric(message: Message, replica: string): FabricMessage {
  const p = message.properties;
  const fabric: FabricMessage = { qos: message.qos, retain: message.retain, replica };
  if (message.expiresAt !== undefined) fabric.expiresAt = message.expiresAt;
  if (p.payloadFormatIndicator !== undefined)
    fabric.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.contentType !== undefined) fabric.contentType = p.contentType;
  if (p.responseTopic !== undefined) fabric.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) fabric.correlationData = p.correlationData;
  const pairs = userPropertyPairs(p.userProperties);
  if (pairs.length > 0) fabric.userProperties = pairs;
  if (message.publisher !== undefined) {
    fabric.publisher = {
      subject: message.publisher.subject,
      role: message.publisher.role,
      endpointId: message.publisher.endpointId,
      clientId: message.publisher.clientId,
    };
  }
  return fabric;
}

// The engine keeps the wire order of parsed user properties; otherwise object order.
function userPropertyPairs(
  userProperties: Record<string, string | string[]> | undefined,
): (readonly [string, string])[] {
  if (userProperties === undefined) return [];
  const ordered = orderedPairs(userProperties);
  if (ordered !== undefined) return [...ordered];
  return Object.entries(userProperties).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => [name, v] as const),
  );
}

/** The engine message for a fabric message received from another replica. */
export function fromFabric(topic: string, payload: Uint8Array, fabric: FabricMessage): Message {
  const properties: Message['properties'] = {};
  if (fabric.payloadFormatIndicator !== undefined)
    properties.payloadFormatIndicator = fabric.payloadFormatIndicator;
  if (fabric.contentType !== undefined) properties.contentType = fabric.contentType;
  if (fabric.responseTopic !== undefined) properties.responseTopic = fabric.responseTopic;
  if (fabric.correlationData !== undefined) properties.correlationData = fabric.correlationData;
  if (fabric.userProperties !== undefined)
    properties.userProperties = userPropertiesOf(fabric.userProperties);
  const publisher: EngineIdentity | undefined =
    fabric.publisher === undefined ? undefined : { ...fabric.publisher, username: '' };
  return {
    topic,
    payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    qos: fabric.qos,
    retain: fabric.retain,
    properties,
    expiresAt: fabric.expiresAt,
    publisherClientId: fabric.publisher?.clientId ?? '',
    ...(publisher !== undefined ? { publisher } : {}),
    remote: true,
  };
}

/** Settings of {@link NatsFabric}. */
export interface NatsFabricOptions {
  /** Publishes and plain subscriptions: a connection with noEcho (see the header). */
  nc: NatsConnection;
  /** Queue subscriptions of shared groups: a connection that sees this replica's messages. */
  sharedNc: NatsConnection;
  replica: string;
  logger: Logger;
  /** Filters whose messages always go to NATS: the usp-router reads them. */
  exportFilters: readonly string[];
  /** Local filters inside one of these are subscribed and announced as it. */
  wideFilters?: readonly string[];
  heartbeatMs?: number;
  peerTimeoutMs?: number;
  /** A peer replica stopped beating. */
  onPeerGone?: (replica: string) => void;
  /** Messages held for other replicas while NATS is away (default 100,000). */
  maxHeldMessages?: number;
  /** Payload bytes held for other replicas while NATS is away (default 64 MiB). */
  maxHeldBytes?: number;
  /** Messages sent this long before an outage was noticed are sent again (default 2,000 ms). */
  replayMs?: number;
  /** Longest wait for peers to beat again before the hold is sent (default 7 beats). */
  recoveryTimeoutMs?: number;
  /**
   * NATS came back after an outage of at least `peerTimeoutMs`: the peers may have taken this
   * replica for gone (its sessions and wills taken over). Called once the hold is sent.
   */
  onLongOutage?: (offlineMs: number) => void;
}

/** A message for other replicas, kept while NATS is away or for a replay. */
interface Outbound {
  message: Message;
  seq: number;
  sentAt: number;
}

/** What is held while NATS is away: messages in order, and whom to wait for once it is back. */
interface Hold {
  messages: Outbound[];
  bytes: number;
  /** Peers alive when the connection dropped. */
  peers: string[];
}

const NO_OPTIONS = { qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 } as const;
// Client ids of the gate's own entries (peers use their replica names, which hold a '/').
const EXPORT_ENTRY = 'export';
const LOCAL_SHARED_ENTRY = 'local-shared';
/** Sequence numbers remembered per sender to drop second copies (they arrive back to back). */
const DEDUPE_WINDOW = 1024;
/** A shared message handed on this many times is dropped (no member anywhere would loop it). */
const MAX_REDIRECTS = 2;
const TOPIC_HEADER = 'Octomesh-Topic';
const REDIRECTS_HEADER = 'Octomesh-Redirects';
/** Sent messages kept for a replay after an outage: within the receivers' dedupe window. */
const REPLAY_WINDOW = 512;
/** Payloads larger than this are not kept for a replay (bytes). */
const REPLAY_MAX_PAYLOAD = 16 * 1024;

/** A shared group as its queue subscriptions know it. */
interface SharedGroup extends SharedDelivery {
  /** The NATS queue group (and redirect subject token). */
  queue: string;
}

interface PlainInterest {
  count: number;
  subscriptions: NatsSubscription[];
}

/** A MessageFabric over NATS, routed by interest. */
export class NatsFabric implements MessageFabric {
  readonly counters: FabricCounters = {
    published: 0,
    notExported: 0,
    received: 0,
    duplicates: 0,
    invalid: 0,
    sharedRedirected: 0,
    outages: 0,
    heldSent: 0,
    heldDropped: 0,
    heldRefused: 0,
  };
  readonly distributesSharedGroups = true;
  readonly interestOfPeers: ReplicaInterest;
  readonly #nc: NatsConnection;
  readonly #sharedNc: NatsConnection;
  readonly #replica: string;
  readonly #logger: Logger;
  readonly #handlers = new Set<FabricHandler>();
  readonly #wide: readonly string[];
  /** Who wants what: export filters, this replica's shared groups, and every peer's interest. */
  readonly #gate = new SubscriptionIndex();
  readonly #plain = new Map<string, PlainInterest>();
  readonly #shared = new Map<string, NatsSubscription[]>();
  /** Queue subscriptions not yet confirmed by the server (a flush of their connection). */
  readonly #sharedPending = new Set<Promise<void>>();
  /** Own messages whose shared groups (`group\nfilter`) were delivered here at publish time. */
  readonly #deliveredHere = new Map<number, string[]>();
  /** Per sending replica, the recent sequence numbers seen. */
  readonly #seen = new Map<string, Set<number>>();
  #seq = 0;
  #closed = false;
  readonly #maxHeldMessages: number;
  readonly #maxHeldBytes: number;
  readonly #replayMs: number;
  readonly #recoveryTimeoutMs: number;
  /** The last REPLAY_WINDOW messages sent, a ring written at #recentNext. */
  readonly #recent: (Outbound | undefined)[] = new Array<Outbound | undefined>(REPLAY_WINDOW);
  #recentNext = 0;
  /** Set from the connection's drop until the hold is sent. */
  #hold: Hold | undefined;
  /** The connection is down (between its disconnect and reconnect events). */
  #down = false;
  /** When the connection dropped. */
  #lostAt = 0;
  readonly #peerTimeoutMs: number;
  readonly #onLongOutage: ((offlineMs: number) => void) | undefined;

  constructor(options: NatsFabricOptions) {
    this.#nc = options.nc;
    this.#sharedNc = options.sharedNc;
    this.#replica = options.replica;
    this.#logger = options.logger;
    this.#wide = options.wideFilters ?? [];
    for (const filter of options.exportFilters) {
      this.#gate.add({ clientId: EXPORT_ENTRY, filter, options: NO_OPTIONS });
    }
    this.interestOfPeers = new ReplicaInterest({
      nc: options.nc,
      replica: options.replica,
      logger: options.logger,
      gate: this.#gate,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.peerTimeoutMs !== undefined ? { peerTimeoutMs: options.peerTimeoutMs } : {}),
      ...(options.onPeerGone !== undefined ? { onPeerGone: options.onPeerGone } : {}),
    });
    this.interestOfPeers.start();
    const heartbeatMs = options.heartbeatMs ?? 1000;
    this.#maxHeldMessages = options.maxHeldMessages ?? 100_000;
    this.#maxHeldBytes = options.maxHeldBytes ?? 64 * 1024 * 1024;
    this.#replayMs = options.replayMs ?? 2000;
    this.#recoveryTimeoutMs = options.recoveryTimeoutMs ?? 7 * heartbeatMs;
    this.#peerTimeoutMs = options.peerTimeoutMs ?? 3.5 * heartbeatMs;
    this.#onLongOutage = options.onLongOutage;
    void this.#watchConnection();
  }

  /** Messages held for other replicas now (NATS away, or peers not yet back). */
  get held(): number {
    return this.#hold?.messages.length ?? 0;
  }

  async #watchConnection(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (this.#closed) return;
      if (status.type === 'disconnect') this.#connectionLost();
      else if (status.type === 'reconnect') void this.#connectionBack();
    }
  }

  #connectionLost(): void {
    this.#down = true;
    if (this.#hold === undefined) this.#lostAt = Date.now();
    this.interestOfPeers.connectionLost();
    if (this.#hold !== undefined) return;
    this.counters.outages++;
    const since = Date.now() - this.#replayMs;
    const replay: Outbound[] = [];
    for (let i = 0; i < REPLAY_WINDOW; i++) {
      const entry = this.#recent[(this.#recentNext + i) % REPLAY_WINDOW];
      if (entry !== undefined && entry.sentAt >= since) replay.push(entry);
    }
    this.#recent.fill(undefined);
    this.#hold = {
      messages: replay,
      bytes: replay.reduce((sum, entry) => sum + entry.message.payload.length, 0),
      peers: this.interestOfPeers.peers(),
    };
    this.#logger.warn(
      { replay: replay.length, peers: this.#hold.peers.length },
      'fabric lost NATS: messages for other replicas are held until it is back',
    );
  }

  async #connectionBack(): Promise<void> {
    const back = Date.now();
    this.#down = false;
    this.interestOfPeers.connectionBack(back);
    const hold = this.#hold;
    if (hold === undefined) return;
    const deadline = back + this.#recoveryTimeoutMs;
    const waiting = (): string[] =>
      hold.peers.filter((peer) => !this.interestOfPeers.caughtUp(peer, back));
    while (!this.#closed && waiting().length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Dropped again while waiting: the next reconnect sends the hold.
      if (this.#hold !== hold || this.#down) return;
    }
    const late = waiting();
    if (late.length > 0) {
      this.#logger.warn(
        { peers: late, waitedMs: Date.now() - back },
        'replicas not heard since NATS came back: held messages sent without them',
      );
    }
    if (this.#closed || this.#hold !== hold) return;
    this.#hold = undefined;
    for (const entry of hold.messages) this.#transmit(entry);
    this.counters.heldSent += hold.messages.length;
    this.#logger.info(
      { sent: hold.messages.length, afterMs: Date.now() - back },
      'fabric back on NATS: held messages sent',
    );
    const offlineMs = back - this.#lostAt;
    if (offlineMs >= this.#peerTimeoutMs) {
      this.#logger.warn(
        { offlineMs },
        'NATS was away long enough for the other replicas to take this one for gone: its sessions are reasserted',
      );
      this.#onLongOutage?.(offlineMs);
    }
  }

  /** True when the hold cannot take this message (payload bytes). */
  #holdFull(bytes: number): boolean {
    const hold = this.#hold;
    return (
      hold !== undefined &&
      (hold.messages.length >= this.#maxHeldMessages || hold.bytes + bytes > this.#maxHeldBytes)
    );
  }

  publish(message: Message): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('fabric closed'));
    let dropCopy = false;
    if (this.#holdFull(message.payload.length) && this.wants(message.topic)) {
      // Refused before anyone has it, so the publisher's retry cannot duplicate it here.
      if (message.qos > 0) {
        this.counters.heldRefused++;
        return Promise.reject(new FabricBackloggedError(this.#maxHeldMessages));
      }
      dropCopy = true;
    }
    // This replica's sessions first, without a round trip through NATS.
    for (const handler of this.#handlers) handler(message);
    // $SYS statistics describe this replica alone.
    const wanted = message.topic.startsWith('$SYS/') ? [] : this.#gate.match(message.topic);
    let toNats = false;
    let localGroups: string[] | undefined;
    for (const entry of wanted) {
      if (entry.clientId !== LOCAL_SHARED_ENTRY) {
        toNats = true;
        continue;
      }
      // A shared group no other replica has: its member here takes the message without a
      // round trip through the queue group (the common single-replica case).
      const group = entry.shareGroup!;
      if (this.interestOfPeers.peersShare(entry.filter, group)) {
        toNats = true;
        continue;
      }
      for (const handler of this.#handlers) handler(message, { group, filter: entry.filter });
      (localGroups ??= []).push(`${group}\n${entry.filter}`);
    }
    if (!toNats) {
      this.counters.notExported++;
      return Promise.resolve();
    }
    if (dropCopy) {
      this.counters.heldDropped++;
      return Promise.resolve();
    }
    const seq = ++this.#seq;
    // Our own queue subscription of such a group may be picked for the copy sent to the others:
    // it must not deliver it a second time.
    if (localGroups !== undefined) this.#deliveredHere.set(seq, localGroups);
    if (this.#deliveredHere.size > DEDUPE_WINDOW) {
      this.#deliveredHere.delete(this.#deliveredHere.keys().next().value!);
    }
    // A shared group that just got a member here: its queue subscription must be at the server
    // before a message for it is published, or NATS would drop the message.
    if (this.#sharedPending.size > 0) return this.#publishAfter(message, seq);
    this.#send(message, seq);
    return Promise.resolve();
  }

  async #publishAfter(message: Message, seq: number): Promise<void> {
    await Promise.all(this.#sharedPending);
    if (this.#closed) throw new Error('fabric closed');
    this.#send(message, seq);
  }

  #send(message: Message, seq: number): void {
    const entry: Outbound = { message, seq, sentAt: Date.now() };
    const hold = this.#hold;
    if (hold !== undefined) {
      hold.messages.push(entry);
      hold.bytes += message.payload.length;
      return;
    }
    this.#transmit(entry);
    // Kept for a replay should the connection turn out to have dropped already; large payloads are
    // not, so the ring holds at most REPLAY_WINDOW × REPLAY_MAX_PAYLOAD bytes (8 MiB).
    this.#recent[this.#recentNext] =
      message.payload.length <= REPLAY_MAX_PAYLOAD ? entry : undefined;
    this.#recentNext = (this.#recentNext + 1) % REPLAY_WINDOW;
  }

  #transmit({ message, seq }: Outbound): void {
    const fabric = toFabric(message, this.#replica);
    fabric.seq = seq;
    this.#nc.publish(topicToSubject(message.topic), message.payload, {
      headers: headersOf(encodeFabricHeaders(fabric)),
    });
    this.counters.published++;
  }

  subscribe(handler: FabricHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** True when a message on `topic` would go to NATS (someone elsewhere wants it). */
  wants(topic: string): boolean {
    return this.#gate.match(topic).length > 0;
  }

  interest(filter: string, shareGroup: string | undefined, present: boolean): void {
    if (this.#closed) return;
    if (shareGroup !== undefined) {
      this.#sharedInterest(filter, shareGroup, present);
      return;
    }
    const wide = this.#wide.find((pattern) => filterCovers(pattern, filter)) ?? filter;
    let entry = this.#plain.get(wide);
    if (present) {
      if (entry === undefined) {
        const { subjects, admits } = fabricSubscription(wide);
        entry = {
          count: 0,
          subscriptions: subjects.map((subject) =>
            this.#nc.subscribe(subject, {
              callback: (error, msg) => {
                if (error === null && admits(msg.subject)) this.#receive(msg, undefined);
              },
            }),
          ),
        };
        this.#plain.set(wide, entry);
        this.interestOfPeers.set(wide, undefined, true);
      }
      entry.count++;
      return;
    }
    if (entry === undefined || --entry.count > 0) return;
    for (const subscription of entry.subscriptions) subscription.unsubscribe();
    this.#plain.delete(wide);
    this.interestOfPeers.set(wide, undefined, false);
  }

  #sharedInterest(filter: string, group: string, present: boolean): void {
    const key = `${group}\n${filter}`;
    if (present) {
      if (this.#shared.has(key)) return;
      // One NATS queue group per MQTT shared subscription (group and filter): a hash, since a
      // queue name is one token and group names may hold anything but '/', '+' and '#'.
      const queue = `mqtt-share-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
      const { subjects, admits } = fabricSubscription(filter);
      const shared: SharedGroup = { group, filter, queue };
      this.#shared.set(key, [
        ...subjects.map((subject) =>
          this.#sharedNc.subscribe(subject, {
            queue,
            callback: (error, msg) => {
              if (error === null && admits(msg.subject)) this.#receive(msg, shared);
            },
          }),
        ),
        // Messages of the group another replica could not place (its last member left).
        this.#sharedNc.subscribe(`${ReplicaSubjects.sharedRedirectPrefix}.${queue}`, {
          queue,
          callback: (error, msg) => {
            if (error === null) this.#receive(msg, shared, true);
          },
        }),
      ]);
      this.#gate.add({
        clientId: LOCAL_SHARED_ENTRY,
        filter,
        shareGroup: group,
        options: NO_OPTIONS,
      });
      this.interestOfPeers.set(filter, group, true);
      return;
    }
    const subscriptions = this.#shared.get(key);
    if (subscriptions === undefined) return;
    // Drained, not dropped: messages NATS already sent this replica's queue subscription still
    // reach it, find no member here and are handed to another replica's (#receive). An
    // unsubscribe would discard them in the client.
    for (const subscription of subscriptions) {
      subscription.drain().catch((error: unknown) => {
        this.#logger.debug({ error: (error as Error).message }, 'shared subscription drain');
      });
    }
    this.#shared.delete(key);
    this.#gate.remove(LOCAL_SHARED_ENTRY, filter, group);
    this.interestOfPeers.set(filter, group, false);
  }

  #receive(msg: Msg, shared: SharedGroup | undefined, redirected = false): void {
    let message: Message;
    let redirects = 0;
    try {
      const headers = msg.headers;
      if (headers === undefined) throw new Error('no headers');
      const fabric = decodeFabricHeaders((name) => headers.values(name));
      let topic: string;
      if (redirected) {
        // The topic travels in a header here: the subject names the queue group.
        topic = decodeURIComponent(headers.get(TOPIC_HEADER));
        const problem = validateTopicName(topic);
        if (problem !== undefined) throw new Error(`redirected topic: ${problem}`);
        // The group's filter, `$` rule included [MQTT-4.7.2-1].
        if (!topicMatches(shared!.filter, topic)) {
          throw new Error('redirected topic outside the group filter');
        }
        redirects = Number(headers.get(REDIRECTS_HEADER));
        if (!Number.isSafeInteger(redirects) || redirects < 1 || redirects > MAX_REDIRECTS) {
          throw new Error('bad redirect count');
        }
      } else {
        topic = subjectToTopic(msg.subject);
      }
      if (shared !== undefined && fabric.replica === this.#replica && fabric.seq !== undefined) {
        const here = this.#deliveredHere.get(fabric.seq);
        if (here?.includes(`${shared.group}\n${shared.filter}`) === true) return;
      }
      if (shared === undefined) {
        // Only a connection without noEcho (tests) sees its own messages here.
        if (fabric.replica === this.#replica) return;
        if (fabric.seq !== undefined && this.#duplicate(fabric.replica, fabric.seq)) {
          this.counters.duplicates++;
          return;
        }
      }
      message = fromFabric(topic, msg.data, fabric);
    } catch (error) {
      this.counters.invalid++;
      this.#logger.warn(
        { subject: msg.subject.slice(0, 200), error: (error as Error).message },
        'invalid fabric message dropped',
      );
      return;
    }
    this.counters.received++;
    if (shared === undefined) {
      for (const handler of this.#handlers) handler(message);
      return;
    }
    const delivery: SharedDelivery = { group: shared.group, filter: shared.filter };
    let placed = false;
    for (const handler of this.#handlers) if (handler(message, delivery) !== false) placed = true;
    if (placed || this.#handlers.size === 0) return;
    // No member of the group is left here (it left while the message was on its way): another
    // replica's member takes it, through the group's redirect subject. Sent on the noEcho
    // connection, so it never comes back here; after MAX_REDIRECTS it is dropped (counted by
    // the engine as undeliverable).
    if (redirects >= MAX_REDIRECTS || this.#hold !== undefined) return;
    // The sender's headers as they came (its replica and sequence number among them).
    const entries: [string, string][] = [];
    for (const name of msg.headers!.keys()) {
      if (name === TOPIC_HEADER || name === REDIRECTS_HEADER) continue;
      for (const value of msg.headers!.values(name)) entries.push([name, value]);
    }
    entries.push([TOPIC_HEADER, encodeURIComponent(message.topic)]);
    entries.push([REDIRECTS_HEADER, String(redirects + 1)]);
    const headers = headersOf(entries);
    this.#nc.publish(`${ReplicaSubjects.sharedRedirectPrefix}.${shared.queue}`, msg.data, {
      headers,
    });
    this.counters.sharedRedirected++;
  }

  /** True when this sender's sequence number was seen lately (a second subscription's copy). */
  #duplicate(replica: string, seq: number): boolean {
    let seen = this.#seen.get(replica);
    if (seen === undefined) {
      // Senders come and go (replica names carry a random suffix): keep a bounded number.
      if (this.#seen.size >= 256) this.#seen.delete(this.#seen.keys().next().value!);
      seen = new Set();
      this.#seen.set(replica, seen);
    }
    if (seen.has(seq)) return true;
    seen.add(seq);
    if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
    return false;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.interestOfPeers.close();
    for (const entry of this.#plain.values()) {
      for (const subscription of entry.subscriptions) subscription.unsubscribe();
    }
    for (const subscriptions of this.#shared.values()) {
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
    this.#plain.clear();
    this.#shared.clear();
    this.#handlers.clear();
    return Promise.resolve();
  }
}
