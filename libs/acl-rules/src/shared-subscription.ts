// SUBSCRIBE filters may be shared subscriptions, `$share/<group>/<filter>` (MQTT 5 §4.8.2).
// The ACL judges the inner filter: the group only spreads messages, it never widens what is read.
import { AclTopicError } from './errors.ts';
import { validateTopicFilter } from './topic.ts';

/** The first level that marks a shared subscription. */
export const SHARE_PREFIX_LEVEL = '$share';

/** A SUBSCRIBE filter taken apart: `group` is set for shared subscriptions, `filter` is what to match by. */
export type SubscriptionFilter =
  | { readonly ok: true; readonly group: string | undefined; readonly filter: string }
  | { readonly ok: false; readonly problem: string };

/** Validates a SUBSCRIBE topic filter and unwraps `$share/<group>/`; never throws. */
export function parseSubscriptionFilter(filter: string): SubscriptionFilter {
  const syntax = validateTopicFilter(filter);
  if (syntax !== undefined) return { ok: false, problem: syntax };
  // Any first level exactly '$share' is treated as shared, so '$share' alone is malformed
  // rather than a plain filter: the safe reading of an ambiguous request.
  const firstSeparator = filter.indexOf('/');
  const firstLevel = firstSeparator === -1 ? filter : filter.slice(0, firstSeparator);
  if (firstLevel !== SHARE_PREFIX_LEVEL) return { ok: true, group: undefined, filter };
  if (firstSeparator === -1)
    return { ok: false, problem: '$share needs a group and a filter [MQTT-4.8.2-1]' };
  const rest = filter.slice(firstSeparator + 1);
  const groupEnd = rest.indexOf('/');
  const group = groupEnd === -1 ? rest : rest.slice(0, groupEnd);
  if (group.length === 0)
    return { ok: false, problem: '$share group must not be empty [MQTT-4.8.2-1]' };
  if (group.includes('+') || group.includes('#')) {
    return { ok: false, problem: '$share group must not contain + or # [MQTT-4.8.2-2]' };
  }
  if (groupEnd === -1)
    return { ok: false, problem: '$share group must be followed by / and a filter [MQTT-4.8.2-2]' };
  const inner = rest.slice(groupEnd + 1);
  const innerProblem = validateTopicFilter(inner);
  if (innerProblem !== undefined)
    return { ok: false, problem: `$share filter ${innerProblem} [MQTT-4.8.2-2]` };
  return { ok: true, group, filter: inner };
}

/** Unwraps `$share/<group>/<filter>`; undefined when not shared; throws AclTopicError when the filter is malformed. */
export function parseSharedSubscription(
  filter: string,
): { group: string; filter: string } | undefined {
  const parsed = parseSubscriptionFilter(filter);
  if (!parsed.ok) throw new AclTopicError(filter, parsed.problem);
  if (parsed.group === undefined) return undefined;
  return { group: parsed.group, filter: parsed.filter };
}
