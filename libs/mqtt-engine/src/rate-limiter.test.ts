import { TokenBucket } from './rate-limiter.ts';

describe('TokenBucket', () => {
  test('allows a burst, then one token per 1/rate seconds', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBeGreaterThan(0);
  });

  test('never holds more than the burst after a quiet period', () => {
    const bucket = new TokenBucket(100, 2, 0);
    bucket.take(0);
    const waits = [bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)];
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(0);
  });
});

describe('TokenBucket.reserve', () => {
  test('spends the burst, then spaces reservations by the rate', () => {
    const bucket = new TokenBucket(100, 2, 0);
    expect(bucket.reserve(0)).toBe(0);
    expect(bucket.reserve(0)).toBe(0);
    expect(bucket.reserve(0)).toBe(10);
    expect(bucket.reserve(0)).toBe(20);
    // 30 ms later the debt of two tokens is paid and one more is due now.
    expect(bucket.reserve(30)).toBe(0);
  });
});
