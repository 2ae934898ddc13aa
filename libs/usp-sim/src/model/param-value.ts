// Checks a value a controller writes against the parameter's type and constraints, and brings it
// to its canonical form (booleans as true/false). Failures carry the USP code Set/Add report.
import { UspErrorCodes, type UspErrorCode } from '../usp/usp-error-codes.ts';
import type { ParamSchema } from './schema.ts';

/** A value accepted (canonical form) or refused (USP code and why). */
export type ValueCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly code: UspErrorCode; readonly message: string };

const UNSIGNED_INT_MAX = 4_294_967_295;
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks `value` for a parameter; does not look at writability. */
export function checkParamValue(param: ParamSchema, value: string): ValueCheck {
  const invalidType = (expected: string): ValueCheck => ({
    ok: false,
    code: UspErrorCodes.invalidType,
    message: `${JSON.stringify(value)} is not ${expected}`,
  });
  switch (param.type) {
    case 'boolean':
      if (value === 'true' || value === '1') return { ok: true, value: 'true' };
      if (value === 'false' || value === '0') return { ok: true, value: 'false' };
      return invalidType('a boolean');
    case 'unsignedInt':
      if (!/^\d+$/.test(value) || Number(value) > UNSIGNED_INT_MAX)
        return invalidType('an unsignedInt');
      return checkRange(param, String(Number(value)));
    case 'int':
      if (!/^-?\d+$/.test(value) || Number(value) < INT_MIN || Number(value) > INT_MAX)
        return invalidType('an int');
      return checkRange(param, String(Number(value)));
    case 'dateTime':
      if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
        return invalidType('a dateTime');
      return { ok: true, value };
    case 'string':
      if (param.maxLength !== undefined && value.length > param.maxLength)
        return {
          ok: false,
          code: UspErrorCodes.invalidValue,
          message: `longer than ${param.maxLength} characters`,
        };
      if (param.enumeration !== undefined && !param.enumeration.includes(value))
        return {
          ok: false,
          code: UspErrorCodes.invalidValue,
          message: `${JSON.stringify(value)} is not one of ${param.enumeration.join(', ')}`,
        };
      return { ok: true, value };
  }
}

function checkRange(param: ParamSchema, value: string): ValueCheck {
  const n = Number(value);
  if (param.range !== undefined && (n < param.range.min || n > param.range.max))
    return {
      ok: false,
      code: UspErrorCodes.invalidValue,
      message: `${value} is outside ${param.range.min}..${param.range.max}`,
    };
  return { ok: true, value };
}
