import {
  DEFAULT_SCRYPT_PARAMS,
  SCRYPT_LIMITS,
  unsafeScryptParamProblems,
} from './scrypt-params.ts';

describe('unsafeScryptParamProblems', () => {
  it('finds nothing wrong with the defaults or with the limits themselves', () => {
    expect(unsafeScryptParamProblems(DEFAULT_SCRYPT_PARAMS)).toEqual([]);
    expect(
      unsafeScryptParamProblems({ N: 2 ** 10, r: 1, p: 1, keyLength: 16, saltLength: 16 }),
    ).toEqual([]);
    expect(
      unsafeScryptParamProblems({ N: 2 ** 20, r: 1, p: 1, keyLength: 64, saltLength: 64 }),
    ).toEqual([]);
  });

  it('accepts the cost OWASP recommends (N=2^17, r=8, p=1)', () => {
    expect(unsafeScryptParamProblems({ ...DEFAULT_SCRYPT_PARAMS, N: 2 ** 17 })).toEqual([]);
  });

  it.each([
    ['N not a power of two', { N: 3000 }, /N must be a power of two/],
    ['N below 2^10', { N: 512 }, /N must be/],
    ['N above 2^20', { N: 2 ** 21 }, /N must be/],
    ['r of 0', { r: 0 }, /r must be/],
    ['r above 32', { r: 33 }, /r must be/],
    ['fractional p', { p: 1.5 }, /p must be/],
    ['p above 16', { p: 17 }, /p must be/],
    ['keyLength below 16', { keyLength: 15 }, /keyLength must be/],
    ['keyLength above 64', { keyLength: 65 }, /keyLength must be/],
    ['salt shorter than 16 bytes', { saltLength: 8 }, /salt length must be/],
  ])('reports %s', (_name, change, pattern) => {
    const problems = unsafeScryptParamProblems({ ...DEFAULT_SCRYPT_PARAMS, ...change });
    expect(problems).toEqual([expect.stringMatching(pattern)]);
  });

  it('reports memory and work that the per-field limits alone would allow', () => {
    const problems = unsafeScryptParamProblems({
      N: 2 ** 20,
      r: 32,
      p: 16,
      keyLength: 32,
      saltLength: 16,
    });
    expect(problems).toEqual([
      expect.stringMatching(/bytes, more than/),
      expect.stringMatching(/N·r·p/),
    ]);
    expect(SCRYPT_LIMITS.maxN * SCRYPT_LIMITS.maxR * 128).toBeGreaterThan(
      SCRYPT_LIMITS.maxMemoryBytes,
    );
  });

  it('reports every problem at once', () => {
    const problems = unsafeScryptParamProblems({ N: 100, r: 0, p: 0, keyLength: 8, saltLength: 4 });
    expect(problems).toHaveLength(5);
  });
});
