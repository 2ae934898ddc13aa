// Typed errors: callers branch on `code`, and the problems travel as data, not only as text.
import { OctomeshError, ReasonCodes } from '@octomesh/contracts';

/** Thrown when a rule (or a rule-producing input such as a topic prefix) is invalid; lists every problem. */
export class AclRuleError extends OctomeshError {
  readonly problems: string[];

  constructor(what: string, problems: readonly string[]) {
    super('ACL_RULE_INVALID', `${what}: ${problems.join('; ')}`);
    this.problems = [...problems];
  }
}

/** Thrown when a topic or topic filter given to a parsing function is malformed. */
export class AclTopicError extends OctomeshError {
  readonly problem: string;

  constructor(topic: string, problem: string) {
    super('ACL_TOPIC_INVALID', `invalid topic ${JSON.stringify(topic)}: ${problem}`, {
      reasonCode: ReasonCodes.topicFilterInvalid,
    });
    this.problem = problem;
  }
}
