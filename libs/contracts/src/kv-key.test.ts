import { decodeKvKey, encodeKvKey, KvKeyError } from './kv-key.ts';

// What NATS KV accepts as a key (nats-server's validKeyRe, plus the leading/trailing dot rule).
const NATS_KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

function isValidNatsKey(key: string): boolean {
  return NATS_KV_KEY.test(key) && !key.startsWith('.') && !key.endsWith('.');
}

// mulberry32: a seeded PRNG, so a failing case can be reproduced.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code points drawn from pools that stress the encoding: literal characters, characters
// NATS treats specially, controls, BMP text, and astral characters (surrogate pairs in JS).
const POOLS: readonly (readonly [number, number])[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
  [0x2d, 0x2f], // - . /
  [0x3a, 0x3d], // : ; < =
  [0x5f, 0x5f],
  [0x00, 0x20],
  [0x80, 0x7ff],
  [0x800, 0xd7ff],
  [0xe000, 0xfffd],
  [0x10000, 0x10ffff],
];

function randomString(random: () => number): string {
  const length = 1 + Math.floor(random() * 12);
  let text = '';
  for (let i = 0; i < length; i++) {
    const [low, high] = POOLS[Math.floor(random() * POOLS.length)]!;
    text += String.fromCodePoint(low + Math.floor(random() * (high - low + 1)));
  }
  return text;
}

describe('encodeKvKey', () => {
  it('escapes the colons of a USP endpoint id and keeps the rest readable', () => {
    expect(encodeKvKey('os::00D09E-1234')).toBe('os=3A=3A00D09E-1234');
  });

  it('keeps letters, digits, underscore and hyphen as they are', () => {
    expect(encodeKvKey('Device_42-abc')).toBe('Device_42-abc');
  });

  it('escapes the characters NATS KV treats specially, including its own escape character', () => {
    expect(encodeKvKey('a.b/c=d')).toBe('a=2Eb=2Fc=3Dd');
    expect(encodeKvKey('.')).toBe('=2E');
  });

  it('escapes each UTF-8 byte of non-ASCII characters', () => {
    expect(encodeKvKey('é')).toBe('=C3=A9');
    expect(encodeKvKey('😀')).toBe('=F0=9F=98=80');
  });

  it('refuses the empty string, which is not a valid key', () => {
    expect(() => encodeKvKey('')).toThrow(KvKeyError);
  });

  it('refuses a lone surrogate, which UTF-8 cannot represent and would collide with U+FFFD', () => {
    expect(() => encodeKvKey('a\ud800')).toThrow(
      expect.objectContaining({ code: 'KV_KEY_INVALID' }),
    );
  });

  it('round-trips random strings into valid, distinct NATS keys', () => {
    const random = seededRandom(0x0c70_3e54);
    const inputByKey = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) {
      const input = randomString(random);
      const key = encodeKvKey(input);
      expect(isValidNatsKey(key)).toBe(true);
      expect(decodeKvKey(key)).toBe(input);
      const earlier = inputByKey.get(key);
      if (earlier !== undefined) expect(earlier).toBe(input);
      inputByKey.set(key, input);
    }
    // Guard against a generator that produces too few distinct inputs to test injectivity.
    expect(inputByKey.size).toBeGreaterThan(4_500);
  });

  it('gives every ASCII character its own key', () => {
    const keys = new Set<string>();
    for (let code = 0; code < 0x80; code++) keys.add(encodeKvKey(String.fromCharCode(code)));
    expect(keys.size).toBe(0x80);
  });
});

describe('decodeKvKey', () => {
  it.each([
    ['an empty key', ''],
    ['a literal dot', 'a.b'],
    ['a literal slash', 'a/b'],
    ['a truncated escape', 'ab=4'],
    ['a non-hex escape', '=4G'],
    ['lowercase hex', '=3a'],
    ['an escaped literal character', '=41'],
    ['a truncated UTF-8 sequence', '=C3'],
    ['an encoded surrogate', '=ED=A0=80'],
    ['an overlong encoding', '=C0=AE'],
  ])('rejects %s', (_name, key) => {
    expect(() => decodeKvKey(key)).toThrow(KvKeyError);
  });
});
