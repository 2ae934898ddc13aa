// The decisions decide() and RuleSet give, built in one place so both give identical answers.
import type { AclDecision } from './model.ts';

/** The reason given when no applicable allow rule grants the check. */
export const NO_RULE_ALLOWS = 'no rule allows';

/** Allowed by the named rule. */
export function allowedBy(ruleId: string): AclDecision {
  return { allow: true, ruleId, reason: `allowed by rule ${ruleId}` };
}

/** Denied by the named deny rule, whose pattern matches (publish) or overlaps (subscribe) the check. */
export function deniedBy(ruleId: string): AclDecision {
  return { allow: false, ruleId, reason: `denied by rule ${ruleId}` };
}

/** Denied because a deny rule cannot be expanded safely for this identity: it fails closed. */
export function deniedAsUnsafe(ruleId: string, problem: string): AclDecision {
  return { allow: false, ruleId, reason: `identity is unsafe for deny rule ${ruleId}: ${problem}` };
}

/** Denied because nothing allows it. */
export function deniedByDefault(): AclDecision {
  return { allow: false, ruleId: undefined, reason: NO_RULE_ALLOWS };
}

/** Denied before any rule is read, because the check itself is malformed. */
export function deniedAsInvalid(problem: string): AclDecision {
  return { allow: false, ruleId: undefined, reason: problem };
}
