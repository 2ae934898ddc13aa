// Subscriptions are authorized when they are made; rules and identities change later. After a
// rule change every session's subscriptions are asked again, and a resumed session's against
// the identity of the new connection: a subscription the rules now deny is removed from the
// session at once (it stops receiving), logged and counted (issue 9: revocation).
import { withDeadline } from './deadline.ts';
import type { EngineLogger } from './logger.ts';
import type { Session } from './session.ts';
import type { Subscription, SubscriptionIndex } from './subscription-index.ts';
import type { Deciders, EngineIdentity } from './types.ts';

/** What a re-check needs of the engine (the engine itself; narrow so this imports no engine). */
export interface RecheckContext {
  readonly index: SubscriptionIndex;
  readonly deciders: Deciders;
  readonly limits: { readonly deciderTimeoutMs: number };
  readonly logger: EngineLogger;
  readonly counters: { subscriptionsRevoked: number };
  readonly sessions: ReadonlyMap<string, Session>;
}

/** What one re-check did. */
export interface RecheckResult {
  /** Sessions whose subscriptions were asked again. */
  checked: number;
  /** Subscriptions removed because the rules deny them now. */
  removed: number;
  /** Sessions the acl could not answer for (their subscriptions stay as they were). */
  failed: number;
}

/** The filter as the client subscribed it (`$share/<group>/<filter>` for a shared one). */
function subscribedFilter(subscription: Subscription): string {
  return subscription.shareGroup === undefined
    ? subscription.filter
    : `$share/${subscription.shareGroup}/${subscription.filter}`;
}

/**
 * Asks the acl again for every subscription of `session` as `identity` and removes the denied
 * ones. Returns how many were removed, or undefined when the acl did not answer (then nothing is
 * removed: an outage must not wipe every session's subscriptions; the next rule change or
 * reconnect asks again).
 */
export async function recheckSession(
  engine: RecheckContext,
  session: Session,
  identity: EngineIdentity,
): Promise<number | undefined> {
  const subscriptions = engine.index.subscriptionsOf(session.clientId);
  if (subscriptions.length === 0) return 0;
  let verdicts: { allow: boolean }[];
  try {
    const reply = await withDeadline(engine.limits.deciderTimeoutMs, (signal) =>
      engine.deciders.authorize(
        identity,
        subscriptions.map((s) => ({ action: 'subscribe' as const, topic: subscribedFilter(s) })),
        signal,
      ),
    );
    if (reply.verdicts.length !== subscriptions.length)
      throw new Error('acl answered a different number of verdicts');
    verdicts = reply.verdicts;
  } catch (error) {
    engine.logger.warn(
      { clientId: session.clientId, error: (error as Error).message },
      'acl unavailable, subscriptions not re-checked',
    );
    return undefined;
  }
  let removed = 0;
  subscriptions.forEach((subscription, i) => {
    if (verdicts[i]!.allow) return;
    if (engine.index.remove(session.clientId, subscription.filter, subscription.shareGroup)) {
      removed++;
      engine.counters.subscriptionsRevoked++;
      engine.logger.info(
        { clientId: session.clientId, filter: subscribedFilter(subscription) },
        'subscription no longer allowed, removed',
      );
    }
  });
  return removed;
}

/** Re-checks every session the engine holds (connected and offline), a bounded number at once. */
export async function recheckAllSessions(
  engine: RecheckContext,
  concurrency = 32,
): Promise<RecheckResult> {
  const result: RecheckResult = { checked: 0, removed: 0, failed: 0 };
  // Adopted sessions have no identity to ask with: their resume re-checks them.
  const sessions = [...engine.sessions.values()].filter((session) => !session.adopted);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sessions.length) {
      const session = sessions[next++]!;
      const removed = await recheckSession(engine, session, session.identity);
      result.checked++;
      if (removed === undefined) result.failed++;
      else result.removed += removed;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sessions.length) }, worker));
  return result;
}
