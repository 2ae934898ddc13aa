// @octomesh/acl-rules: ACL rules, templates and MQTT topic/filter judgement. Pure logic, no I/O.
export { AclActions } from './model.ts';
export type { AclAction, AclIdentity, AclRule } from './model.ts';
export { AclRuleError } from './errors.ts';
export { splitLevels, validateTopicFilter, validateTopicName } from './topic.ts';
export { parseSubscriptionFilter } from './shared-subscription.ts';
export { levelsMatch, topicMatches } from './topic-match.ts';
export { filterCovers } from './filter-algebra.ts';
export { parseRule } from './rule.ts';
export { defaultUspRules } from './default-rules.ts';
export { RuleSet } from './rule-set.ts';
