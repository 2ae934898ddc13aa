import { Buffer } from 'node:buffer';
import { CredentialsError, CredentialsErrorCodes } from './credentials-error.ts';
import { describeValue } from './describe-value.ts';
import { passwordHashProblems } from './password-hash.ts';
import type { PasswordHash } from './password-hash.ts';
import { isRole, Roles } from '@octomesh/contracts';
import type { Role } from '@octomesh/contracts';

/** Format version written in every record; readers refuse versions they do not know. */
export const CREDENTIAL_RECORD_VERSION = 1;

/** The JSON value stored per account in KV bucket `mqtt-credentials` (contracts' `BucketSpecs.credentials`). */
export interface CredentialRecord {
  version: typeof CREDENTIAL_RECORD_VERSION;
  username: string;
  role: Role;
  /** USP endpoint id the account may act as; '' when not bound to one. */
  endpointId: string;
  enabled: boolean;
  /** Absent for certificate-only accounts, which must never pass password authentication. */
  password?: PasswordHash;
  /** UTC, as written by `Date#toISOString`. */
  createdAt: string;
  /** UTC, as written by `Date#toISOString`. */
  updatedAt: string;
}

/** Thrown when a stored or supplied record is not a valid {@link CredentialRecord}; lists every problem. */
export class CredentialRecordError extends CredentialsError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      CredentialsErrorCodes.CredentialRecordInvalid,
      `invalid credential record: ${problems.join('; ')}`,
    );
    this.problems = problems;
  }
}

const FIELDS = new Set([
  'version',
  'username',
  'role',
  'endpointId',
  'enabled',
  'password',
  'createdAt',
  'updatedAt',
]);
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// MQTT strings carry a two-byte length [MQTT-1.5.4], so a longer username could never log in.
const MAX_USERNAME_BYTES = 65_535;

/** Validates untrusted input (a KV value after JSON.parse) and returns a clean copy without unknown fields. */
export function parseCredentialRecord(input: unknown): CredentialRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CredentialRecordError([`record must be an object, got ${describeValue(input)}`]);
  }
  const record = input as Record<string, unknown>;
  const problems: string[] = [];
  // Strict about unknown fields: a misspelt "password" would otherwise silently turn an
  // account into a certificate-only one.
  for (const name of Object.keys(record)) {
    if (!FIELDS.has(name)) problems.push(`unknown field ${name}`);
  }
  if (record['version'] !== CREDENTIAL_RECORD_VERSION) {
    problems.push(
      `version must be ${CREDENTIAL_RECORD_VERSION}, got ${describeValue(record['version'])}`,
    );
  }
  problems.push(...usernameProblems(record['username']));
  if (!isRole(record['role'])) {
    problems.push(
      `role must be one of ${Object.values(Roles).join(', ')}, got ${describeValue(record['role'])}`,
    );
  }
  if (typeof record['endpointId'] !== 'string') {
    problems.push(`endpointId must be a string, got ${describeValue(record['endpointId'])}`);
  }
  if (typeof record['enabled'] !== 'boolean') {
    problems.push(`enabled must be a boolean, got ${describeValue(record['enabled'])}`);
  }
  if (record['password'] !== undefined) {
    const { invalid, unsafe } = passwordHashProblems(record['password']);
    problems.push(...[...invalid, ...unsafe].map((problem) => `password: ${problem}`));
  }
  for (const name of ['createdAt', 'updatedAt'] as const) {
    if (!isIsoTimestamp(record[name])) {
      problems.push(
        `${name} must be an ISO 8601 UTC timestamp, got ${describeValue(record[name])}`,
      );
    }
  }
  if (problems.length > 0) throw new CredentialRecordError(problems);

  const valid = record as unknown as CredentialRecord;
  return {
    version: CREDENTIAL_RECORD_VERSION,
    username: valid.username,
    role: valid.role,
    endpointId: valid.endpointId,
    enabled: valid.enabled,
    ...(valid.password === undefined ? {} : { password: { ...valid.password } }),
    createdAt: valid.createdAt,
    updatedAt: valid.updatedAt,
  };
}

/** Fields a caller chooses when creating an account; the rest are filled in. */
export interface NewCredentialRecordFields {
  username: string;
  role: Role;
  endpointId?: string;
  enabled?: boolean;
  password?: PasswordHash;
  now?: Date;
}

/** Builds a new, validated record (enabled, timestamps set to `now`); throws {@link CredentialRecordError}. */
export function newCredentialRecord(fields: NewCredentialRecordFields): CredentialRecord {
  const timestamp = (fields.now ?? new Date()).toISOString();
  // Validated like a stored record so that whatever we write, we can read back.
  return parseCredentialRecord({
    version: CREDENTIAL_RECORD_VERSION,
    username: fields.username,
    role: fields.role,
    endpointId: fields.endpointId ?? '',
    enabled: fields.enabled ?? true,
    ...(fields.password === undefined ? {} : { password: fields.password }),
    createdAt: timestamp,
    updatedAt: timestamp,
  });
}

function usernameProblems(username: unknown): string[] {
  if (typeof username !== 'string' || username.length === 0) {
    return [`username must be a non-empty string, got ${describeValue(username)}`];
  }
  // MQTT UTF-8 strings must be well formed and free of U+0000 [MQTT-1.5.4-1] [MQTT-1.5.4-2].
  if (!username.isWellFormed()) return ['username contains lone surrogates'];
  if (username.includes('\u0000')) return ['username contains U+0000'];
  if (Buffer.byteLength(username, 'utf8') > MAX_USERNAME_BYTES) {
    return [`username is longer than ${MAX_USERNAME_BYTES} UTF-8 bytes`];
  }
  return [];
}

function isIsoTimestamp(value: unknown): boolean {
  // The round trip rejects impossible dates such as 2024-02-30, which Date.parse rolls over.
  return (
    typeof value === 'string' &&
    ISO_TIMESTAMP.test(value) &&
    new Date(value).toISOString() === value
  );
}
