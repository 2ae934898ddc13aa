// USP error codes (TR-369 1.4, "Error Codes") by name, so a reader does not need the spec open.
const names: Readonly<Record<number, string>> = {
  7000: 'Message failed',
  7001: 'Message not supported',
  7002: 'Request denied',
  7003: 'Internal error',
  7004: 'Invalid arguments',
  7005: 'Resources exceeded',
  7006: 'Permission denied',
  7007: 'Invalid configuration',
  7008: 'Invalid path syntax',
  7009: 'Parameter action failed',
  7010: 'Unsupported parameter',
  7011: 'Invalid type',
  7012: 'Invalid value',
  7013: 'Attempt to update non-writeable parameter',
  7014: 'Value conflict',
  7015: 'Operation error',
  7016: 'Object does not exist',
  7017: 'Object could not be created',
  7018: 'Object is not a table',
  7019: 'Attempt to create non-creatable object',
  7020: 'Object could not be updated',
  7021: 'Required parameter failed',
  7022: 'Command failure',
  7023: 'Command canceled',
  7024: 'Delete failure',
  7025: 'Object exists with duplicate key',
  7026: 'Invalid path',
  7027: 'Invalid command arguments',
  7028: 'Register failure',
  7029: 'Already in use',
  7030: 'Deregister failure',
  7031: 'Path already registered',
  7100: 'Record could not be parsed',
  7101: 'Secure session required',
  7102: 'Secure session not supported',
  7103: 'Segmentation and reassembly not supported',
  7104: 'Invalid Record value',
  7105: 'Session Context terminated',
  7106: 'Session Context not allowed',
};

/** `7026 Invalid path`, `7850 vendor-specific`, or just the number for an unknown code. */
export function describeUspErrorCode(code: number): string {
  const name = names[code] ?? (code >= 7800 && code <= 7999 ? 'vendor-specific' : undefined);
  return name === undefined ? String(code) : `${code} ${name}`;
}
