// Accounts written straight into KV `mqtt-credentials` (as `octomesh user add` would, with a
// cheaper scrypt cost), for suites that need many of them quickly.
import { BucketSpecs, encodeKvKey, type Role } from '@octomesh/contracts';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, newCredentialRecord } from '@octomesh/credentials';
import { openBucket, type NatsConnection } from '@octomesh/nats-kit';

/** One account to create. */
export interface TestAccountSpec {
  username: string;
  password: string;
  role: Role;
  endpointId?: string;
}

/** Writes the accounts; passwords are hashed with N=1024 (test speed, not production). */
export async function addAccounts(
  nc: NatsConnection,
  accounts: readonly TestAccountSpec[],
): Promise<void> {
  const kv = await openBucket(nc, BucketSpecs.credentials);
  await Promise.all(
    accounts.map(async (a) => {
      const password = await hashPassword(a.password, { ...DEFAULT_SCRYPT_PARAMS, N: 1024 });
      const record = newCredentialRecord({
        username: a.username,
        role: a.role,
        endpointId: a.endpointId ?? '',
        password,
      });
      await kv.put(encodeKvKey(a.username), JSON.stringify(record));
    }),
  );
}
