// @octomesh/acl-rules: ACL rules, templates and MQTT topic/filter judgement. Pure logic, no I/O.
export { AclActions, AclEffects, isAclAction, isAclEffect } from './model.ts';
export type { AclAction, AclCheck, AclDecision, AclEffect, AclIdentity, AclRule } from './model.ts';
export { AclRuleError, AclTopicError } from './errors.ts';
export {
  LEVEL_SEPARATOR,
  MAX_TOPIC_BYTES,
  MULTI_LEVEL_WILDCARD,
  SINGLE_LEVEL_WILDCARD,
  splitLevels,
  validateTopicFilter,
  validateTopicName,
} from './topic.ts';
export {
  SHARE_PREFIX_LEVEL,
  parseSharedSubscription,
  parseSubscriptionFilter,
} from './shared-subscription.ts';
export type { SubscriptionFilter } from './shared-subscription.ts';
export { levelsMatch, topicMatches } from './topic-match.ts';
export { filterCovers, filtersIntersect } from './filter-algebra.ts';
export {
  TemplateVariables,
  expandTemplate,
  expandTemplateDetailed,
  validateTopicTemplate,
} from './template.ts';
export type { TemplateExpansion, TemplateVariable } from './template.ts';
export { EVERYONE, SubjectKinds, parseSubject } from './subject.ts';
export type { ParsedSubject, SubjectKind } from './subject.ts';
export { MAX_RULE_DESCRIPTION_LENGTH, MAX_RULE_ID_LENGTH, parseRule } from './rule.ts';
export {
  ADMIN_ROLE,
  ANONYMOUS_ROLE,
  CONTROLLER_ROLE,
  DEFAULT_RULE_ID_PREFIX,
  DEVICE_ROLE,
  defaultUspRules,
  validateUspPrefix,
} from './default-rules.ts';
export { NO_RULE_ALLOWS } from './decision.ts';
export { decide } from './decide.ts';
export { RuleSet } from './rule-set.ts';
