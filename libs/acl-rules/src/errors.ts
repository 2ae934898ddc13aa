// Typed errors: callers branch on `code`, and the problems travel as data, not only as text.

/** Thrown when a rule (or a rule-producing input such as a topic prefix) is invalid; lists every problem. */
export class AclRuleError extends Error {
  readonly code = 'ACL_RULE_INVALID';
  override readonly name = 'AclRuleError';
  readonly problems: string[];

  constructor(what: string, problems: readonly string[]) {
    super(`${what}: ${problems.join('; ')}`);
    this.problems = [...problems];
  }
}

/** Thrown when a topic or topic filter given to a parsing function is malformed. */
export class AclTopicError extends Error {
  readonly code = 'ACL_TOPIC_INVALID';
  override readonly name = 'AclTopicError';
  readonly problem: string;

  constructor(topic: string, problem: string) {
    super(`invalid topic ${JSON.stringify(topic)}: ${problem}`);
    this.problem = problem;
  }
}
