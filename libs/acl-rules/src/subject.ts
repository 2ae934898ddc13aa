// Rule subjects: who a rule applies to.
import type { AclIdentity } from './model.ts';

/** The subject kinds and the identity field each one compares with. */
export const SubjectKinds = {
  role: 'role',
  user: 'username',
  endpoint: 'endpointId',
  client: 'clientId',
} as const;
/** A subject kind: the text before the first ':' of a subject. */
export type SubjectKind = keyof typeof SubjectKinds;

/** The subject that applies to every identity. */
export const EVERYONE = '*';

/** A parsed subject: everyone, or one kind and its value. */
export type ParsedSubject =
  { readonly kind: '*' } | { readonly kind: SubjectKind; readonly value: string };

function isSubjectKind(text: string): text is SubjectKind {
  return Object.hasOwn(SubjectKinds, text);
}

/** Parses 'role:<r>', 'user:<u>', 'endpoint:<e>', 'client:<c>' or '*'; undefined when malformed or the value is empty. */
export function parseSubject(subject: string): ParsedSubject | undefined {
  if (typeof subject !== 'string') return undefined;
  if (subject === EVERYONE) return { kind: EVERYONE };
  // Split at the first ':' only: endpoint ids such as 'os::00D09E-1234' hold ':' themselves.
  const colon = subject.indexOf(':');
  if (colon === -1) return undefined;
  const kind = subject.slice(0, colon);
  const value = subject.slice(colon + 1);
  if (!isSubjectKind(kind) || value.length === 0) return undefined;
  return { kind, value };
}

/** The identity value a subject of this kind compares with; undefined when empty, so it never matches. */
export function identityValue(identity: AclIdentity, kind: SubjectKind): string | undefined {
  const value: unknown = identity[SubjectKinds[kind]];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** True when a parsed subject names this identity; empty identity fields never match. */
export function subjectApplies(subject: ParsedSubject, identity: AclIdentity): boolean {
  if (subject.kind === EVERYONE) return true;
  return identityValue(identity, subject.kind) === subject.value;
}
