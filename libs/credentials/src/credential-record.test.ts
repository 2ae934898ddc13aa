import {
  CredentialRecordError,
  newCredentialRecord,
  parseCredentialRecord,
} from './credential-record.ts';
import type { CredentialRecord } from './credential-record.ts';
import { hashPassword } from './password-hash.ts';
import type { PasswordHash } from './password-hash.ts';
import { DEFAULT_SCRYPT_PARAMS } from './scrypt-params.ts';

let password: PasswordHash;
beforeAll(async () => {
  password = await hashPassword('secret', { ...DEFAULT_SCRYPT_PARAMS, N: 1024 });
});

function validRecord(): CredentialRecord {
  return {
    version: 1,
    username: 'os::00D09E-1234',
    role: 'device',
    endpointId: 'os::00D09E-1234',
    enabled: true,
    password,
    createdAt: '2025-01-02T03:04:05.678Z',
    updatedAt: '2025-01-02T03:04:05.678Z',
  };
}

function parseError(input: unknown): CredentialRecordError {
  try {
    parseCredentialRecord(input);
  } catch (error) {
    if (error instanceof CredentialRecordError) return error;
    throw error;
  }
  throw new Error('expected parseCredentialRecord to throw');
}

function problemsOf(input: unknown): readonly string[] {
  return parseError(input).problems;
}

describe('parseCredentialRecord', () => {
  it('accepts a valid record after a JSON round trip', () => {
    const record = validRecord();
    expect(parseCredentialRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  it('accepts a certificate-only record without a password', () => {
    const { password: _omitted, ...certificateOnly } = validRecord();
    const parsed = parseCredentialRecord(certificateOnly);
    expect(parsed).not.toHaveProperty('password');
  });

  it('returns a copy that does not share the password object with the input', () => {
    const input = validRecord();
    const parsed = parseCredentialRecord(input);
    expect(parsed.password).not.toBe(input.password);
  });

  it('lists every problem of a record at once, in its message too', () => {
    const input = {
      ...validRecord(),
      version: 2,
      username: '',
      role: 'root',
      endpointId: 7,
      enabled: 'yes',
      createdAt: 'yesterday',
      extra: true,
    };
    const { code, problems, message } = parseError(input);
    expect(code).toBe('CREDENTIAL_RECORD_INVALID');
    expect(problems).toEqual([
      'unknown field extra',
      'version must be 1, got 2',
      'username must be a non-empty string, got ""',
      'role must be one of device, controller, admin, got "root"',
      'endpointId must be a string, got 7',
      'enabled must be a boolean, got "yes"',
      'createdAt must be an ISO 8601 UTC timestamp, got "yesterday"',
    ]);
    for (const problem of problems) expect(message).toContain(problem);
  });

  it('reports problems inside the password hash, including unsafe cost', () => {
    const problems = problemsOf({
      ...validRecord(),
      password: { ...password, N: 2 ** 24, salt: 'AA==' },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^password: N must be a power of two/),
      expect.stringMatching(/^password: salt length must be/),
    ]);
  });

  it('refuses a password that is null rather than absent', () => {
    expect(problemsOf({ ...validRecord(), password: null })).toEqual([
      'password: must be an object',
    ]);
  });

  it('refuses usernames MQTT cannot carry', () => {
    expect(problemsOf({ ...validRecord(), username: 'a\u0000b' })).toEqual([
      'username contains U+0000',
    ]);
    expect(problemsOf({ ...validRecord(), username: 'a\udc00' })).toEqual([
      'username contains lone surrogates',
    ]);
  });

  it('refuses impossible dates and timestamps with offsets', () => {
    expect(problemsOf({ ...validRecord(), updatedAt: '2024-02-30T00:00:00.000Z' })).toHaveLength(1);
    expect(
      problemsOf({ ...validRecord(), updatedAt: '2024-02-01T00:00:00.000+01:00' }),
    ).toHaveLength(1);
  });

  it.each([null, [], 'record', 42])('refuses %p as a whole', (input) => {
    expect(() => parseCredentialRecord(input)).toThrow(CredentialRecordError);
  });
});

describe('newCredentialRecord', () => {
  it('fills in version, enabled, an empty endpoint id and equal timestamps', () => {
    const now = new Date('2025-06-01T12:00:00.000Z');
    expect(newCredentialRecord({ username: 'ctl', role: 'controller', now })).toEqual({
      version: 1,
      username: 'ctl',
      role: 'controller',
      endpointId: '',
      enabled: true,
      createdAt: '2025-06-01T12:00:00.000Z',
      updatedAt: '2025-06-01T12:00:00.000Z',
    });
  });

  it('keeps a supplied password hash and endpoint id', () => {
    const record = newCredentialRecord({
      username: 'dev',
      role: 'device',
      endpointId: 'os::1',
      password,
    });
    expect(record.password).toEqual(password);
    expect(record.endpointId).toBe('os::1');
  });

  it('refuses to build a record it could not read back', () => {
    expect(() => newCredentialRecord({ username: '', role: 'device' })).toThrow(
      CredentialRecordError,
    );
  });
});
