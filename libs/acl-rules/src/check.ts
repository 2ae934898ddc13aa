// Validation of what is asked, done once per check before any rule is read.
import { AclActions } from './model.ts';
import type { AclAction, AclCheck } from './model.ts';
import { parseSubscriptionFilter } from './shared-subscription.ts';
import { splitLevels, validateTopicName } from './topic.ts';

/** A check ready to judge: the action, and the topic name or (inner) filter as text and as levels. */
export type ParsedCheck =
  | {
      readonly ok: true;
      readonly action: AclAction;
      readonly topic: string;
      readonly levels: readonly string[];
    }
  | { readonly ok: false; readonly problem: string };

/** Validates a check: a topic name for publish, a filter (maybe shared) for subscribe. */
export function parseCheck(check: AclCheck): ParsedCheck {
  if (check.action === AclActions.publish) {
    const problem = validateTopicName(check.topic);
    if (problem !== undefined) return { ok: false, problem: `invalid topic name: ${problem}` };
    return { ok: true, action: check.action, topic: check.topic, levels: splitLevels(check.topic) };
  }
  if (check.action === AclActions.subscribe) {
    const parsed = parseSubscriptionFilter(check.topic);
    if (!parsed.ok) return { ok: false, problem: `invalid topic filter: ${parsed.problem}` };
    return {
      ok: true,
      action: check.action,
      topic: parsed.filter,
      levels: splitLevels(parsed.filter),
    };
  }
  return { ok: false, problem: `unknown action ${JSON.stringify(String(check.action))}` };
}
