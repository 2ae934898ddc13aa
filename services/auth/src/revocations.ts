// Revocation: every change to an account's record in KV mqtt-credentials (disabled, removed,
// password, role or endpoint id changed) is announced on mesh.auth.v1.revoked, and every broker
// replica closes that account's live connections (issue 9: "revocation takes effect within a
// second"). The verification cache forgets the account at once (it would also miss on the new
// revision). Each auth replica announces; brokers treat repeats as one.
import { decodeKvKey, mesh, Subjects } from '@octomesh/contracts';
import { parseCredentialRecord, type VerificationCache } from '@octomesh/credentials';
import { watchChanges, type BucketWatch, type KV, type NatsConnection } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';

/** What a change did to an account. */
export type RevocationReason = 'removed' | 'disabled' | 'changed';

/** The reason for one KV entry of the credentials bucket. */
export function revocationReason(entry: {
  operation: string;
  length: number;
  json(): unknown;
}): RevocationReason {
  if (entry.operation !== 'PUT' || entry.length === 0) return 'removed';
  try {
    return parseCredentialRecord(entry.json()).enabled ? 'changed' : 'disabled';
  } catch {
    // A record nobody can read lets nobody in (credential-store.ts): as good as disabled.
    return 'disabled';
  }
}

/** Starts announcing revocations; returns the running watch. */
export async function announceRevocations(
  nc: NatsConnection,
  credentials: KV,
  cache: VerificationCache | undefined,
  logger: Logger,
): Promise<BucketWatch & { readonly counters: { announced: number } }> {
  const counters = { announced: 0 };
  const watch = await watchChanges(
    credentials,
    (entry) => {
      const username = decodeKvKey(entry.key);
      const reason = revocationReason(entry);
      cache?.forget(username);
      nc.publish(
        Subjects.authRevoked,
        mesh.auth.v1.AccountRevoked.encode({ username, reason }).finish(),
      );
      counters.announced++;
      logger.info({ username, reason }, 'account changed, revoking its connections');
    },
    (error, entry) =>
      logger.error({ key: entry.key, error: (error as Error).message }, 'revocation not announced'),
  );
  return { ...watch, counters };
}
