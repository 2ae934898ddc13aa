import { AttemptLimiter } from './attempt-limiter.ts';
import type { AttemptLimiterOptions } from './attempt-limiter.ts';

const OPTIONS = {
  maxEntries: 100,
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  windowMs: 60_000,
};

function limiterWithClock(overrides: Partial<AttemptLimiterOptions> = {}) {
  const clock = { now: 5_000_000 };
  const limiter = new AttemptLimiter({ ...OPTIONS, ...overrides, now: () => clock.now });
  return { limiter, clock };
}

function fail(limiter: AttemptLimiter, keys: readonly string[], times: number): void {
  for (let i = 0; i < times; i++) limiter.recordFailure(keys);
}

describe('AttemptLimiter', () => {
  const user = ['user:dev1'];

  it('allows the free failures without delay', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, user, 3);
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('locks after each further failure, doubling the delay up to the maximum', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, user, 3);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      limiter.recordFailure(user);
      const decision = limiter.check(user);
      delays.push(decision.allowed ? 0 : decision.retryAfterMs);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('allows the key again once the lock has run out, and reports the time left until then', () => {
    const { limiter, clock } = limiterWithClock();
    fail(limiter, user, 4);
    clock.now += 400;
    expect(limiter.check(user)).toEqual({ allowed: false, retryAfterMs: 600, key: 'user:dev1' });
    clock.now += 600;
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('keeps doubling when a locked client keeps failing', () => {
    const { limiter, clock } = limiterWithClock();
    fail(limiter, user, 4);
    clock.now += 1_000;
    limiter.recordFailure(user);
    expect(limiter.check(user)).toMatchObject({ allowed: false, retryAfterMs: 2_000 });
  });

  it('resets a key on success', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, user, 5);
    limiter.recordSuccess(user);
    expect(limiter.check(user)).toEqual({ allowed: true });
    fail(limiter, user, 3);
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('resets only the keys the service names on success', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, ['user:dev1', 'addr:10.0.0.1'], 4);
    limiter.recordSuccess(['user:dev1']);
    expect(limiter.check(['user:dev1'])).toEqual({ allowed: true });
    expect(limiter.check(['addr:10.0.0.1'])).toMatchObject({
      allowed: false,
      key: 'addr:10.0.0.1',
    });
  });

  it('tracks keys independently', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, ['user:dev1'], 4);
    fail(limiter, ['user:dev2'], 3);
    expect(limiter.check(['user:dev1'])).toMatchObject({ allowed: false });
    expect(limiter.check(['user:dev2'])).toEqual({ allowed: true });
  });

  it('refuses an attempt when any of its keys is locked, naming the one with the longest wait', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, ['addr:10.0.0.1'], 4);
    fail(limiter, ['user:dev1'], 5);
    expect(limiter.check(['addr:10.0.0.1', 'user:dev1', 'user:other'])).toEqual({
      allowed: false,
      retryAfterMs: 2_000,
      key: 'user:dev1',
    });
  });

  it('forgets failures after a quiet window and drops the entry', () => {
    const { limiter, clock } = limiterWithClock();
    fail(limiter, user, 3);
    clock.now += 60_000;
    expect(limiter.check(user)).toEqual({ allowed: true });
    expect(limiter.size).toBe(0);
    limiter.recordFailure(user);
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('keeps a lock that outlasts the window', () => {
    const { limiter, clock } = limiterWithClock({
      windowMs: 1_000,
      maxDelayMs: 10_000,
      baseDelayMs: 10_000,
    });
    fail(limiter, user, 4);
    clock.now += 5_000;
    expect(limiter.check(user)).toMatchObject({ allowed: false, retryAfterMs: 5_000 });
  });

  it('tracks at most maxEntries keys, evicting the one that failed least recently', () => {
    const { limiter } = limiterWithClock({ maxEntries: 2, freeFailures: 0 });
    limiter.recordFailure(['user:a']);
    limiter.recordFailure(['user:b']);
    limiter.recordFailure(['user:a']);
    limiter.recordFailure(['user:c']);
    expect(limiter.size).toBe(2);
    expect(limiter.check(['user:b'])).toEqual({ allowed: true });
    expect(limiter.check(['user:a'])).toMatchObject({ allowed: false });
    expect(limiter.check(['user:c'])).toMatchObject({ allowed: false });
  });

  it('keeps the flooding address locked while distinct usernames evict each other', () => {
    const { limiter } = limiterWithClock({ maxEntries: 10 });
    for (let i = 0; i < 1_000; i++) limiter.recordFailure([`user:guess${i}`, 'addr:10.6.6.6']);
    expect(limiter.size).toBe(10);
    expect(limiter.check(['addr:10.6.6.6'])).toMatchObject({ allowed: false, retryAfterMs: 8_000 });
  });

  it('never locks with a zero base delay, however many failures pile up', () => {
    const { limiter } = limiterWithClock({ baseDelayMs: 0, freeFailures: 0 });
    fail(limiter, user, 2_000);
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('with a fixed window, failures spread over many windows never add up to a lock', () => {
    const { limiter, clock } = limiterWithClock({ window: 'fixed' });
    for (let i = 0; i < 50; i++) {
      clock.now += 20_000;
      limiter.recordFailure(user);
    }
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('with a quiet window, the same trickle of failures keeps adding up and locks', () => {
    const { limiter, clock } = limiterWithClock();
    for (let i = 0; i < 50; i++) {
      clock.now += 20_000;
      limiter.recordFailure(user);
    }
    expect(limiter.check(user)).toMatchObject({ allowed: false });
  });

  it('with a fixed window, a burst within one window still locks', () => {
    const { limiter } = limiterWithClock({ window: 'fixed' });
    fail(limiter, user, 5);
    expect(limiter.check(user)).toMatchObject({ allowed: false, retryAfterMs: 2_000 });
  });

  it('with a fixed window, a lock outlasting its window is kept and the next window counts from one', () => {
    const { limiter, clock } = limiterWithClock({
      window: 'fixed',
      windowMs: 1_000,
      baseDelayMs: 5_000,
      maxDelayMs: 40_000,
    });
    fail(limiter, user, 6);
    expect(limiter.check(user)).toMatchObject({ allowed: false, retryAfterMs: 20_000 });
    clock.now += 2_000;
    limiter.recordFailure(user);
    expect(limiter.check(user)).toMatchObject({ allowed: false, retryAfterMs: 18_000 });
    clock.now += 18_000;
    expect(limiter.check(user)).toEqual({ allowed: true });
    fail(limiter, user, 2);
    expect(limiter.check(user)).toEqual({ allowed: true });
  });

  it('refuses an unknown window kind', () => {
    expect(
      () =>
        new AttemptLimiter({ ...OPTIONS, window: 'sliding' as AttemptLimiterOptions['window'] }),
    ).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
  });

  it('refuses a maximum delay below the base delay', () => {
    expect(() => new AttemptLimiter({ ...OPTIONS, maxDelayMs: 10 })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
  });
});
