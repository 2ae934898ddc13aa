// The rules in force: the built-in policy plus every valid rule from KV, rebuilt into one
// indexed RuleSet whenever a rule changes. Pure: the KV watch feeds it.
import { AclRuleError, RuleSet, parseRule, type AclRule } from '@octomesh/acl-rules';

/** Result of applying one KV change. */
export interface RuleChange {
  readonly ruleId: string;
  readonly operation: 'put' | 'delete';
  /** Set when the stored value was not a valid rule (it is ignored and reported). */
  readonly problem?: string;
}

/** Holds the current rule set. */
export class RuleBook {
  readonly #defaults: readonly AclRule[];
  readonly #stored = new Map<string, AclRule>();
  readonly #invalid = new Map<string, string>();
  #set: RuleSet;
  #revision = 0;

  constructor(defaults: readonly AclRule[]) {
    this.#defaults = defaults;
    this.#set = new RuleSet(defaults);
  }

  /** The indexed rules to decide with. */
  get ruleSet(): RuleSet {
    return this.#set;
  }

  /** Highest KV revision applied. */
  get revision(): number {
    return this.#revision;
  }

  /** KV keys whose values are not valid rules, with the problem. */
  get invalid(): ReadonlyMap<string, string> {
    return this.#invalid;
  }

  /** Applies a put (JSON value) or delete of the rule stored under `key`. */
  apply(key: string, revision: number, value: unknown): RuleChange {
    this.#revision = Math.max(this.#revision, revision);
    if (value === undefined) {
      this.#stored.delete(key);
      this.#invalid.delete(key);
      this.#rebuild();
      return { ruleId: key, operation: 'delete' };
    }
    try {
      const rule = parseRule(value);
      if (rule.id !== key)
        throw new AclRuleError('invalid rule', [`rule id ${rule.id} differs from its key ${key}`]);
      if (rule.id.startsWith('default:'))
        throw new AclRuleError('invalid rule', ['ids starting with default: are reserved']);
      this.#stored.set(key, rule);
      this.#invalid.delete(key);
      this.#rebuild();
      return { ruleId: key, operation: 'put' };
    } catch (error) {
      // An unreadable rule is left out and reported; the previous valid version is dropped too,
      // since the operator meant to replace it.
      const problem =
        error instanceof AclRuleError ? error.problems.join('; ') : (error as Error).message;
      this.#stored.delete(key);
      this.#invalid.set(key, problem);
      this.#rebuild();
      return { ruleId: key, operation: 'put', problem };
    }
  }

  /** Every rule in force, defaults first. */
  rules(): AclRule[] {
    return [...this.#defaults, ...this.#stored.values()];
  }

  #rebuild(): void {
    this.#set = new RuleSet(this.rules());
  }
}
