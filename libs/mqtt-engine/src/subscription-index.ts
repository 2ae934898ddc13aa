// The broker's subscription index: every PUBLISH asks it who subscribed, so matching is the hot
// path. Filters without wildcards (the USP shape: one topic per device) sit in a Map and cost
// one lookup with no splitting; filters with wildcards sit in a trie walked level by level, and
// only when there is at least one of them.
import { validateTopicFilter } from '@octomesh/acl-rules';
import { OctomeshError, ReasonCodes } from '@octomesh/contracts';
import type { ReasonCode } from '@octomesh/contracts';

/** An MQTT quality of service level. */
export type QoS = 0 | 1 | 2;

/** The subscription options of MQTT 5 §3.8.3.1 (v3 subscriptions use the defaults). */
export interface SubscriptionOptions {
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionIdentifier?: number;
}

/** One subscription of one session; `filter` is without the `$share/<group>/` prefix. */
export interface Subscription {
  clientId: string;
  filter: string;
  shareGroup?: string;
  options: SubscriptionOptions;
}

/** Thrown by SubscriptionIndex.add for a subscription no SUBSCRIBE handler should have let through. */
export class InvalidSubscriptionError extends OctomeshError {
  readonly filter: string;
  readonly problem: string;

  constructor(filter: string, problem: string, reasonCode: ReasonCode) {
    super('SUBSCRIPTION_INVALID', `invalid subscription ${JSON.stringify(filter)}: ${problem}`, {
      reasonCode,
    });
    this.filter = filter;
    this.problem = problem;
  }
}

const LEVEL_SEPARATOR = '/';
const SINGLE_LEVEL = '+';
const MULTI_LEVEL = '#';
const DOLLAR = 0x24;

/** Everyone subscribed with one filter: plain subscribers by client id, shared ones by group, then client id. */
class Subscribers {
  direct: Map<string, Subscription> | undefined = undefined;
  shared: Map<string, Map<string, Subscription>> | undefined = undefined;

  get isEmpty(): boolean {
    return this.direct === undefined && this.shared === undefined;
  }

  /** Stores the subscription; returns the one it replaced [MQTT-3.8.4-3]. */
  put(sub: Subscription): Subscription | undefined {
    let members: Map<string, Subscription>;
    if (sub.shareGroup === undefined) {
      members = this.direct ??= new Map();
    } else {
      this.shared ??= new Map();
      let group = this.shared.get(sub.shareGroup);
      if (group === undefined) {
        group = new Map();
        this.shared.set(sub.shareGroup, group);
      }
      members = group;
    }
    const previous = members.get(sub.clientId);
    // Map.set on an existing key keeps its position, so a re-subscribing shared member keeps
    // its place in the round robin.
    members.set(sub.clientId, sub);
    return previous;
  }

  /** Removes and returns the client's subscription, dropping maps that become empty. */
  delete(clientId: string, shareGroup: string | undefined): Subscription | undefined {
    if (shareGroup === undefined) {
      const removed = this.direct?.get(clientId);
      if (removed === undefined) return undefined;
      this.direct!.delete(clientId);
      if (this.direct!.size === 0) this.direct = undefined;
      return removed;
    }
    const group = this.shared?.get(shareGroup);
    const removed = group?.get(clientId);
    if (removed === undefined) return undefined;
    group!.delete(clientId);
    if (group!.size === 0) {
      this.shared!.delete(shareGroup);
      if (this.shared!.size === 0) this.shared = undefined;
    }
    return removed;
  }

  /** Appends every subscription; one group's members are contiguous, in subscription order. */
  collect(out: Subscription[]): void {
    if (this.direct !== undefined) for (const sub of this.direct.values()) out.push(sub);
    if (this.shared !== undefined) {
      for (const group of this.shared.values()) for (const sub of group.values()) out.push(sub);
    }
  }
}

/** A trie node for one level of wildcard filters; `level` is its key in the parent. */
class FilterNode {
  readonly parent: FilterNode | undefined;
  readonly level: string;
  literal: Map<string, FilterNode> | undefined = undefined;
  plus: FilterNode | undefined = undefined;
  hash: FilterNode | undefined = undefined;
  readonly subscribers = new Subscribers();

  constructor(parent: FilterNode | undefined, level: string) {
    this.parent = parent;
    this.level = level;
  }

  get isEmpty(): boolean {
    return (
      this.subscribers.isEmpty &&
      this.literal === undefined &&
      this.plus === undefined &&
      this.hash === undefined
    );
  }
}

/**
 * The interest key: the filter, or `$share/<group>/<filter>` for a shared group (a group name
 * holds no '/', so the split is unambiguous). Replicas announce interest as these keys.
 */
export function interestKey(filter: string, shareGroup: string | undefined): string {
  return shareGroup === undefined ? filter : `$share/${shareGroup}/${filter}`;
}

/** The filter and shared group of an interest key; throws for a shared key without a filter. */
export function interestOf(key: string): { filter: string; shareGroup: string | undefined } {
  if (!key.startsWith('$share/')) return { filter: key, shareGroup: undefined };
  const slash = key.indexOf('/', '$share/'.length);
  if (slash === -1) throw new Error(`shared interest without a filter: ${key.slice(0, 200)}`);
  return { filter: key.slice(slash + 1), shareGroup: key.slice('$share/'.length, slash) };
}

function hasWildcard(filter: string): boolean {
  return filter.includes(SINGLE_LEVEL) || filter.includes(MULTI_LEVEL);
}

/** Walks the trie below `node` for topic levels from `depth` on, appending every match. */
function collectMatches(
  node: FilterNode,
  levels: readonly string[],
  depth: number,
  out: Subscription[],
): void {
  // '#' matches the rest of the levels, and also none: 'a/#' matches 'a' (MQTT 5 §4.7.1.2).
  if (node.hash !== undefined) node.hash.subscribers.collect(out);
  if (depth === levels.length) {
    node.subscribers.collect(out);
    return;
  }
  // Levels compare exactly, empty ones included: 'a//b' has three [MQTT-4.7.3-4].
  const next = node.literal?.get(levels[depth] as string);
  if (next !== undefined) collectMatches(next, levels, depth + 1, out);
  if (node.plus !== undefined) collectMatches(node.plus, levels, depth + 1, out);
}

/**
 * Told when a filter gets its first subscription (`present`) or loses its last: the interest a
 * replica announces to the others. Shared subscriptions count per group.
 */
export type InterestObserver = (
  filter: string,
  shareGroup: string | undefined,
  present: boolean,
) => void;

/** The subscriptions of every session, indexed for matching topic names on every PUBLISH. */
export class SubscriptionIndex {
  readonly #onInterest: InterestObserver | undefined;
  /** Subscriptions per filter (shared ones per group), kept only when someone observes. */
  readonly #interest = new Map<string, number>();
  readonly #exact = new Map<string, Subscribers>();
  readonly #root = new FilterNode(undefined, '');
  readonly #byClient = new Map<string, Subscription[]>();
  #size = 0;
  #wildcardSubscriptions = 0;
  #trieNodes = 0;

  constructor(options: { onInterest?: InterestObserver } = {}) {
    this.#onInterest = options.onInterest;
  }

  /** The filters (and shared groups) with at least one subscription, as the observer was told. */
  *interest(): IterableIterator<{ filter: string; shareGroup: string | undefined }> {
    for (const key of this.#interest.keys()) yield interestOf(key);
  }

  #countInterest(sub: Subscription, change: 1 | -1): void {
    const observer = this.#onInterest;
    if (observer === undefined) return;
    const key = interestKey(sub.filter, sub.shareGroup);
    const count = (this.#interest.get(key) ?? 0) + change;
    if (count > 0) this.#interest.set(key, count);
    else this.#interest.delete(key);
    if (count === 1 && change === 1) observer(sub.filter, sub.shareGroup, true);
    else if (count === 0) observer(sub.filter, sub.shareGroup, false);
  }

  /** Number of subscriptions held. */
  get size(): number {
    return this.#size;
  }

  /** Trie nodes plus exact-filter entries held; zero once every subscription is removed. */
  get filterNodes(): number {
    return this.#trieNodes + this.#exact.size;
  }

  /**
   * Adds a subscription; one with the same client, filter and share group is replaced
   * [MQTT-3.8.4-3]. The index keeps the object itself (match returns it): do not change it.
   */
  add(sub: Subscription): { replaced: boolean } {
    assertValid(sub);
    const previous = this.#subscribersFor(sub.filter).put(sub);
    const own = this.#byClient.get(sub.clientId);
    if (previous !== undefined) {
      own![own!.indexOf(previous)] = sub;
      return { replaced: true };
    }
    if (own === undefined) this.#byClient.set(sub.clientId, [sub]);
    else own.push(sub);
    this.#size++;
    if (hasWildcard(sub.filter)) this.#wildcardSubscriptions++;
    this.#countInterest(sub, 1);
    return { replaced: false };
  }

  /** Removes one subscription; false when the client had none with that filter and group. */
  remove(clientId: string, filter: string, shareGroup?: string): boolean {
    const removed = this.#detach(clientId, filter, shareGroup);
    if (removed === undefined) return false;
    const own = this.#byClient.get(clientId)!;
    // A client holds few subscriptions, so a scan is cheaper than a per-client Map.
    own.splice(own.indexOf(removed), 1);
    if (own.length === 0) this.#byClient.delete(clientId);
    return true;
  }

  /** Removes every subscription of a client; returns how many there were. */
  removeClient(clientId: string): number {
    const own = this.#byClient.get(clientId);
    if (own === undefined) return 0;
    this.#byClient.delete(clientId);
    for (const sub of own) this.#detach(clientId, sub.filter, sub.shareGroup);
    return own.length;
  }

  /** The client's subscriptions, in the order they were first made. */
  subscriptionsOf(clientId: string): Subscription[] {
    return [...(this.#byClient.get(clientId) ?? [])];
  }

  /**
   * Every subscription whose filter matches the topic name, shared ones included (callers pick
   * one member per group); members of one shared group are adjacent. The topic must be valid.
   */
  match(topic: string): Subscription[] {
    const out: Subscription[] = [];
    this.#exact.get(topic)?.collect(out);
    if (this.#wildcardSubscriptions === 0) return out;
    // One split per PUBLISH, and only while wildcard filters exist.
    const levels = topic.split(LEVEL_SEPARATOR);
    const root = this.#root;
    // A filter starting with a wildcard never matches a topic starting with '$' [MQTT-4.7.2-1].
    if (topic.charCodeAt(0) !== DOLLAR) {
      if (root.hash !== undefined) root.hash.subscribers.collect(out);
      if (root.plus !== undefined) collectMatches(root.plus, levels, 1, out);
    }
    const first = root.literal?.get(levels[0] as string);
    if (first !== undefined) collectMatches(first, levels, 1, out);
    return out;
  }

  #subscribersFor(filter: string): Subscribers {
    if (!hasWildcard(filter)) {
      let subscribers = this.#exact.get(filter);
      if (subscribers === undefined) {
        subscribers = new Subscribers();
        this.#exact.set(filter, subscribers);
      }
      return subscribers;
    }
    let node = this.#root;
    for (const level of filter.split(LEVEL_SEPARATOR)) node = this.#childOf(node, level);
    return node.subscribers;
  }

  #childOf(node: FilterNode, level: string): FilterNode {
    if (level === SINGLE_LEVEL) return (node.plus ??= this.#newNode(node, level));
    if (level === MULTI_LEVEL) return (node.hash ??= this.#newNode(node, level));
    node.literal ??= new Map();
    let child = node.literal.get(level);
    if (child === undefined) {
      child = this.#newNode(node, level);
      node.literal.set(level, child);
    }
    return child;
  }

  #newNode(parent: FilterNode, level: string): FilterNode {
    this.#trieNodes++;
    return new FilterNode(parent, level);
  }

  /** Takes a subscription out of the exact map or trie (not out of #byClient); prunes empty nodes. */
  #detach(
    clientId: string,
    filter: string,
    shareGroup: string | undefined,
  ): Subscription | undefined {
    if (!hasWildcard(filter)) {
      const subscribers = this.#exact.get(filter);
      const removed = subscribers?.delete(clientId, shareGroup);
      if (removed === undefined) return undefined;
      if (subscribers!.isEmpty) this.#exact.delete(filter);
      this.#size--;
      this.#countInterest(removed, -1);
      return removed;
    }
    const node = this.#find(filter);
    const removed = node?.subscribers.delete(clientId, shareGroup);
    if (removed === undefined) return undefined;
    this.#prune(node!);
    this.#size--;
    this.#wildcardSubscriptions--;
    this.#countInterest(removed, -1);
    return removed;
  }

  #find(filter: string): FilterNode | undefined {
    let node: FilterNode | undefined = this.#root;
    for (const level of filter.split(LEVEL_SEPARATOR)) {
      if (level === SINGLE_LEVEL) node = node.plus;
      else if (level === MULTI_LEVEL) node = node.hash;
      else node = node.literal?.get(level);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /** Unlinks empty nodes from `node` upwards, so unsubscribed filters hold no memory. */
  #prune(node: FilterNode): void {
    let current = node;
    while (current.parent !== undefined && current.isEmpty) {
      const parent: FilterNode = current.parent;
      if (parent.plus === current) parent.plus = undefined;
      else if (parent.hash === current) parent.hash = undefined;
      else {
        parent.literal!.delete(current.level);
        if (parent.literal!.size === 0) parent.literal = undefined;
      }
      this.#trieNodes--;
      current = parent;
    }
  }
}

// U+0000 is barred from every MQTT string [MQTT-1.5.4-2]; SharedGroups relies on it as a separator.
const FORBIDDEN_IN_GROUP = ['/', '+', '#', '\u0000'];

/** Rejects what a SUBSCRIBE handler must already have refused, so the index never holds it. */
function assertValid(sub: Subscription): void {
  const problem = validateTopicFilter(sub.filter);
  if (problem !== undefined) {
    throw new InvalidSubscriptionError(sub.filter, problem, ReasonCodes.topicFilterInvalid);
  }
  const group = sub.shareGroup;
  if (group === undefined) return;
  if (group.length === 0 || FORBIDDEN_IN_GROUP.some((char) => group.includes(char))) {
    throw new InvalidSubscriptionError(
      sub.filter,
      'share group must be non-empty without /, + or # [MQTT-4.8.2-1] [MQTT-4.8.2-2]',
      ReasonCodes.topicFilterInvalid,
    );
  }
  if (sub.options.noLocal) {
    throw new InvalidSubscriptionError(
      sub.filter,
      'No Local must not be set on a shared subscription [MQTT-3.8.3-4]',
      ReasonCodes.protocolError,
    );
  }
}

/** One copy of a message for one client: `qos` caps the publish QoS, identifiers go in the PUBLISH. */
export interface Delivery {
  clientId: string;
  /** The highest granted QoS among the matching subscriptions; send min(publish QoS, this). */
  qos: QoS;
  /** True: keep the RETAIN flag as published; false: send it as 0 [MQTT-3.3.1-12] [MQTT-3.3.1-13]. */
  retainAsPublished: boolean;
  subscriptionIdentifiers: number[];
  /** Set when this copy is for the client's membership of a shared subscription. */
  shareGroup?: string;
}

/** Thrown when mergeForClient is handed subscriptions it cannot merge into one copy. */
export class MergeError extends OctomeshError {
  constructor(message: string) {
    super('SUBSCRIPTIONS_NOT_MERGEABLE', message);
  }
}

function deliveryOf(sub: Subscription): Delivery {
  const id = sub.options.subscriptionIdentifier;
  const delivery: Delivery = {
    clientId: sub.clientId,
    qos: sub.options.qos,
    retainAsPublished: sub.options.retainAsPublished,
    subscriptionIdentifiers: id === undefined ? [] : [id],
  };
  if (sub.shareGroup !== undefined) delivery.shareGroup = sub.shareGroup;
  return delivery;
}

/**
 * Folds one more overlapping subscription into a copy. QoS is the highest of all
 * [MQTT-3.3.4-2] and the copy carries every identifier [MQTT-3.3.4-3] [MQTT-3.3.4-4] (each once:
 * two subscriptions sharing an identifier name one handler). Retain As Published is true when
 * any subscription asked for it: the spec gives each subscription its own RETAIN rule and one
 * copy cannot honour both, so we keep the information a bridge needs rather than drop it.
 */
function absorb(delivery: Delivery, sub: Subscription): void {
  if (sub.options.qos > delivery.qos) delivery.qos = sub.options.qos;
  if (sub.options.retainAsPublished) delivery.retainAsPublished = true;
  const id = sub.options.subscriptionIdentifier;
  if (id !== undefined && !delivery.subscriptionIdentifiers.includes(id)) {
    delivery.subscriptionIdentifiers.push(id);
  }
}

/** No Local drops the subscription itself, not the message: others may still match [MQTT-3.8.3-3]. */
function suppressedByNoLocal(sub: Subscription, publisherClientId: string | undefined): boolean {
  return sub.options.noLocal && sub.clientId === publisherClientId;
}

/**
 * Merges one client's matching non-shared subscriptions into the single copy it receives;
 * undefined when No Local removes them all. See absorb() for how options combine.
 */
export function mergeForClient(
  subs: readonly Subscription[],
  publisherClientId?: string,
): Delivery | undefined {
  let delivery: Delivery | undefined;
  const clientId = subs[0]?.clientId;
  for (const sub of subs) {
    if (sub.shareGroup !== undefined) {
      throw new MergeError(`shared subscription ${sub.shareGroup} gets its own copy`);
    }
    if (sub.clientId !== clientId) {
      throw new MergeError(`subscriptions of ${clientId} and ${sub.clientId} mixed`);
    }
    if (suppressedByNoLocal(sub, publisherClientId)) continue;
    if (delivery === undefined) delivery = deliveryOf(sub);
    else absorb(delivery, sub);
  }
  return delivery;
}

/**
 * Turns a delivery list (non-shared matches plus one chosen member per shared group) into
 * copies: one per client for its non-shared subscriptions, merged as mergeForClient does, and
 * one per shared group, which the spec delivers independently of the client's own (§4.8.2).
 */
export function mergeOverlapping(
  subs: readonly Subscription[],
  publisherClientId?: string,
): Delivery[] {
  const out: Delivery[] = [];
  // Position of each client's non-shared copy in `out`; only needed past one subscription.
  const positions = subs.length > 1 ? new Map<string, number>() : undefined;
  for (const sub of subs) {
    if (sub.shareGroup !== undefined) {
      out.push(deliveryOf(sub));
      continue;
    }
    if (suppressedByNoLocal(sub, publisherClientId)) continue;
    const position = positions?.get(sub.clientId);
    if (position !== undefined) {
      absorb(out[position]!, sub);
      continue;
    }
    positions?.set(sub.clientId, out.length);
    out.push(deliveryOf(sub));
  }
  return out;
}
