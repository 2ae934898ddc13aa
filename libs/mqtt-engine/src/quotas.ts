// Quotas per role and per source address, so one stolen device credential cannot starve the
// fleet (issue 9 §3): a device gets a publish rate, a bounded number of subscriptions, one
// connection and one session (the newest wins) and a short session expiry; controllers and
// admins publish without a rate. Per source address: open connections and a connect rate,
// checked at CONNECT before any authentication work.
import { TokenBucket } from './rate-limiter.ts';

/** What one role may use; an absent field falls back to the engine-wide limit (or none). */
export interface RoleQuota {
  /** PUBLISHes per second (0 = unlimited); past it they wait their turn. */
  publishRate?: number;
  /** PUBLISHes at once above the rate. */
  publishBurst?: number;
  /** Subscriptions one session may hold; more get SUBACK 0x97. */
  maxSubscriptions?: number;
  /** Live connections per identity; the newest wins, older ones close with 0x8E. */
  maxConnections?: number;
  /** Sessions (live or offline) per identity; the oldest offline ones are discarded. */
  maxSessions?: number;
  /** Longest session expiry granted (CONNACK tells the client). */
  maxSessionExpirySeconds?: number;
  /** Longest topic (bytes) and deepest topic (levels) the role may use, within the engine's. */
  maxTopicBytes?: number;
  maxTopicLevels?: number;
  /** Retained messages one identity may hold, and their payload bytes (PUBACK 0x97 past it). */
  maxRetainedMessages?: number;
  maxRetainedBytes?: number;
}

/** Quotas by role name. */
export type RoleQuotas = Readonly<Record<string, RoleQuota>>;

/** Defaults: devices are bounded, controllers and admins publish freely. */
export const DEFAULT_ROLE_QUOTAS: RoleQuotas = {
  device: {
    publishRate: 100,
    publishBurst: 200,
    maxSubscriptions: 64,
    maxConnections: 1,
    maxSessions: 1,
    maxSessionExpirySeconds: 86_400,
    maxRetainedMessages: 16,
    maxRetainedBytes: 64 * 1024,
    // USP topics are <prefix>/agent/<endpoint id>: a few levels, well under this.
    maxTopicBytes: 256,
    maxTopicLevels: 8,
  },
  controller: { publishRate: 0 },
  admin: { publishRate: 0 },
};

const KEYS: Record<string, keyof RoleQuota> = {
  publish_rate: 'publishRate',
  publish_burst: 'publishBurst',
  subscriptions: 'maxSubscriptions',
  connections: 'maxConnections',
  sessions: 'maxSessions',
  session_expiry: 'maxSessionExpirySeconds',
  retained: 'maxRetainedMessages',
  retained_bytes: 'maxRetainedBytes',
  topic_bytes: 'maxTopicBytes',
  topic_levels: 'maxTopicLevels',
};

/**
 * Parses `role:key=value,key=value;role:…` (MQTT_ROLE_LIMITS) over `base`: each given key
 * replaces the base's value for that role. Keys: publish_rate, publish_burst, subscriptions,
 * connections, sessions, session_expiry, retained, retained_bytes, topic_bytes, topic_levels;
 * values are whole numbers
 * (0 = unlimited for rates).
 */
export function parseRoleQuotas(text: string, base: RoleQuotas = DEFAULT_ROLE_QUOTAS): RoleQuotas {
  const result: Record<string, RoleQuota> = Object.fromEntries(
    Object.entries(base).map(([role, quota]) => [role, { ...quota }]),
  );
  for (const part of text.split(';').map((p) => p.trim())) {
    if (part === '') continue;
    const colon = part.indexOf(':');
    if (colon <= 0) throw new Error(`"${part}" is not role:key=value,…`);
    const role = part.slice(0, colon).trim();
    const quota = (result[role] ??= {});
    for (const pair of part
      .slice(colon + 1)
      .split(',')
      .map((p) => p.trim())) {
      if (pair === '') continue;
      const [key, value] = pair.split('=').map((s) => s.trim());
      const field = key === undefined ? undefined : KEYS[key];
      if (field === undefined)
        throw new Error(
          `unknown key "${key}" for ${role} (one of ${Object.keys(KEYS).join(', ')})`,
        );
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 2 ** 31)
        throw new Error(`${role} ${key} must be a whole number`);
      quota[field] = Number(value);
    }
  }
  return result;
}

/** Per source address: open connections and a connect rate, bounded in memory. */
export class AddressLimits {
  readonly #maxConnections: number;
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxTracked: number;
  readonly #open = new Map<string, number>();
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: {
    maxConnections: number;
    connectRate: number;
    connectBurst: number;
    maxTracked?: number;
  }) {
    this.#maxConnections = options.maxConnections;
    this.#rate = options.connectRate;
    this.#burst = options.connectBurst;
    this.#maxTracked = options.maxTracked ?? 100_000;
  }

  /** A connection from `address` opened; its CONNECT is judged by {@link admit}. */
  opened(address: string): void {
    this.#open.set(address, (this.#open.get(address) ?? 0) + 1);
  }

  /** A connection from `address` closed. */
  closed(address: string): void {
    const count = (this.#open.get(address) ?? 1) - 1;
    if (count <= 0) this.#open.delete(address);
    else this.#open.set(address, count);
  }

  /** Whether a CONNECT from `address` may go on: 'ok', 'connections' or 'rate'. */
  admit(address: string, now = Date.now()): 'ok' | 'connections' | 'rate' {
    if (this.#maxConnections > 0 && (this.#open.get(address) ?? 0) > this.#maxConnections)
      return 'connections';
    if (this.#rate <= 0) return 'ok';
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      // Bounded: the oldest address's bucket goes first (a fresh bucket is full again, so an
      // evicted address is never punished, only possibly let through once more).
      if (this.#buckets.size >= this.#maxTracked) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
      bucket = new TokenBucket(this.#rate, this.#burst, now);
      this.#buckets.set(address, bucket);
    }
    return bucket.take(now) === 0 ? 'ok' : 'rate';
  }
}

/** The address part of `host:port`, `[v6]:port` or a bare address. */
export function addressOf(sourceAddress: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(sourceAddress);
  if (bracket !== null) return bracket[1]!;
  const colons = sourceAddress.split(':').length - 1;
  // One colon: IPv4 with a port; more: a bare IPv6 address (no port given that way).
  return colons === 1 ? sourceAddress.slice(0, sourceAddress.lastIndexOf(':')) : sourceAddress;
}

/**
 * Who holds which retained message, on this replica: counts and bytes per identity, so a role's
 * retained quota can be enforced. A retained message another identity overwrites moves to it;
 * an empty retained PUBLISH deletes it.
 */
export class RetainedOwnership {
  readonly #byTopic = new Map<string, { owner: string; bytes: number }>();
  readonly #usage = new Map<string, { count: number; bytes: number }>();

  /** Whether `owner` may retain `bytes` on `topic` within the limits. */
  allows(owner: string, topic: string, bytes: number, quota: RoleQuota): boolean {
    const usage = this.#usage.get(owner) ?? { count: 0, bytes: 0 };
    const held = this.#byTopic.get(topic);
    const replaces = held?.owner === owner;
    const count = usage.count + (replaces ? 0 : 1);
    const total = usage.bytes - (replaces ? held.bytes : 0) + bytes;
    if (quota.maxRetainedMessages !== undefined && count > quota.maxRetainedMessages) return false;
    if (quota.maxRetainedBytes !== undefined && total > quota.maxRetainedBytes) return false;
    return true;
  }

  /** `owner` retained `bytes` on `topic` (0 bytes: deleted it). */
  record(owner: string, topic: string, bytes: number): void {
    const held = this.#byTopic.get(topic);
    if (held !== undefined) {
      const usage = this.#usage.get(held.owner)!;
      usage.count--;
      usage.bytes -= held.bytes;
      if (usage.count <= 0) this.#usage.delete(held.owner);
      this.#byTopic.delete(topic);
    }
    if (bytes === 0) return;
    this.#byTopic.set(topic, { owner, bytes });
    const usage = this.#usage.get(owner) ?? { count: 0, bytes: 0 };
    usage.count++;
    usage.bytes += bytes;
    this.#usage.set(owner, usage);
  }
}

/** Longest and deepest topic allowed. */
export interface TopicLimits {
  maxTopicBytes: number;
  maxTopicLevels: number;
}

/** The topic limits of `quota`'s role within the engine's own. */
export function topicLimitsOf(quota: RoleQuota, limits: TopicLimits): TopicLimits {
  return {
    maxTopicBytes: Math.min(quota.maxTopicBytes ?? limits.maxTopicBytes, limits.maxTopicBytes),
    maxTopicLevels: Math.min(quota.maxTopicLevels ?? limits.maxTopicLevels, limits.maxTopicLevels),
  };
}
