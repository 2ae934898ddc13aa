// Validation of rules arriving as untrusted JSON (NATS KV, CLI): every problem is reported at once.
import { AclRuleError } from './errors.ts';
import { AclActions, AclEffects, isAclAction, isAclEffect } from './model.ts';
import type { AclRule } from './model.ts';
import { SHARE_PREFIX_LEVEL } from './shared-subscription.ts';
import { parseSubject } from './subject.ts';
import { validateTopicTemplate } from './template.ts';

/** Longest rule id, in characters. */
export const MAX_RULE_ID_LENGTH = 128;
/** Longest rule description, in characters. */
export const MAX_RULE_DESCRIPTION_LENGTH = 256;

const RULE_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const RULE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'subject',
  'action',
  'topic',
  'effect',
  'description',
]);

function idProblems(id: unknown): string[] {
  if (typeof id !== 'string') return ['id must be a string'];
  if (id.length === 0) return ['id must not be empty'];
  const problems: string[] = [];
  if (id.length > MAX_RULE_ID_LENGTH)
    problems.push(`id must be at most ${MAX_RULE_ID_LENGTH} characters`);
  if (!RULE_ID_PATTERN.test(id)) problems.push('id may hold only A-Z a-z 0-9 _ . : -');
  return problems;
}

function subjectProblems(subject: unknown): string[] {
  if (typeof subject !== 'string') return ['subject must be a string'];
  if (parseSubject(subject) !== undefined) return [];
  return [
    "subject must be '*' or role:, user:, endpoint: or client: followed by a non-empty value",
  ];
}

function topicProblems(topic: unknown): string[] {
  if (typeof topic !== 'string') return ['topic must be a string'];
  const problem = validateTopicTemplate(topic);
  if (problem !== undefined) return [`topic ${problem}`];
  // Shared subscriptions are judged by their inner filter, so a rule naming $share could never apply.
  if (topic === SHARE_PREFIX_LEVEL || topic.startsWith(`${SHARE_PREFIX_LEVEL}/`)) {
    return [
      'topic must not start with $share/ (rules judge the filter inside a shared subscription)',
    ];
  }
  return [];
}

function descriptionProblems(description: unknown): string[] {
  if (description === undefined) return [];
  if (typeof description !== 'string') return ['description must be a string'];
  if (description.length > MAX_RULE_DESCRIPTION_LENGTH) {
    return [`description must be at most ${MAX_RULE_DESCRIPTION_LENGTH} characters`];
  }
  return [];
}

/** Every problem with the known fields of a rule-shaped record (unknown fields are not looked at). */
export function ruleFieldProblems(record: Readonly<Record<string, unknown>>): string[] {
  return [
    ...idProblems(record['id']),
    ...subjectProblems(record['subject']),
    ...(isAclAction(record['action'])
      ? []
      : [`action must be one of ${Object.values(AclActions).join(', ')}`]),
    ...(isAclEffect(record['effect'])
      ? []
      : [`effect must be one of ${Object.values(AclEffects).join(', ')}`]),
    ...topicProblems(record['topic']),
    ...descriptionProblems(record['description']),
  ];
}

function isRecord(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Names a rule in error messages by its id when the id is usable. */
export function describeRule(id: unknown): string {
  return typeof id === 'string' && idProblems(id).length === 0 ? `ACL rule ${id}` : 'ACL rule';
}

/** Validates an untrusted value as an AclRule and returns a clean copy; throws AclRuleError listing every problem. */
export function parseRule(input: unknown): AclRule {
  if (!isRecord(input)) throw new AclRuleError('invalid ACL rule', ['rule must be a JSON object']);
  const problems = ruleFieldProblems(input);
  for (const field of Object.keys(input)) {
    if (!RULE_FIELDS.has(field)) problems.push(`unknown field ${JSON.stringify(field)}`);
  }
  if (problems.length > 0) throw new AclRuleError(`invalid ${describeRule(input['id'])}`, problems);
  // A fresh object: later changes to the input cannot alter a validated rule.
  const rule: AclRule = {
    id: input['id'] as string,
    subject: input['subject'] as string,
    action: input['action'] as AclRule['action'],
    topic: input['topic'] as string,
    effect: input['effect'] as AclRule['effect'],
  };
  if (input['description'] !== undefined) rule.description = input['description'] as string;
  return rule;
}
