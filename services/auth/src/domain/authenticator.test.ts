import { ReasonCodes } from '@octomesh/contracts';
import {
  AttemptLimiter,
  VerificationCache,
  hashPassword,
  newCredentialRecord,
  verifyPassword,
} from '@octomesh/credentials';
import {
  Authenticator,
  type AuthAttempt,
  type CredentialLookup,
  type StoredCredential,
} from './authenticator.ts';

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

/** A verifier that counts scrypt runs (the real one underneath). */
function countingVerify() {
  const counter = {
    runs: 0,
    verify: async (password: Uint8Array, hash: Parameters<typeof verifyPassword>[1]) => {
      counter.runs++;
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
    limiter: new AttemptLimiter({
      maxEntries: 100,
      freeFailures: 2,
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
            sourceAddress: `198.51.100.${i}`,
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
    const right = await auth.authenticate(
      attempt({ username: 'router', password: Buffer.from('pw'), sourceAddress: '203.0.113.1' }),
    );
    expect(right).toMatchObject({ allow: false, reasonCode: ReasonCodes.connectionRateExceeded });
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
