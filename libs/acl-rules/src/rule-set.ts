// A validated, indexed set of rules for the acl service's hot path. Rules are grouped by action,
// effect and subject, so a decision reads only the rules that can apply to the identity, and
// literal patterns are split into levels once. Answers are identical to decide().
import { parseCheck } from './check.ts';
import type { ParsedCheck } from './check.ts';
import {
  allowedBy,
  deniedAsInvalid,
  deniedAsUnsafe,
  deniedBy,
  deniedByDefault,
} from './decision.ts';
import { AclRuleError } from './errors.ts';
import { levelsCover, levelsIntersect } from './filter-algebra.ts';
import { AclActions, AclEffects } from './model.ts';
import type { AclAction, AclCheck, AclDecision, AclIdentity, AclRule } from './model.ts';
import { describeRule, ruleFieldProblems } from './rule.ts';
import { EVERYONE, SubjectKinds, identityValue, parseSubject } from './subject.ts';
import type { SubjectKind } from './subject.ts';
import { expandSegments, parseTemplate } from './template.ts';
import type { TemplateSegment } from './template.ts';
import { levelsMatch } from './topic-match.ts';
import { splitLevels } from './topic.ts';

/** A rule ready to evaluate: its position decides ties, exactly as list order does in decide(). */
interface CompiledRule {
  readonly position: number;
  readonly id: string;
  /** Levels of a pattern without template variables, split once. */
  readonly levels: readonly string[] | undefined;
  /** Segments of a pattern with template variables, expanded per identity. */
  readonly segments: readonly TemplateSegment[];
}

/** Rules of one action and effect, grouped by subject; every list is in rule order. */
interface SubjectIndex {
  readonly everyone: CompiledRule[];
  readonly bySubject: Record<SubjectKind, Map<string, CompiledRule[]>>;
}

type PatternLevels =
  | { readonly ok: true; readonly levels: readonly string[] }
  | { readonly ok: false; readonly problem: string };

const SUBJECT_KINDS = Object.keys(SubjectKinds) as SubjectKind[];

function emptyIndex(): SubjectIndex {
  return {
    everyone: [],
    bySubject: { role: new Map(), user: new Map(), endpoint: new Map(), client: new Map() },
  };
}

function ruleSetProblems(rules: readonly AclRule[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, position) => {
    const name = `${describeRule(rule?.id)} (#${position})`;
    if (typeof rule !== 'object' || rule === null) {
      problems.push(`${name}: rule must be an object`);
      return;
    }
    const fields = rule as unknown as Record<string, unknown>;
    for (const problem of ruleFieldProblems(fields)) problems.push(`${name}: ${problem}`);
    // Decisions name rules by id, so two rules with one id would make the audit trail ambiguous.
    if (seen.has(rule.id)) problems.push(`${name}: duplicate id`);
    seen.add(rule.id);
  });
  return problems;
}

function compile(rule: AclRule, position: number): CompiledRule {
  const parsed = parseTemplate(rule.topic);
  if (!parsed.ok) throw new AclRuleError(`invalid ${describeRule(rule.id)}`, [parsed.problem]);
  const levels = parsed.hasVariables
    ? undefined
    : splitLevels(parsed.segments.map((s) => ('literal' in s ? s.literal : '')).join(''));
  return { position, id: rule.id, levels, segments: parsed.segments };
}

function patternLevels(rule: CompiledRule, identity: AclIdentity): PatternLevels {
  if (rule.levels !== undefined) return { ok: true, levels: rule.levels };
  const expansion = expandSegments(rule.segments, identity);
  return expansion.ok ? { ok: true, levels: splitLevels(expansion.topic) } : expansion;
}

/** A precompiled, indexed rule set; `decide` gives the same answers as decide() over the same rules. */
export class RuleSet {
  /** How many rules the set holds. */
  readonly size: number;
  readonly #index: Record<AclAction, Record<'allow' | 'deny', SubjectIndex>>;

  /** Validates and indexes the rules; throws AclRuleError listing every problem (including duplicate ids). */
  constructor(rules: readonly AclRule[]) {
    const problems = ruleSetProblems(rules);
    if (problems.length > 0) throw new AclRuleError('invalid ACL rule set', problems);
    this.size = rules.length;
    this.#index = {
      publish: { allow: emptyIndex(), deny: emptyIndex() },
      subscribe: { allow: emptyIndex(), deny: emptyIndex() },
    };
    rules.forEach((rule, position) => {
      const subject = parseSubject(rule.subject);
      if (subject === undefined) return; // unreachable: validated above
      const index = this.#index[rule.action][rule.effect === AclEffects.allow ? 'allow' : 'deny'];
      const compiled = compile(rule, position);
      if (subject.kind === EVERYONE) {
        index.everyone.push(compiled);
        return;
      }
      const bucket = index.bySubject[subject.kind];
      const list = bucket.get(subject.value);
      if (list === undefined) bucket.set(subject.value, [compiled]);
      else list.push(compiled);
    });
  }

  /** Decides a check for an identity exactly as decide() would over the same rules. */
  decide(identity: AclIdentity, check: AclCheck): AclDecision {
    const parsed = parseCheck(check);
    if (!parsed.ok) return deniedAsInvalid(parsed.problem);
    const indexes = this.#index[parsed.action];
    return (
      this.#firstDeny(indexes.deny, identity, parsed) ??
      this.#firstAllow(indexes.allow, identity, parsed)
    );
  }

  /** The rule lists of an index that apply to the identity; empty identity fields select nothing. */
  #applicable(index: SubjectIndex, identity: AclIdentity): CompiledRule[][] {
    const lists = [index.everyone];
    for (const kind of SUBJECT_KINDS) {
      const value = identityValue(identity, kind);
      const list = value === undefined ? undefined : index.bySubject[kind].get(value);
      if (list !== undefined) lists.push(list);
    }
    return lists;
  }

  /** The deny decision of the earliest deny rule that hits or cannot be expanded safely, if any. */
  #firstDeny(
    index: SubjectIndex,
    identity: AclIdentity,
    check: Extract<ParsedCheck, { ok: true }>,
  ): AclDecision | undefined {
    let best: { position: number; decision: AclDecision } | undefined;
    for (const list of this.#applicable(index, identity)) {
      for (const rule of list) {
        // Lists are in rule order, so nothing later in this list can beat what was found.
        if (best !== undefined && rule.position >= best.position) break;
        const pattern = patternLevels(rule, identity);
        if (!pattern.ok) {
          best = { position: rule.position, decision: deniedAsUnsafe(rule.id, pattern.problem) };
          break;
        }
        const hits =
          check.action === AclActions.publish
            ? levelsMatch(pattern.levels, check.levels)
            : levelsIntersect(pattern.levels, check.levels);
        if (hits) {
          best = { position: rule.position, decision: deniedBy(rule.id) };
          break;
        }
      }
    }
    return best?.decision;
  }

  /** The allow decision of the earliest allow rule that grants the check, or the default deny. */
  #firstAllow(
    index: SubjectIndex,
    identity: AclIdentity,
    check: Extract<ParsedCheck, { ok: true }>,
  ): AclDecision {
    let best: CompiledRule | undefined;
    for (const list of this.#applicable(index, identity)) {
      for (const rule of list) {
        if (best !== undefined && rule.position >= best.position) break;
        const pattern = patternLevels(rule, identity);
        // An allow rule the identity cannot use safely simply does not apply: it never widens.
        if (!pattern.ok) continue;
        const grants =
          check.action === AclActions.publish
            ? levelsMatch(pattern.levels, check.levels)
            : levelsCover(pattern.levels, check.levels);
        if (grants) {
          best = rule;
          break;
        }
      }
    }
    return best === undefined ? deniedByDefault() : allowedBy(best.id);
  }
}
