import { hashPassword, needsRehash, PasswordHashError, verifyPassword } from './password-hash.ts';
import type { PasswordHash } from './password-hash.ts';
import { DEFAULT_SCRYPT_PARAMS } from './scrypt-params.ts';
import type { ScryptParams } from './scrypt-params.ts';

// Cheapest safe cost, so tests where the cost is not the subject stay fast.
const FAST: ScryptParams = { ...DEFAULT_SCRYPT_PARAMS, N: 1024 };

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64');
}

describe('hashPassword and verifyPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse', FAST);
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horsf', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('treats a binary password the same as its UTF-8 string', async () => {
    const stored = await hashPassword('pässword', FAST);
    await expect(verifyPassword(new TextEncoder().encode('pässword'), stored)).resolves.toBe(true);
  });

  it('stores the parameters it used beside the hash', async () => {
    const stored = await hashPassword('secret', FAST);
    expect(stored).toMatchObject({ algorithm: 'scrypt', N: 1024, r: 8, p: 1, keyLength: 32 });
    expect(Buffer.from(stored.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(stored.hash, 'base64')).toHaveLength(32);
  });

  it('uses a fresh salt each time, so equal passwords give different hashes', async () => {
    const first = await hashPassword('same', FAST);
    const second = await hashPassword('same', FAST);
    expect(first.salt).not.toBe(second.salt);
    expect(first.hash).not.toBe(second.hash);
  });

  it('verifies hashes whose cost needs more than the 32 MiB Node allows by default', async () => {
    const stored = await hashPassword('secret', { ...FAST, N: 2 ** 15, r: 8 });
    await expect(verifyPassword('secret', stored)).resolves.toBe(true);
  });

  it('refuses to create a hash with unsafe parameters', async () => {
    await expect(hashPassword('secret', { ...FAST, N: 256 })).rejects.toMatchObject({
      code: 'SCRYPT_PARAMS_UNSAFE',
    });
  });
});

describe('verifyPassword with a tampered record', () => {
  let stored: PasswordHash;
  beforeAll(async () => {
    stored = await hashPassword('secret', FAST);
  });

  it('refuses the right password when one hash byte was changed', async () => {
    await expect(
      verifyPassword('secret', { ...stored, hash: flipFirstByte(stored.hash) }),
    ).resolves.toBe(false);
  });

  it('refuses the right password when the salt was changed', async () => {
    await expect(
      verifyPassword('secret', { ...stored, salt: flipFirstByte(stored.salt) }),
    ).resolves.toBe(false);
  });

  it.each([
    ['N raised to 2^21', { N: 2 ** 21 }],
    ['r raised to 64', { r: 64 }],
    ['p raised to 1000', { p: 1000 }],
    ['memory-hungry N and r within the per-field limits', { N: 2 ** 20, r: 32 }],
    ['a salt cut to 8 bytes', { salt: Buffer.alloc(8).toString('base64') }],
  ])('throws SCRYPT_PARAMS_UNSAFE for %s', async (_name, change) => {
    const tampered = { ...stored, ...change };
    const error = await verifyPassword('secret', tampered).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PasswordHashError);
    expect(error).toMatchObject({ code: 'SCRYPT_PARAMS_UNSAFE' });
  });

  it.each([
    ['another algorithm', { algorithm: 'md5' }],
    ['a hash shorter than keyLength', { hash: Buffer.alloc(16).toString('base64') }],
    ['a hash that is not base64', { hash: '!!not base64!!' }],
    ['a missing salt', { salt: undefined }],
    ['a string N', { N: '1024' }],
  ])('throws PASSWORD_HASH_INVALID for %s', async (_name, change) => {
    const tampered = { ...stored, ...change } as unknown as PasswordHash;
    await expect(verifyPassword('secret', tampered)).rejects.toMatchObject({
      code: 'PASSWORD_HASH_INVALID',
    });
  });
});

describe('needsRehash', () => {
  it('is false for a hash made with the given parameters', async () => {
    expect(needsRehash(await hashPassword('secret', FAST), FAST)).toBe(false);
  });

  it('is true once the configured cost differs from the stored one', async () => {
    const stored = await hashPassword('secret', FAST);
    expect(needsRehash(stored, { ...FAST, N: 2048 })).toBe(true);
    expect(needsRehash(stored, { ...FAST, r: 16 })).toBe(true);
    expect(needsRehash(stored, { ...FAST, p: 2 })).toBe(true);
    expect(needsRehash(stored, { ...FAST, keyLength: 64 })).toBe(true);
    expect(needsRehash(stored, { ...FAST, saltLength: 32 })).toBe(true);
  });
});
