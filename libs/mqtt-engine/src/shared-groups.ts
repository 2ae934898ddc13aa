// Shared subscriptions `$share/<group>/<filter>` (MQTT 5 §4.8.2): each message goes to every
// group, and to one member of each, chosen round robin. The spec leaves the choice to the
// server, message by message; round robin spreads load evenly and is predictable in tests.
// A member that leaves is simply no longer in SubscriptionIndex.match output, so the next
// messages are spread over the others with no extra step.
import type { Subscription } from './subscription-index.ts';

/** Says whether a member can take a message now (online, in-flight window not full, …). */
export type MemberPredicate = (member: Subscription) => boolean;

/** The matching members of one shared group for one filter, in subscription order. */
export interface SharedGroupMembers {
  group: string;
  filter: string;
  members: readonly Subscription[];
}

/** Who receives one message: every non-shared match plus one member per shared group. */
export interface DeliveryList {
  /** Non-shared matches in match order, then one chosen member per group; may be the input array. */
  deliveries: readonly Subscription[];
  /** Groups whose members the predicate all rejected: the caller queues or drops by QoS. */
  unplaced: readonly SharedGroupMembers[];
}

/** Options of SharedGroups. */
export interface SharedGroupsOptions {
  /** Round-robin positions remembered at most; past it the oldest is forgotten. Default 65,536. */
  maxTrackedGroups?: number;
}

const NONE_UNPLACED: readonly SharedGroupMembers[] = Object.freeze([]);
const DEFAULT_MAX_TRACKED_GROUPS = 65_536;

/** A round-robin position per (group, filter); U+0000 cannot occur in either, so keys are unique. */
function groupKey(group: string, filter: string): string {
  return `${group}\u0000${filter}`;
}

/** Picks one member per shared group for each message, round robin, skipping rejected members. */
export class SharedGroups {
  readonly #next = new Map<string, number>();
  readonly #maxTrackedGroups: number;

  constructor(options: SharedGroupsOptions = {}) {
    this.#maxTrackedGroups = options.maxTrackedGroups ?? DEFAULT_MAX_TRACKED_GROUPS;
  }

  /** Number of groups whose round-robin position is remembered. */
  get trackedGroups(): number {
    return this.#next.size;
  }

  /**
   * The next member of the group that `accept` allows, in round-robin order; undefined when it
   * rejects them all (or there are none). `members` are one group's, in a stable order.
   */
  pick(
    group: string,
    filter: string,
    members: readonly Subscription[],
    accept?: MemberPredicate,
  ): Subscription | undefined {
    const count = members.length;
    if (count === 0) return undefined;
    const key = groupKey(group, filter);
    // After members leave, the remembered position may be past the end: wrap it.
    const start = (this.#next.get(key) ?? 0) % count;
    for (let step = 0; step < count; step++) {
      const index = (start + step) % count;
      const member = members[index]!;
      if (accept !== undefined && !accept(member)) continue;
      this.#remember(key, index + 1);
      return member;
    }
    return undefined;
  }

  /** Turns SubscriptionIndex.match output into the delivery list for one message. */
  select(matches: readonly Subscription[], accept?: MemberPredicate): DeliveryList {
    if (!matches.some((sub) => sub.shareGroup !== undefined)) {
      return { deliveries: matches, unplaced: NONE_UNPLACED };
    }
    const deliveries: Subscription[] = [];
    const groups = new Map<string, SharedGroupMembers & { members: Subscription[] }>();
    for (const sub of matches) {
      if (sub.shareGroup === undefined) {
        deliveries.push(sub);
        continue;
      }
      const key = groupKey(sub.shareGroup, sub.filter);
      const found = groups.get(key);
      if (found === undefined) {
        groups.set(key, { group: sub.shareGroup, filter: sub.filter, members: [sub] });
      } else {
        found.members.push(sub);
      }
    }
    let unplaced: SharedGroupMembers[] | undefined;
    for (const entry of groups.values()) {
      const chosen = this.pick(entry.group, entry.filter, entry.members, accept);
      if (chosen !== undefined) deliveries.push(chosen);
      else (unplaced ??= []).push(entry);
    }
    return { deliveries, unplaced: unplaced ?? NONE_UNPLACED };
  }

  /** Forgets a group's round-robin position, e.g. when its last member unsubscribed. */
  forget(group: string, filter: string): void {
    this.#next.delete(groupKey(group, filter));
  }

  #remember(key: string, next: number): void {
    if (!this.#next.has(key) && this.#next.size >= this.#maxTrackedGroups) {
      // Forgetting a position only restarts that group's rotation, so a bound costs fairness
      // for a moment and never correctness. Maps iterate in insertion order: this is the oldest.
      const oldest = this.#next.keys().next();
      if (oldest.done !== true) this.#next.delete(oldest.value);
    }
    this.#next.set(key, next);
  }
}
