import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { CredentialsError, CredentialsErrorCodes } from './credentials-error.ts';
import type { CredentialsErrorCode } from './credentials-error.ts';
import { describeValue } from './describe-value.ts';
import {
  DEFAULT_SCRYPT_PARAMS,
  scryptMemoryBytes,
  unsafeScryptParamProblems,
} from './scrypt-params.ts';
import type { ScryptParams } from './scrypt-params.ts';

/** A salted scrypt hash with the parameters it was made with, as stored in a credential record. */
export interface PasswordHash {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  keyLength: number;
  /** Base64. */
  salt: string;
  /** Base64, `keyLength` bytes. */
  hash: string;
}

/** Thrown when a stored hash is malformed (`PASSWORD_HASH_INVALID`) or too costly to check (`SCRYPT_PARAMS_UNSAFE`). */
export class PasswordHashError extends CredentialsError {
  readonly problems: readonly string[];

  constructor(code: CredentialsErrorCode, problems: readonly string[]) {
    super(code, `password hash refused: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** Problems found in an untrusted password hash, split by whether it is malformed or merely unsafe. */
export interface PasswordHashProblems {
  invalid: string[];
  unsafe: string[];
}

/** Checks untrusted input against the {@link PasswordHash} shape and the safe scrypt bounds. */
export function passwordHashProblems(input: unknown): PasswordHashProblems {
  const invalid: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { invalid: ['must be an object'], unsafe: [] };
  }
  const record = input as Record<string, unknown>;
  const known = new Set(['algorithm', 'N', 'r', 'p', 'keyLength', 'salt', 'hash']);
  for (const name of Object.keys(record)) {
    if (!known.has(name)) invalid.push(`unknown field ${name}`);
  }
  if (record['algorithm'] !== 'scrypt') {
    invalid.push(`algorithm must be "scrypt", got ${describeValue(record['algorithm'])}`);
  }
  for (const name of ['N', 'r', 'p', 'keyLength'] as const) {
    if (!Number.isSafeInteger(record[name])) {
      invalid.push(`${name} must be an integer, got ${describeValue(record[name])}`);
    }
  }
  const salt = decodeBase64(record['salt']);
  if (salt === undefined) invalid.push('salt must be canonical base64');
  const hash = decodeBase64(record['hash']);
  if (hash === undefined) invalid.push('hash must be canonical base64');
  if (invalid.length > 0 || salt === undefined || hash === undefined) {
    return { invalid, unsafe: [] };
  }

  const stored = record as unknown as PasswordHash;
  if (hash.length !== stored.keyLength) {
    invalid.push(`hash is ${hash.length} bytes but keyLength is ${stored.keyLength}`);
  }
  const unsafe = unsafeScryptParamProblems({ ...stored, saltLength: salt.length });
  return { invalid, unsafe };
}

/** Hashes a password with a fresh random salt; refuses parameters that verification would refuse. */
export async function hashPassword(
  password: string | Uint8Array,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<PasswordHash> {
  const unsafe = unsafeScryptParamProblems(params);
  if (unsafe.length > 0) {
    throw new PasswordHashError(CredentialsErrorCodes.ScryptParamsUnsafe, unsafe);
  }
  const salt = randomBytes(params.saltLength);
  const key = await deriveKey(password, salt, params);
  return {
    algorithm: 'scrypt',
    N: params.N,
    r: params.r,
    p: params.p,
    keyLength: params.keyLength,
    salt: salt.toString('base64'),
    hash: key.toString('base64'),
  };
}

/** Checks a password against a stored hash in constant time; throws {@link PasswordHashError} for a bad record. */
export async function verifyPassword(
  password: string | Uint8Array,
  stored: PasswordHash,
): Promise<boolean> {
  // Checked before any work: a tampered record must cost an error, not gigabytes of memory.
  const { invalid, unsafe } = passwordHashProblems(stored);
  if (invalid.length > 0) {
    throw new PasswordHashError(CredentialsErrorCodes.PasswordHashInvalid, invalid);
  }
  if (unsafe.length > 0) {
    throw new PasswordHashError(CredentialsErrorCodes.ScryptParamsUnsafe, unsafe);
  }
  const salt = Buffer.from(stored.salt, 'base64');
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await deriveKey(password, salt, stored);
  return timingSafeEqual(actual, expected);
}

/** True when a stored hash was made with other parameters than `params`, so a successful login should rehash. */
export function needsRehash(
  stored: PasswordHash,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): boolean {
  // "Other", not "weaker": lowering the configured cost is also a policy the operator chose.
  return (
    stored.algorithm !== 'scrypt' ||
    stored.N !== params.N ||
    stored.r !== params.r ||
    stored.p !== params.p ||
    stored.keyLength !== params.keyLength ||
    Buffer.from(stored.salt, 'base64').length < params.saltLength
  );
}

function deriveKey(
  password: string | Uint8Array,
  salt: Uint8Array,
  params: Pick<ScryptParams, 'N' | 'r' | 'p' | 'keyLength'>,
): Promise<Buffer> {
  // maxmem is exactly what these (already bounded) parameters need; Node's 32 MiB default
  // would otherwise reject hashes whose cost was legitimately raised.
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: scryptMemoryBytes(params),
  };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, params.keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function decodeBase64(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const bytes = Buffer.from(value, 'base64');
  // Buffer.from skips characters it does not understand; the round trip catches them.
  return bytes.toString('base64') === value ? bytes : undefined;
}
