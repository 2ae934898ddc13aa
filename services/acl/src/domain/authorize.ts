// Turns a batch of checks into verdicts with MQTT 5 reason codes: malformed topics get their
// own codes (0x90 / 0x8F) so the broker can answer precisely; everything else is the rule
// set's decision, deny by default.
import {
  AclActions,
  parseSubscriptionFilter,
  validateTopicName,
  type AclAction,
  type AclIdentity,
  type RuleSet,
} from '@octomesh/acl-rules';
import { ReasonCodes, type ReasonCode } from '@octomesh/contracts';

/** One verdict, in request order. */
export interface Verdict {
  allow: boolean;
  reasonCode: ReasonCode;
  ruleId: string;
  reason: string;
}

/** Decides one check. */
export function authorizeCheck(
  rules: RuleSet,
  identity: AclIdentity,
  action: AclAction,
  topic: string,
): Verdict {
  if (action === AclActions.publish) {
    const problem = validateTopicName(topic);
    if (problem !== undefined)
      return {
        allow: false,
        reasonCode: ReasonCodes.topicNameInvalid,
        ruleId: '',
        reason: problem,
      };
  } else {
    const parsed = parseSubscriptionFilter(topic);
    if (!parsed.ok)
      return {
        allow: false,
        reasonCode: ReasonCodes.topicFilterInvalid,
        ruleId: '',
        reason: parsed.problem,
      };
  }
  const decision = rules.decide(identity, { action, topic });
  return {
    allow: decision.allow,
    reasonCode: decision.allow ? ReasonCodes.success : ReasonCodes.notAuthorized,
    ruleId: decision.ruleId ?? '',
    reason: decision.reason,
  };
}
