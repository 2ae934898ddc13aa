import { LoginLimiter, loginKeys, type LoginLimiterOptions } from './login-limiter.ts';

const OPTIONS = {
  pairFreeFailures: 3,
  addressFreeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  windowMs: 60_000,
  maxEntries: 100,
};

function limiterWithClock(overrides: Partial<LoginLimiterOptions> = {}) {
  const clock = { now: 5_000_000 };
  const limiter = new LoginLimiter({ ...OPTIONS, ...overrides, now: () => clock.now });
  return { limiter, clock };
}

function fail(limiter: LoginLimiter, username: string, address: string, times: number): void {
  for (let i = 0; i < times; i++) limiter.recordFailure(loginKeys(username, address));
}

describe('loginKeys', () => {
  test('pairs the username with the address key: port dropped, IPv6 by /64', () => {
    expect(loginKeys('dev1', '192.0.2.1:5555')).toEqual(loginKeys('dev1', '192.0.2.1'));
    expect(loginKeys('dev1', '[2001:db8:1:2::a]:1883')).toEqual(
      loginKeys('dev1', '2001:db8:1:2::b'),
    );
    expect(loginKeys('dev1', '192.0.2.1').pair).not.toBe(loginKeys('dev1', '192.0.2.2').pair);
    expect(loginKeys('dev1', '192.0.2.1').address).toBe('addr:192.0.2.1');
  });

  test('keeps pairs apart whatever characters the username holds', () => {
    expect(loginKeys('a","b', 'x').pair).not.toBe(loginKeys('b', 'x","a').pair);
    expect(loginKeys('dev|1', '192.0.2.1').pair).not.toBe(loginKeys('dev', '|1192.0.2.1').pair);
  });

  test('has no pair without a username and no address without a source', () => {
    expect(loginKeys(undefined, '192.0.2.1')).toEqual({
      pair: undefined,
      address: 'addr:192.0.2.1',
    });
    expect(loginKeys('', '192.0.2.1').pair).toBeUndefined();
    expect(loginKeys('dev1', '')).toMatchObject({ address: undefined });
    expect(loginKeys('dev1', '').pair).toBeDefined();
  });
});

describe('LoginLimiter', () => {
  test('guessing a user from one address locks that address for the user only', () => {
    const { limiter } = limiterWithClock();
    fail(limiter, 'dev1', '203.0.113.66', 4);
    expect(limiter.check(loginKeys('dev1', '203.0.113.66'))).toEqual({
      allowed: false,
      retryAfterMs: 1_000,
      scope: 'user-address',
    });
    expect(limiter.check(loginKeys('dev1', '198.51.100.7'))).toEqual({ allowed: true });
    expect(limiter.check(loginKeys('dev2', '203.0.113.66'))).toEqual({ allowed: true });
  });

  test('failures of one user from many addresses never add up', () => {
    const { limiter } = limiterWithClock();
    for (let i = 0; i < 100; i++) fail(limiter, 'dev1', `198.51.100.${i}`, 3);
    expect(limiter.check(loginKeys('dev1', '192.0.2.1'))).toEqual({ allowed: true });
    expect(limiter.check(loginKeys('dev1', '198.51.100.5'))).toEqual({ allowed: true });
  });

  test('an address shared by many users is locked for everyone only past its softer threshold', () => {
    const { limiter } = limiterWithClock();
    for (const user of ['a', 'b', 'c']) fail(limiter, user, '100.64.0.1', 3);
    expect(limiter.check(loginKeys('router', '100.64.0.1'))).toEqual({ allowed: true });
    fail(limiter, 'd', '100.64.0.1', 2);
    expect(limiter.check(loginKeys('router', '100.64.0.1'))).toEqual({
      allowed: false,
      retryAfterMs: 1_000,
      scope: 'address',
    });
    expect(limiter.check(loginKeys('router', '100.64.0.2'))).toEqual({ allowed: true });
  });

  test('reports the longer wait when both the pair and the address are locked', () => {
    const { limiter } = limiterWithClock({ addressFreeFailures: 4 });
    fail(limiter, 'dev1', '203.0.113.66', 7);
    expect(limiter.check(loginKeys('dev1', '203.0.113.66'))).toEqual({
      allowed: false,
      retryAfterMs: 8_000,
      scope: 'user-address',
    });
    fail(limiter, 'dev2', '203.0.113.66', 1);
    expect(limiter.check(loginKeys('dev1', '203.0.113.66'))).toMatchObject({
      retryAfterMs: 8_000,
    });
    fail(limiter, 'dev3', '203.0.113.66', 1);
    expect(limiter.check(loginKeys('dev3', '203.0.113.66'))).toEqual({
      allowed: false,
      retryAfterMs: 8_000,
      scope: 'address',
    });
  });

  test('a success forgets the pair but not the address', () => {
    const { limiter } = limiterWithClock({ addressFreeFailures: 5 });
    fail(limiter, 'dev1', '192.0.2.1', 3);
    fail(limiter, 'dev2', '192.0.2.1', 2);
    limiter.recordSuccess(loginKeys('dev1', '192.0.2.1'));
    limiter.recordFailure(loginKeys('dev1', '192.0.2.1'));
    expect(limiter.check(loginKeys('dev1', '192.0.2.1'))).toMatchObject({
      allowed: false,
      scope: 'address',
    });
    expect(limiter.size).toEqual({ pairs: 2, addresses: 1 });
  });

  test('an address counts per fixed window, so stale devices behind one NAT never add up', () => {
    const { limiter, clock } = limiterWithClock();
    for (let i = 0; i < 60; i++) {
      clock.now += 10_000;
      limiter.recordFailure(loginKeys(`stale-${i}`, '100.64.0.1'));
    }
    expect(limiter.check(loginKeys('router', '100.64.0.1'))).toEqual({ allowed: true });
  });

  test('a pair keeps counting while its failures keep coming', () => {
    const { limiter, clock } = limiterWithClock();
    for (let i = 0; i < 10; i++) {
      clock.now += 50_000;
      limiter.recordFailure(loginKeys('dev1', '203.0.113.66'));
    }
    expect(limiter.check(loginKeys('dev1', '203.0.113.66'))).toMatchObject({
      allowed: false,
      retryAfterMs: 8_000,
    });
  });

  test('spraying many usernames fills only the bounded pair table and cannot evict the address', () => {
    const { limiter } = limiterWithClock({ maxEntries: 10, addressFreeFailures: 50 });
    for (let i = 0; i < 1_000; i++) limiter.recordFailure(loginKeys(`guess${i}`, '203.0.113.66'));
    expect(limiter.size).toEqual({ pairs: 10, addresses: 1 });
    expect(limiter.check(loginKeys('router', '203.0.113.66'))).toEqual({
      allowed: false,
      retryAfterMs: 8_000,
      scope: 'address',
    });
  });

  test('the address table is bounded too', () => {
    const { limiter } = limiterWithClock({ maxEntries: 10 });
    for (let i = 0; i < 100; i++) limiter.recordFailure(loginKeys('x', `198.51.100.${i}`));
    expect(limiter.size).toEqual({ pairs: 10, addresses: 10 });
  });
});
