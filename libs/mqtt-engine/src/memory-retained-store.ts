// Retained messages in this process's memory, for a single broker and for tests. A Map answers
// exact lookups; a trie of topic levels answers wildcard filters without scanning every topic.
// Bounded: a message that would pass maxMessages or maxBytes is refused with a typed error,
// never dropped silently, and expired messages are swept first to make room.
import { validateTopicFilter, validateTopicName } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import {
  RetainedStoreFullError,
  RetainedStoreLimitKinds,
  RetainedTopicError,
  isRetainedExpired,
  retainedMessageBytes,
} from './retained-store.ts';
import type {
  RetainedMessage,
  RetainedStore,
  RetainedStoreLimitKind,
  RetainedStoreLimits,
} from './retained-store.ts';

/** Options of MemoryRetainedStore; limits default to 100,000 messages and 64 MiB. */
export interface MemoryRetainedStoreOptions {
  maxMessages?: number;
  maxBytes?: number;
  /** The clock for expiry, in ms since the epoch; Date.now by default. */
  now?: () => number;
}

/** Default bounds: generous for a device fleet, small next to the broker's memory guard. */
export const DEFAULT_RETAINED_LIMITS: RetainedStoreLimits = {
  maxMessages: 100_000,
  maxBytes: 64 * 1024 * 1024,
};

/** One level of stored topic names; `level` is its key in the parent. */
class TopicNode {
  readonly parent: TopicNode | undefined;
  readonly level: string;
  children: Map<string, TopicNode> | undefined = undefined;
  message: RetainedMessage | undefined = undefined;
  bytes = 0;

  constructor(parent: TopicNode | undefined, level: string) {
    this.parent = parent;
    this.level = level;
  }
}

const DOLLAR = 0x24;

/** RetainedStore held in memory, bounded by message count and bytes. */
export class MemoryRetainedStore implements RetainedStore {
  readonly limits: RetainedStoreLimits;
  readonly #now: () => number;
  readonly #byTopic = new Map<string, TopicNode>();
  readonly #root = new TopicNode(undefined, '');
  #bytes = 0;

  constructor(options: MemoryRetainedStoreOptions = {}) {
    this.limits = {
      maxMessages: options.maxMessages ?? DEFAULT_RETAINED_LIMITS.maxMessages,
      maxBytes: options.maxBytes ?? DEFAULT_RETAINED_LIMITS.maxBytes,
    };
    this.#now = options.now ?? Date.now;
  }

  /** Messages held, expired ones not yet swept included. */
  get size(): number {
    return this.#byTopic.size;
  }

  /** Bytes held, as retainedMessageBytes counts them. */
  get bytes(): number {
    return this.#bytes;
  }

  /** See RetainedStore.set. */
  async set(msg: RetainedMessage): Promise<void> {
    const problem = validateTopicName(msg.topic);
    if (problem !== undefined) {
      throw new RetainedTopicError(msg.topic, problem, ReasonCodes.topicNameInvalid);
    }
    const now = this.#now();
    // Deleting first is also what replacing with an empty or expired message means
    // [MQTT-3.3.1-6] [MQTT-3.3.1-7].
    if (msg.payload.length === 0 || isRetainedExpired(msg, now)) {
      this.#delete(msg.topic);
      return;
    }
    const bytes = retainedMessageBytes(msg);
    const existing = this.#byTopic.get(msg.topic);
    if (!this.#fits(existing, bytes)) {
      this.purgeExpired(now);
      const stillThere = this.#byTopic.get(msg.topic);
      if (!this.#fits(stillThere, bytes)) {
        throw new RetainedStoreFullError(msg.topic, this.#limitPassed(stillThere, bytes)!);
      }
    }
    // A copy, so a payload sliced from a socket read does not pin the whole chunk.
    const stored: RetainedMessage = { ...msg, payload: Buffer.from(msg.payload) };
    const node = this.#byTopic.get(msg.topic) ?? this.#insert(msg.topic);
    this.#bytes += bytes - node.bytes;
    node.message = stored;
    node.bytes = bytes;
  }

  /** See RetainedStore.get. */
  async get(topic: string): Promise<RetainedMessage | undefined> {
    const node = this.#byTopic.get(topic);
    if (node === undefined) return undefined;
    if (isRetainedExpired(node.message!, this.#now())) {
      this.#delete(topic);
      return undefined;
    }
    return node.message;
  }

  /** See RetainedStore.match; rejects with RetainedTopicError for a malformed filter. */
  async match(filter: string, now: number = this.#now()): Promise<RetainedMessage[]> {
    const problem = validateTopicFilter(filter);
    if (problem !== undefined) {
      throw new RetainedTopicError(filter, problem, ReasonCodes.topicFilterInvalid);
    }
    const found: RetainedMessage[] = [];
    const levels = filter.split('/');
    // A filter starting with a wildcard never matches a topic starting with '$' [MQTT-4.7.2-1].
    const skipDollar = levels[0] === '+' || levels[0] === '#';
    collect(this.#root, levels, 0, skipDollar, found);
    const live = found.filter((msg) => !isRetainedExpired(msg, now));
    if (live.length !== found.length) {
      // Expired messages are discarded, never sent (MQTT 5 §3.3.1.3) [MQTT-3.3.2-5].
      for (const msg of found) if (isRetainedExpired(msg, now)) this.#delete(msg.topic);
    }
    return live;
  }

  /** Deletes every message expired at `now`; returns how many. */
  purgeExpired(now: number = this.#now()): number {
    const expired: string[] = [];
    for (const [topic, node] of this.#byTopic) {
      if (isRetainedExpired(node.message!, now)) expired.push(topic);
    }
    for (const topic of expired) this.#delete(topic);
    return expired.length;
  }

  #fits(existing: TopicNode | undefined, bytes: number): boolean {
    return this.#limitPassed(existing, bytes) === undefined;
  }

  #limitPassed(existing: TopicNode | undefined, bytes: number): RetainedStoreLimitKind | undefined {
    if (existing === undefined && this.#byTopic.size >= this.limits.maxMessages) {
      return RetainedStoreLimitKinds.messages;
    }
    if (this.#bytes - (existing?.bytes ?? 0) + bytes > this.limits.maxBytes) {
      return RetainedStoreLimitKinds.bytes;
    }
    return undefined;
  }

  #insert(topic: string): TopicNode {
    let node = this.#root;
    for (const level of topic.split('/')) {
      node.children ??= new Map();
      let child = node.children.get(level);
      if (child === undefined) {
        child = new TopicNode(node, level);
        node.children.set(level, child);
      }
      node = child;
    }
    this.#byTopic.set(topic, node);
    return node;
  }

  #delete(topic: string): void {
    const node = this.#byTopic.get(topic);
    if (node === undefined) return;
    this.#byTopic.delete(topic);
    this.#bytes -= node.bytes;
    node.message = undefined;
    node.bytes = 0;
    // Unlink levels no other topic uses, so deleted topics hold no memory.
    let current = node;
    while (current.parent !== undefined && current.message === undefined) {
      if (current.children !== undefined) break;
      const parent: TopicNode = current.parent;
      parent.children!.delete(current.level);
      if (parent.children!.size === 0) parent.children = undefined;
      current = parent;
    }
  }
}

/** Appends the messages under `node` matching filter levels from `depth` on. */
function collect(
  node: TopicNode,
  levels: readonly string[],
  depth: number,
  skipDollar: boolean,
  out: RetainedMessage[],
): void {
  if (depth === levels.length) {
    if (node.message !== undefined) out.push(node.message);
    return;
  }
  const level = levels[depth]!;
  if (level === '#') {
    // '#' matches the parent level too: 'a/#' matches 'a' (MQTT 5 §4.7.1.2).
    if (node.message !== undefined) out.push(node.message);
    collectAll(node, depth === 0 && skipDollar, out);
    return;
  }
  if (level === '+') {
    if (node.children === undefined) return;
    for (const child of node.children.values()) {
      if (depth === 0 && skipDollar && child.level.charCodeAt(0) === DOLLAR) continue;
      collect(child, levels, depth + 1, skipDollar, out);
    }
    return;
  }
  const child = node.children?.get(level);
  if (child !== undefined) collect(child, levels, depth + 1, skipDollar, out);
}

/** Appends every message below `node` (not its own). */
function collectAll(node: TopicNode, skipDollar: boolean, out: RetainedMessage[]): void {
  if (node.children === undefined) return;
  for (const child of node.children.values()) {
    if (skipDollar && child.level.charCodeAt(0) === DOLLAR) continue;
    if (child.message !== undefined) out.push(child.message);
    collectAll(child, false, out);
  }
}
