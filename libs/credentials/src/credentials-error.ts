import { OctomeshError } from '@octomesh/contracts';

/** Codes carried by every error this library throws, so callers branch on data, not on messages. */
export const CredentialsErrorCodes = {
  KvKeyInvalid: 'KV_KEY_INVALID',
  PasswordHashInvalid: 'PASSWORD_HASH_INVALID',
  ScryptParamsUnsafe: 'SCRYPT_PARAMS_UNSAFE',
  CredentialRecordInvalid: 'CREDENTIAL_RECORD_INVALID',
  OptionsInvalid: 'OPTIONS_INVALID',
} as const;

/** One of the {@link CredentialsErrorCodes} values. */
export type CredentialsErrorCode =
  (typeof CredentialsErrorCodes)[keyof typeof CredentialsErrorCodes];

/** Base class of every error thrown by `@octomesh/credentials`; `code` is stable, the message is for humans. */
export class CredentialsError extends OctomeshError {
  declare readonly code: CredentialsErrorCode;

  constructor(code: CredentialsErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options ?? {});
  }
}
