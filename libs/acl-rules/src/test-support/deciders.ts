// Both ways of deciding, so behaviour tests run against the reference and the indexed rule set.
import { decide } from '../decide.ts';
import type { AclCheck, AclDecision, AclIdentity, AclRule } from '../model.ts';
import { RuleSet } from '../rule-set.ts';

/** Decides checks for identities over a fixed list of rules. */
export type Decider = (identity: AclIdentity, check: AclCheck) => AclDecision;

/** Builds a decider from rules. */
export type DeciderFactory = (rules: readonly AclRule[]) => Decider;

/** The reference decide() and RuleSet#decide, named for describe.each. */
export const deciders: ReadonlyArray<readonly [string, DeciderFactory]> = [
  ['decide()', (rules) => (identity, check) => decide(rules, identity, check)],
  [
    'RuleSet',
    (rules) => {
      const set = new RuleSet(rules);
      return (identity, check) => set.decide(identity, check);
    },
  ],
];
