// The contract every SessionStore passes (memory now, NATS KV later). Test code only.
import type { SessionStore, StoredSession } from './session-store.ts';

function stored(clientId: string, expirySeconds: number, disconnectedAt: number): StoredSession {
  return {
    clientId,
    identitySubject: `user:${clientId}`,
    expirySeconds,
    disconnectedAt,
    subscriptions: [
      {
        clientId,
        filter: 'a/+',
        options: {
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
          subscriptionIdentifier: 4,
        },
      },
      {
        clientId,
        filter: 'b/#',
        shareGroup: 'g',
        options: { qos: 0, noLocal: false, retainAsPublished: true, retainHandling: 2 },
      },
    ],
  };
}

/** Declares the session store contract tests for one implementation. */
export function sessionStoreContract(
  name: string,
  makeStore: (options: {
    maxSessions: number;
  }) => Promise<{ store: SessionStore; dispose(): Promise<void> }>,
): void {
  describe(`${name} session store contract`, () => {
    test('a saved session loads back with its subscriptions and options', async () => {
      const { store, dispose } = await makeStore({ maxSessions: 10 });
      await store.save(stored('c1', 60, 1000));
      const loaded = await store.load('c1', 2000);
      expect(loaded).toEqual(stored('c1', 60, 1000));
      await dispose();
    });

    test('an expired session is not loaded and is removed', async () => {
      const { store, dispose } = await makeStore({ maxSessions: 10 });
      await store.save(stored('c2', 1, 1000));
      expect(await store.load('c2', 2000)).toBeUndefined();
      expect(await store.load('c2', 1500)).toBeUndefined();
      await dispose();
    });

    test('saving again replaces, deleting removes', async () => {
      const { store, dispose } = await makeStore({ maxSessions: 10 });
      await store.save(stored('c3', 60, 1000));
      await store.save({ ...stored('c3', 60, 1000), expirySeconds: 120 });
      expect((await store.load('c3', 1000))?.expirySeconds).toBe(120);
      await store.delete('c3');
      expect(await store.load('c3', 1000)).toBeUndefined();
      await dispose();
    });

    test('a full store refuses a new session instead of evicting one silently', async () => {
      const { store, dispose } = await makeStore({ maxSessions: 2 });
      const now = Date.now();
      await store.save(stored('k1', 600, now));
      await store.save(stored('k2', 600, now));
      await expect(store.save(stored('k3', 600, now))).rejects.toMatchObject({
        code: 'SESSION_STORE_FULL',
      });
      expect(await store.load('k1')).toBeDefined();
      await dispose();
    });
  });
}
