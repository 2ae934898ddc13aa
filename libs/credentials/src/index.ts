export { encodeKvKey, isRole } from '@octomesh/contracts';
export { DEFAULT_SCRYPT_PARAMS } from './scrypt-params.ts';
export { hashPassword, verifyPassword } from './password-hash.ts';
export type { PasswordHash } from './password-hash.ts';
export { newCredentialRecord, parseCredentialRecord } from './credential-record.ts';
export type { CredentialRecord } from './credential-record.ts';
export { verifyPlaintext } from './verify-plaintext.ts';
export { VerificationCache } from './verification-cache.ts';
export { AttemptLimiter, FailureWindows } from './attempt-limiter.ts';
