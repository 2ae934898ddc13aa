export { CredentialsError, CredentialsErrorCodes } from './credentials-error.ts';
export type { CredentialsErrorCode } from './credentials-error.ts';
export { encodeKvKey, decodeKvKey, KvKeyError } from '@octomesh/contracts';
export { Roles, isRole } from '@octomesh/contracts';
export type { Role } from '@octomesh/contracts';
export {
  DEFAULT_SCRYPT_PARAMS,
  SCRYPT_LIMITS,
  scryptMemoryBytes,
  unsafeScryptParamProblems,
} from './scrypt-params.ts';
export type { ScryptParams } from './scrypt-params.ts';
export {
  hashPassword,
  verifyPassword,
  needsRehash,
  passwordHashProblems,
  PasswordHashError,
} from './password-hash.ts';
export type { PasswordHash, PasswordHashProblems } from './password-hash.ts';
export {
  CREDENTIAL_RECORD_VERSION,
  CredentialRecordError,
  newCredentialRecord,
  parseCredentialRecord,
} from './credential-record.ts';
export type { CredentialRecord, NewCredentialRecordFields } from './credential-record.ts';
export { verifyPlaintext } from './verify-plaintext.ts';
export { VerificationCache } from './verification-cache.ts';
export type { VerificationCacheOptions } from './verification-cache.ts';
export { AttemptLimiter, FailureWindows } from './attempt-limiter.ts';
export type { AttemptDecision, AttemptLimiterOptions, FailureWindow } from './attempt-limiter.ts';
