// Credentials in NATS KV: `mqtt-credentials` (ours, scrypt hashes) and, for migration only,
// Oktopus's `devices-auth` (username → plaintext password).
import { BucketSpecs, Buckets, Roles } from '@octomesh/contracts';
import { encodeKvKey, parseCredentialRecord } from '@octomesh/credentials';
import { openBucket, openExistingBucket, type KV, type NatsConnection } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import type { CredentialLookup, CredentialState } from './domain/authenticator.ts';

/** Reads credential records from KV; a corrupt record is logged and treated as absent-and-denied. */
export class KvCredentialStore implements CredentialLookup {
  readonly #credentials: KV;
  readonly #legacy: KV | undefined;
  readonly #logger: Logger;

  private constructor(credentials: KV, legacy: KV | undefined, logger: Logger) {
    this.#credentials = credentials;
    this.#legacy = legacy;
    this.#logger = logger;
  }

  /** Opens (creating when needed) the credentials bucket and, when asked, the legacy one. */
  static async open(
    nc: NatsConnection,
    logger: Logger,
    legacy: boolean,
    replicas = 1,
  ): Promise<KvCredentialStore> {
    const credentials = await openBucket(nc, BucketSpecs.credentials, replicas);
    let legacyBucket: KV | undefined;
    if (legacy) {
      legacyBucket = await openExistingBucket(nc, Buckets.oktopusDevicesAuth);
      if (legacyBucket === undefined)
        logger.warn(
          { bucket: Buckets.oktopusDevicesAuth },
          'oktopus bucket not found, legacy credentials unavailable',
        );
    }
    return new KvCredentialStore(credentials, legacyBucket, logger);
  }

  /** The credentials bucket (the revocation watch reads its changes). */
  get bucket(): KV {
    return this.#credentials;
  }

  async credential(username: string): Promise<CredentialState> {
    const entry = await this.#credentials.get(encodeKvKey(username));
    if (entry === null) return undefined;
    // Deleted or purged accounts leave a marker: the account is gone, not unknown.
    if (entry.operation !== 'PUT' || entry.length === 0) return 'removed';
    try {
      const record = parseCredentialRecord(entry.json());
      if (record.username !== username) throw new Error('record username differs from its key');
      return { record, revision: entry.revision };
    } catch (error) {
      // A record we cannot read must not let anyone in, and must not look like a wrong password.
      this.#logger.error(
        { key: entry.key, error: (error as Error).message },
        'corrupt credential record',
      );
      return {
        revision: entry.revision,
        record: {
          version: 1,
          username,
          role: Roles.device,
          endpointId: '',
          enabled: false,
          createdAt: '',
          updatedAt: '',
        },
      };
    }
  }

  async legacyPassword(username: string): Promise<string | undefined> {
    if (this.#legacy === undefined) return undefined;
    // Oktopus keys devices-auth by the raw username; keys NATS refuses cannot exist there.
    if (!/^[-/_=.a-zA-Z0-9]+$/.test(username) || username.startsWith('.') || username.endsWith('.'))
      return undefined;
    const entry = await this.#legacy.get(username);
    if (entry === null || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return entry.string();
  }
}
