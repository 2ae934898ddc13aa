// Asking the acl decider through the session's cache, with a deadline, failing closed: a
// verdict we cannot get is a deny (0x87), never an allow.
import { ReasonCodes } from '@octomesh/contracts';
import { withDeadline } from '../deadline.ts';
import type { EngineIdentity, TopicCheck } from '../types.ts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** One verdict. */
export interface Verdict {
  allow: boolean;
  reasonCode: number;
}

/** Verdicts for several checks, from the cache where possible and one decider call for the rest. */
export async function authorizeMany(
  context: HandlerContext,
  connection: HandlerConnection,
  identity: EngineIdentity,
  checks: TopicCheck[],
): Promise<Verdict[]> {
  const cache = connection.session?.decisions;
  const verdicts: (Verdict | undefined)[] = checks.map((c) => cache?.get(c.action, c.topic));
  const missing = checks.filter((_, i) => verdicts[i] === undefined);
  if (missing.length === 0) return verdicts as Verdict[];
  let answers: Verdict[];
  let ttl = 0;
  try {
    const reply = await withDeadline(context.limits.deciderTimeoutMs, (signal) =>
      context.deciders.authorize(identity, missing, signal),
    );
    if (reply.verdicts.length !== missing.length)
      throw new Error('acl answered a different number of verdicts');
    answers = reply.verdicts;
    ttl = reply.cacheTtlMs;
  } catch (error) {
    context.logger.warn(
      { clientId: connection.clientId, error: (error as Error).message },
      'acl unavailable, denied',
    );
    answers = missing.map(() => ({ allow: false, reasonCode: ReasonCodes.notAuthorized }));
  }
  let next = 0;
  return checks.map((check, i) => {
    const known = verdicts[i];
    if (known !== undefined) return known;
    const answer = answers[next++]!;
    cache?.set(check.action, check.topic, answer.allow, answer.reasonCode, ttl);
    return answer;
  });
}

/** One check; `uncached` skips the session cache (used before a session exists). */
export async function authorizeOne(
  context: HandlerContext,
  connection: HandlerConnection,
  identity: EngineIdentity,
  action: TopicCheck['action'],
  topic: string,
  uncached = false,
): Promise<Verdict> {
  if (uncached) {
    try {
      const reply = await withDeadline(context.limits.deciderTimeoutMs, (signal) =>
        context.deciders.authorize(identity, [{ action, topic }], signal),
      );
      return reply.verdicts[0] ?? { allow: false, reasonCode: ReasonCodes.notAuthorized };
    } catch {
      return { allow: false, reasonCode: ReasonCodes.notAuthorized };
    }
  }
  const [verdict] = await authorizeMany(context, connection, identity, [{ action, topic }]);
  return verdict!;
}
