import { VerificationCache } from './verification-cache.ts';

function cacheWithClock(maxEntries = 100, ttlMs = 60_000) {
  const clock = { now: 1_000_000 };
  const cache = new VerificationCache({ maxEntries, ttlMs, now: () => clock.now });
  return { cache, clock };
}

describe('VerificationCache', () => {
  it('hits for the same username, password and record revision', () => {
    const { cache } = cacheWithClock();
    cache.remember('dev1', 'pw', 7);
    expect(cache.has('dev1', 'pw', 7)).toBe(true);
    expect(cache.has('dev1', new TextEncoder().encode('pw'), 7)).toBe(true);
  });

  it('misses for a wrong password or another username', () => {
    const { cache } = cacheWithClock();
    cache.remember('dev1', 'pw', 7);
    expect(cache.has('dev1', 'pw2', 7)).toBe(false);
    expect(cache.has('dev2', 'pw', 7)).toBe(false);
  });

  it('keeps username and password apart, so moving characters between them misses', () => {
    const { cache } = cacheWithClock();
    cache.remember('ab', 'c', 1);
    expect(cache.has('a', 'bc', 1)).toBe(false);
  });

  it('misses once the record has a new revision, and drops the stale entry', () => {
    const { cache } = cacheWithClock();
    cache.remember('dev1', 'pw', 7);
    expect(cache.has('dev1', 'pw', 8)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('misses once the TTL has passed since the verification, even if used meanwhile', () => {
    const { cache, clock } = cacheWithClock(100, 60_000);
    cache.remember('dev1', 'pw', 7);
    clock.now += 59_999;
    expect(cache.has('dev1', 'pw', 7)).toBe(true);
    clock.now += 1;
    expect(cache.has('dev1', 'pw', 7)).toBe(false);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const { cache } = cacheWithClock(3);
    cache.remember('a', 'pw', 1);
    cache.remember('b', 'pw', 1);
    cache.remember('c', 'pw', 1);
    expect(cache.has('a', 'pw', 1)).toBe(true); // a is now the most recently used
    cache.remember('d', 'pw', 1);
    expect(cache.size).toBe(3);
    expect(cache.has('b', 'pw', 1)).toBe(false);
    expect(cache.has('a', 'pw', 1)).toBe(true);
    expect(cache.has('c', 'pw', 1)).toBe(true);
    expect(cache.has('d', 'pw', 1)).toBe(true);
  });

  it('forgets a username without knowing its password', () => {
    const { cache } = cacheWithClock();
    cache.remember('dev1', 'pw', 7);
    cache.remember('dev2', 'pw', 7);
    cache.forget('dev1');
    expect(cache.has('dev1', 'pw', 7)).toBe(false);
    expect(cache.has('dev2', 'pw', 7)).toBe(true);
  });

  it('keeps one entry per username, so a new password replaces the old one', () => {
    const { cache } = cacheWithClock();
    cache.remember('dev1', 'old', 7);
    cache.remember('dev1', 'new', 8);
    expect(cache.size).toBe(1);
    expect(cache.has('dev1', 'old', 7)).toBe(false);
    expect(cache.has('dev1', 'new', 8)).toBe(true);
  });

  it('still forgets a username after its entry was evicted and re-added', () => {
    const { cache } = cacheWithClock(1);
    cache.remember('dev1', 'pw', 1);
    cache.remember('dev2', 'pw', 1);
    cache.remember('dev1', 'pw', 1);
    cache.forget('dev1');
    expect(cache.size).toBe(0);
  });

  it('clears every entry', () => {
    const { cache } = cacheWithClock();
    cache.remember('dev1', 'pw', 7);
    cache.remember('dev2', 'pw', 7);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.has('dev1', 'pw', 7)).toBe(false);
  });

  it('refuses options that would make it unbounded or useless', () => {
    expect(() => new VerificationCache({ maxEntries: 0, ttlMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
    expect(() => new VerificationCache({ maxEntries: 10, ttlMs: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
  });
});
