import { ReasonCodes } from '@octomesh/contracts';
import {
  VerificationCache,
  hashPassword,
  newCredentialRecord,
  verifyPassword,
} from '@octomesh/credentials';
import {
  Authenticator,
  type AuthAttempt,
  type CredentialLookup,
  type CredentialState,
  type StoredCredential,
} from './authenticator.ts';
import { LoginLimiter } from './login-limiter.ts';

const fastParams = { N: 1024, r: 8, p: 1, keyLength: 32, saltLength: 16 };

async function account(
  username: string,
  password: string | undefined,
  fields: Partial<StoredCredential['record']> = {},
  revision = 1,
): Promise<StoredCredential> {
  const hash = password === undefined ? undefined : await hashPassword(password, fastParams);
  return {
    revision,
    record: {
      ...newCredentialRecord({ username, role: 'device', ...(hash ? { password: hash } : {}) }),
      ...fields,
    },
  };
}

function lookup(
  accounts: StoredCredential[],
  legacy: Record<string, string> = {},
): CredentialLookup & { reads: number } {
  const store = {
    reads: 0,
    credential(username: string) {
      store.reads++;
      return Promise.resolve(accounts.find((a) => a.record.username === username));
    },
    legacyPassword(username: string) {
      return Promise.resolve(legacy[username]);
    },
  };
  return store;
}

type Hash = Parameters<typeof verifyPassword>[1];

/** A verifier that counts scrypt runs and keeps the hashes it was given (the real one underneath). */
function countingVerify() {
  const counter = {
    runs: 0,
    hashes: [] as Hash[],
    verify: async (password: Uint8Array, hash: Hash) => {
      counter.runs++;
      counter.hashes.push(hash);
      return verifyPassword(password, hash);
    },
  };
  return counter;
}

function authenticator(
  source: CredentialLookup,
  options: Partial<ConstructorParameters<typeof Authenticator>[1]> = {},
) {
  return new Authenticator(source, {
    certificateMapping: 'cn',
    certificateRole: 'device',
    certificateRequiresPassword: false,
    limiter: new LoginLimiter({
      maxEntries: 100,
      pairFreeFailures: 2,
      addressFreeFailures: 6,
      baseDelayMs: 1000,
      maxDelayMs: 10_000,
      windowMs: 60_000,
    }),
    cache: new VerificationCache({ maxEntries: 100, ttlMs: 60_000 }),
    ...options,
  });
}

function attempt(fields: Partial<AuthAttempt>): AuthAttempt {
  return {
    clientId: 'c',
    username: undefined,
    password: undefined,
    sourceAddress: '192.0.2.1',
    endpointIdHint: '',
    certificate: undefined,
    ...fields,
  };
}

const cert = (commonName: string) => ({
  commonName,
  sanDns: ['dns.example'],
  sanUri: [],
  sanEmail: [],
  fingerprintSha256: 'ff'.repeat(32),
});

describe('Authenticator', () => {
  test('certificate plus password mode needs both, and the certificate must name the account endpoint', async () => {
    const source = lookup([await account('router', 'pw', { endpointId: 'os::A' })]);
    const auth = authenticator(source, { certificateRequiresPassword: true });
    const both = await auth.authenticate(
      attempt({ username: 'router', password: Buffer.from('pw'), certificate: cert('os::A') }),
    );
    expect(both.allow).toBe(true);
    if (both.allow) expect(both.identity.subject).toBe(`cert:${'ff'.repeat(32)}`);
    const noPassword = await auth.authenticate(attempt({ certificate: cert('os::A') }));
    expect(noPassword).toMatchObject({
      allow: false,
      reasonCode: ReasonCodes.badUserNameOrPassword,
    });
    const otherCert = await auth.authenticate(
      attempt({ username: 'router', password: Buffer.from('pw'), certificate: cert('os::B') }),
    );
    expect(otherCert).toMatchObject({ allow: false, reasonCode: ReasonCodes.notAuthorized });
  });

  test('the certificate mapping can use a SAN instead of the CN', async () => {
    const auth = authenticator(lookup([]), { certificateMapping: 'san-dns' });
    const outcome = await auth.authenticate(attempt({ certificate: cert('ignored') }));
    expect(outcome.allow && outcome.identity.endpointId).toBe('dns.example');
    const none = await authenticator(lookup([]), { certificateMapping: 'san-uri' }).authenticate(
      attempt({ certificate: cert('x') }),
    );
    expect(none).toMatchObject({ allow: false, reasonCode: ReasonCodes.notAuthorized });
  });

  test('a second login with the same password is served from the cache without scrypt', async () => {
    const counter = countingVerify();
    const auth = authenticator(lookup([await account('router', 'pw')]), { verify: counter.verify });
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('pw') }))).allow,
    ).toBe(true);
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('pw') }))).allow,
    ).toBe(true);
    expect(counter.runs).toBe(1);
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('other') })))
        .allow,
    ).toBe(false);
    expect(counter.runs).toBe(2);
  });

  test('a cached password does not survive a credential change (new revision)', async () => {
    const accounts = [await account('router', 'pw', {}, 1)];
    const auth = authenticator(lookup(accounts));
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('pw') }))).allow,
    ).toBe(true);
    accounts[0] = await account('router', 'new', {}, 2);
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('pw') }))).allow,
    ).toBe(false);
  });

  test('our own account wins over a legacy Oktopus password for the same username', async () => {
    const auth = authenticator(lookup([await account('router', 'ours')], { router: 'legacy' }));
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('legacy') })))
        .allow,
    ).toBe(false);
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('ours') })))
        .allow,
    ).toBe(true);
  });

  test('oversized usernames and passwords are refused before any lookup', async () => {
    const source = lookup([]);
    const auth = authenticator(source);
    const long = await auth.authenticate(
      attempt({ username: 'u'.repeat(2000), password: Buffer.from('x') }),
    );
    expect(long.allow).toBe(false);
    const huge = await auth.authenticate(attempt({ username: 'u', password: Buffer.alloc(5000) }));
    expect(huge.allow).toBe(false);
    expect(source.reads).toBe(0);
  });

  test('a locked-out user is refused before the store is read', async () => {
    const source = lookup([await account('router', 'pw')]);
    const auth = authenticator(source);
    for (let i = 0; i < 3; i++)
      await auth.authenticate(attempt({ username: 'router', password: Buffer.from('bad') }));
    const reads = source.reads;
    const locked = await auth.authenticate(
      attempt({ username: 'router', password: Buffer.from('pw') }),
    );
    expect(locked).toMatchObject({ allow: false, reasonCode: ReasonCodes.connectionRateExceeded });
    expect(source.reads).toBe(reads);
  });
});

describe('Authenticator deadlines', () => {
  test('a request whose caller deadline has passed starts no scrypt and is answered with an error', async () => {
    const auth = authenticator(lookup([await account('router', 'pw')]));
    await expect(
      auth.authenticate(
        attempt({ username: 'router', password: Buffer.from('pw'), deadline: Date.now() - 1 }),
      ),
    ).rejects.toMatchObject({ code: 'DEADLINE_PASSED' });
    expect(
      (
        await auth.authenticate(
          attempt({
            username: 'router',
            password: Buffer.from('pw'),
            deadline: Date.now() + 10_000,
          }),
        )
      ).allow,
    ).toBe(true);
  });

  test('no cache configured means every login verifies the password', async () => {
    const counter = countingVerify();
    const auth = authenticator(lookup([await account('router', 'pw')]), {
      cache: undefined,
      verify: counter.verify,
    });
    for (let i = 0; i < 3; i++) {
      expect(
        (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('pw') })))
          .allow,
      ).toBe(true);
    }
    expect(counter.runs).toBe(3);
  });
});

describe('Authenticator against guessing', () => {
  test('concurrent wrong guesses cannot outrun the limiter: past the free failures they are locked out', async () => {
    const auth = authenticator(lookup([await account('router', 'pw')]));
    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        auth.authenticate(
          attempt({
            username: 'router',
            password: Buffer.from(`guess-${i}`),
            sourceAddress: `198.51.100.66:${1000 + i}`,
          }),
        ),
      ),
    );
    const tried = guesses.filter(
      (g) => !g.allow && g.reasonCode === ReasonCodes.badUserNameOrPassword,
    ).length;
    const locked = guesses.filter(
      (g) => !g.allow && g.reasonCode === ReasonCodes.connectionRateExceeded,
    ).length;
    // freeFailures (2) + 1 to trigger the lock, plus at most the attempts already holding one of
    // the 4 scrypt slots when it triggered.
    expect(tried).toBeLessThanOrEqual(2 + 1 + 4);
    expect(locked).toBe(60 - tried);
    const fromAttacker = await auth.authenticate(
      attempt({ username: 'router', password: Buffer.from('pw'), sourceAddress: '198.51.100.66' }),
    );
    expect(fromAttacker).toMatchObject({
      allow: false,
      reasonCode: ReasonCodes.connectionRateExceeded,
    });
    const fromDevice = await auth.authenticate(
      attempt({ username: 'router', password: Buffer.from('pw'), sourceAddress: '203.0.113.1' }),
    );
    expect(fromDevice.allow).toBe(true);
  });

  test.each([
    ['verified afresh', false],
    ['served from the cache', true],
  ])(
    'a guesser locked out for a user does not lock the device out at another address (%s)',
    async (_, cached) => {
      const counter = countingVerify();
      const auth = authenticator(lookup([await account('router', 'pw')]), {
        verify: counter.verify,
        ...(cached ? {} : { cache: undefined }),
      });
      const device = attempt({
        username: 'router',
        password: Buffer.from('pw'),
        sourceAddress: '203.0.113.1',
      });
      if (cached) expect((await auth.authenticate(device)).allow).toBe(true);
      for (let i = 0; i < 5; i++) {
        await auth.authenticate(
          attempt({
            username: 'router',
            password: Buffer.from(`guess-${i}`),
            sourceAddress: '198.51.100.66',
          }),
        );
      }
      const runsBefore = counter.runs;
      const guesser = await auth.authenticate(
        attempt({
          username: 'router',
          password: Buffer.from('pw'),
          sourceAddress: '198.51.100.66',
        }),
      );
      expect(guesser).toMatchObject({
        allow: false,
        reasonCode: ReasonCodes.connectionRateExceeded,
        reason: 'too many failed attempts for this user from this address',
      });
      expect((await auth.authenticate(device)).allow).toBe(true);
      expect(counter.runs - runsBefore).toBe(cached ? 0 : 1);
    },
  );

  test('wrong guesses for one user from many addresses never lock that user out', async () => {
    const auth = authenticator(lookup([await account('router', 'pw')]));
    for (let i = 0; i < 10; i++) {
      const guess = await auth.authenticate(
        attempt({
          username: 'router',
          password: Buffer.from('guess'),
          sourceAddress: `198.51.100.${i}`,
        }),
      );
      expect(guess).toMatchObject({ reasonCode: ReasonCodes.badUserNameOrPassword });
    }
    expect(
      (
        await auth.authenticate(
          attempt({ username: 'router', password: Buffer.from('pw'), sourceAddress: '192.0.2.9' }),
        )
      ).allow,
    ).toBe(true);
  });

  test('an address spraying many usernames is locked for all of them past its softer threshold', async () => {
    const auth = authenticator(lookup([await account('router', 'pw')]));
    const from = (username: string, password: string) =>
      auth.authenticate(
        attempt({ username, password: Buffer.from(password), sourceAddress: '100.64.0.1' }),
      );
    // Six failures (the address threshold), each user within its own two free ones.
    for (const user of ['a', 'b', 'c']) {
      for (let i = 0; i < 2; i++) {
        expect(await from(user, 'x')).toMatchObject({
          reasonCode: ReasonCodes.badUserNameOrPassword,
        });
      }
    }
    expect((await from('router', 'pw')).allow).toBe(true);
    expect(await from('d', 'x')).toMatchObject({ reasonCode: ReasonCodes.badUserNameOrPassword });
    expect(await from('router', 'pw')).toMatchObject({
      allow: false,
      reasonCode: ReasonCodes.connectionRateExceeded,
      reason: 'too many failed attempts from this address',
    });
  });

  test('a certificate cannot claim an account that has a password', async () => {
    const auth = authenticator(lookup([await account('admin-1', 'pw', { role: 'admin' })]));
    const outcome = await auth.authenticate(attempt({ certificate: cert('admin-1') }));
    expect(outcome).toMatchObject({ allow: false, reasonCode: ReasonCodes.notAuthorized });
  });

  test('a removed account is refused without falling back to a legacy Oktopus password', async () => {
    const source: CredentialLookup = {
      credential: () => Promise.resolve('removed'),
      legacyPassword: () => Promise.resolve('legacy'),
    };
    const outcome = await authenticator(source).authenticate(
      attempt({ username: 'router', password: Buffer.from('legacy') }),
    );
    expect(outcome).toMatchObject({ allow: false, reasonCode: ReasonCodes.badUserNameOrPassword });
  });
});

describe('Authenticator with the Oktopus devices-auth migration', () => {
  test('an unknown user and a wrong devices-auth password both run the decoy scrypt of the normal unknown-user path', async () => {
    const counter = countingVerify();
    const auth = authenticator(lookup([], { 'legacy-router': 'plain-pass' }), {
      verify: counter.verify,
    });
    const refusals = [
      // The normal path: devices-auth does not know the name either.
      attempt({ username: 'nobody', password: Buffer.from('x') }),
      attempt({ username: 'legacy-router', password: Buffer.from('wrong') }),
      // Same length as the stored one, differing only in the last byte.
      attempt({ username: 'legacy-router', password: Buffer.from('plain-pasS') }),
    ];
    for (const refused of refusals) {
      expect(await auth.authenticate(refused)).toMatchObject({
        allow: false,
        reasonCode: ReasonCodes.badUserNameOrPassword,
      });
    }
    expect(counter.runs).toBe(3);
    const [decoy, ...others] = counter.hashes;
    for (const hash of others) expect(hash).toBe(decoy);
    const right = await auth.authenticate(
      attempt({ username: 'legacy-router', password: Buffer.from('plain-pass') }),
    );
    expect(right).toMatchObject({ allow: true, via: 'oktopus-devices-auth' });
    expect(counter.runs).toBe(3);
  });

  test('devices-auth is read for every username alongside our bucket, so known names take no fewer round trips', async () => {
    const stored = await account('router', 'pw');
    let answer: (state: CredentialState) => void = () => undefined;
    const legacyReads: string[] = [];
    const source: CredentialLookup = {
      credential: () =>
        new Promise<CredentialState>((resolve) => {
          answer = resolve;
        }),
      legacyPassword: (username) => {
        legacyReads.push(username);
        return Promise.resolve(undefined);
      },
    };
    const pending = authenticator(source).authenticate(
      attempt({ username: 'router', password: Buffer.from('pw') }),
    );
    await Promise.resolve();
    expect(legacyReads).toEqual(['router']);
    answer(stored);
    expect((await pending).allow).toBe(true);
  });

  test('a failing devices-auth read fails only the attempts that need it', async () => {
    const accounts = [await account('router', 'pw')];
    const source: CredentialLookup = {
      credential: (username) =>
        Promise.resolve(accounts.find((a) => a.record.username === username)),
      legacyPassword: () => Promise.reject(new Error('kv down')),
    };
    const auth = authenticator(source);
    expect(
      (await auth.authenticate(attempt({ username: 'router', password: Buffer.from('pw') }))).allow,
    ).toBe(true);
    await expect(
      auth.authenticate(attempt({ username: 'legacy-router', password: Buffer.from('x') })),
    ).rejects.toThrow('kv down');
  });
});
