import { CredentialsError, CredentialsErrorCodes } from './credentials-error.ts';

/** Throws `OPTIONS_INVALID` unless `value` is an integer (or, when `integer` is false, a finite number) ≥ `min`. */
export function requireNumberOption(
  name: string,
  value: number,
  min: number,
  integer = true,
): void {
  const ok = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!ok || value < min) {
    throw new CredentialsError(
      CredentialsErrorCodes.OptionsInvalid,
      `${name} must be ${integer ? 'an integer' : 'a finite number'} ≥ ${min}, got ${value}`,
    );
  }
}
