// The CLI's NATS connection: --nats-url, else NATS_URL, else the local default.
import { connectNats, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';

/** The NATS URL a command should use. */
export function natsUrl(flag: string | undefined): string {
  return flag ?? process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
}

/** The URL without user:password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//***@');
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
