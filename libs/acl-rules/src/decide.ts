// The reference decision procedure: a plain walk over the rules. RuleSet answers the same,
// faster; this one stays simple so it can be read as the definition.
import { parseCheck } from './check.ts';
import {
  allowedBy,
  deniedAsInvalid,
  deniedAsUnsafe,
  deniedBy,
  deniedByDefault,
} from './decision.ts';
import { filterCovers, filtersIntersect } from './filter-algebra.ts';
import { AclActions, AclEffects } from './model.ts';
import type { AclCheck, AclDecision, AclIdentity, AclRule } from './model.ts';
import { parseSubject, subjectApplies } from './subject.ts';
import { expandTemplateDetailed } from './template.ts';
import { topicMatches } from './topic-match.ts';

/**
 * Decides a check: deny by default; deny rules beat allow rules whatever their order; the first
 * deciding rule in list order is named. Publish: an allow pattern must match the topic and no deny
 * pattern may. Subscribe: one allow pattern must cover the whole filter and no deny pattern may
 * intersect it. A deny rule that cannot be expanded safely for the identity denies (fails closed);
 * such an allow rule just does not apply.
 */
export function decide(
  rules: readonly AclRule[],
  identity: AclIdentity,
  check: AclCheck,
): AclDecision {
  const parsed = parseCheck(check);
  if (!parsed.ok) return deniedAsInvalid(parsed.problem);
  const publishing = parsed.action === AclActions.publish;
  let allowingRule: string | undefined;
  for (const rule of rules) {
    if (rule.action !== parsed.action) continue;
    const subject = parseSubject(rule.subject);
    if (subject === undefined || !subjectApplies(subject, identity)) continue;
    const expansion = expandTemplateDetailed(rule.topic, identity);
    // Anything but an explicit allow is treated as a deny, so a corrupt effect cannot widen access.
    if (rule.effect !== AclEffects.allow) {
      if (!expansion.ok) return deniedAsUnsafe(rule.id, expansion.problem);
      const hits = publishing
        ? topicMatches(expansion.topic, parsed.topic)
        : filtersIntersect(expansion.topic, parsed.topic);
      if (hits) return deniedBy(rule.id);
    } else if (allowingRule === undefined && expansion.ok) {
      const grants = publishing
        ? topicMatches(expansion.topic, parsed.topic)
        : filterCovers(expansion.topic, parsed.topic);
      if (grants) allowingRule = rule.id;
    }
  }
  return allowingRule === undefined ? deniedByDefault() : allowedBy(allowingRule);
}
