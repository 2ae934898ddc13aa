// The CLI's NATS connection: --nats-url, else NATS_URL, else the local default; credentials
// from NATS_CREDS, NATS_NKEY_SEED_FILE or NATS_USER/NATS_PASSWORD (never from argv), else the
// admin identity `octomesh up` keeps in ./.octomesh (OCTOMESH_DATA_DIR), if there is one.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inboxPrefixOf } from '@octomesh/contracts';
import {
  connectNats,
  redactUrls,
  type NatsConnection,
  type NatsConnectOptions,
} from '@octomesh/nats-kit';
import { createLogger, readNkeySeed } from '@octomesh/service-kit';

/** The NATS URL a command should use. */
export function natsUrl(flag: string | undefined): string {
  return flag ?? process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
}

/** The URL without user:password, for messages. */
export function redactUrl(url: string): string {
  return redactUrls(url);
}

/** Connects, runs `work`, and closes the connection whatever happens. */
export async function withNats<T>(
  flag: string | undefined,
  work: (nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const url = natsUrl(flag);
  let nc: NatsConnection;
  try {
    nc = await connectNats({
      servers: url,
      name: 'octomesh-cli',
      logger: createLogger('cli', 'silent'),
      timeoutMs: 3000,
      inboxPrefix: inboxPrefixOf('admin'),
      ...cliCredentials(process.env),
    });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${redactUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}

/** The CLI's NATS credentials from the environment (see the module comment). */
export function cliCredentials(
  env: NodeJS.ProcessEnv,
): Pick<NatsConnectOptions, 'creds' | 'nkeySeed' | 'user' | 'pass'> {
  const credsFile = env['NATS_CREDS'];
  if (credsFile !== undefined) return { creds: readFileSync(credsFile) };
  const seedFile = env['NATS_NKEY_SEED_FILE'];
  if (seedFile !== undefined) return { nkeySeed: readNkeySeed(seedFile) };
  const user = env['NATS_USER'];
  if (user !== undefined) return { user, pass: env['NATS_PASSWORD'] ?? '' };
  const local = join(
    resolve(env['OCTOMESH_DATA_DIR'] ?? '.octomesh'),
    'nats-credentials',
    'admin.nk',
  );
  if (existsSync(local)) return { nkeySeed: readNkeySeed(local) };
  return {};
}
