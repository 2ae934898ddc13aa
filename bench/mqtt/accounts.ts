// The benchmark's accounts, the same for every broker: devices (role device, each bound to its
// own USP endpoint id), one controller and one admin. Octomesh reads them from KV
// `mqtt-credentials`; mosquitto from a password_file; aedes from a map.
import { Buckets, DEFAULT_TOPIC_PREFIX, encodeKvKey, Roles, type Role } from '@octomesh/contracts';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  newCredentialRecord,
  type PasswordHash,
} from '@octomesh/credentials';
import { openExistingBucket, type NatsConnection } from '@octomesh/nats-kit';
import { runClosedLoop } from '../support/load.ts';
import type { AccountPattern, ClientIdentity } from './jobs.ts';

/** Distinct passwords (one hash each) the device accounts share, as in auth-storm. */
export const SHARED_PASSWORDS = 16;
/**
 * scrypt cost of the benchmark's hashes: the cheapest verification accepts. The connect
 * scenario measures warm logins (answered from the auth cache), so this only shortens set-up.
 */
export const BENCH_SCRYPT = { ...DEFAULT_SCRYPT_PARAMS, N: 1024 };
const KV_WRITE_CONCURRENCY = 64;

/** The agent topic of endpoint `id` under the default USP prefix. */
export const agentTopicPrefix = `${DEFAULT_TOPIC_PREFIX}/agent/`;

/** Device accounts n = 0 … accounts-1; `withCredentials` false for a peer's open listener. */
export function devicePattern(accounts: number, withCredentials: boolean): AccountPattern {
  return {
    usernamePrefix: 'bench-device-',
    passwordPrefix: 'bench-password-',
    endpointPrefix: 'os::BENCH-',
    accounts,
    passwords: SHARED_PASSWORDS,
    topicPrefix: agentTopicPrefix,
    withCredentials,
  };
}

/** The single-account roles. */
export const RoleAccounts = {
  controller: { username: 'bench-controller', password: 'bench-password-0' },
  admin: { username: 'bench-admin', password: 'bench-password-0' },
} as const;

/** A client of the controller or admin account (credentials only where the broker needs them). */
export function roleClient(
  role: keyof typeof RoleAccounts,
  clientId: string,
  withCredentials: boolean,
): ClientIdentity {
  return withCredentials ? { clientId, ...RoleAccounts[role] } : { clientId };
}

/** Writes every account into Octomesh's credentials bucket (the auth service creates it). */
export async function writeOctomeshAccounts(
  nc: NatsConnection,
  devices: number,
  signal: AbortSignal,
): Promise<number> {
  const hashes: PasswordHash[] = await Promise.all(
    Array.from({ length: SHARED_PASSWORDS }, (_, k) =>
      hashPassword(`bench-password-${k}`, BENCH_SCRYPT),
    ),
  );
  const kv = await openExistingBucket(nc, Buckets.credentials);
  if (kv === undefined) throw new Error(`the auth service did not create ${Buckets.credentials}`);
  const pattern = devicePattern(devices, true);
  const put = async (username: string, role: Role, endpointId: string, k: number) => {
    const record = newCredentialRecord({ username, role, endpointId, password: hashes[k]! });
    await kv.put(encodeKvKey(username), JSON.stringify(record));
  };
  await put(RoleAccounts.controller.username, Roles.controller, '', 0);
  await put(RoleAccounts.admin.username, Roles.admin, '', 0);
  const result = await runClosedLoop(
    'write device accounts',
    { signal, requests: devices, concurrency: KV_WRITE_CONCURRENCY },
    async (n) => {
      await put(
        `${pattern.usernamePrefix}${n}`,
        Roles.device,
        `${pattern.endpointPrefix}${n}`,
        n % SHARED_PASSWORDS,
      );
      return undefined;
    },
  );
  if (result.failures > 0) throw new Error(`${result.failures} account writes failed`);
  return devices + 2;
}
