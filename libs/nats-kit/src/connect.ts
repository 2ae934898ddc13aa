// Connecting to NATS: reconnect forever with jitter, and say so in the log, because a service
// that silently lost NATS answers nothing and looks healthy.
import { connect } from '@nats-io/transport-node';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  type Authenticator,
  type NatsConnection,
} from '@nats-io/nats-core';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { OctomeshError } from '@octomesh/contracts';
import type { Logger } from 'pino';

/**
 * Oldest nats-server Octomesh runs on: 2.9 (Debian 12's package). Nothing uses 2.10-only
 * features (consumers with several filter subjects, per-message TTL), so 2.9 is enough.
 */
export const MIN_SERVER = { major: 2, minor: 9 } as const;

/** How a service reaches NATS. */
export interface NatsConnectOptions {
  /** One or more `nats://host:port` URLs. */
  servers: string | readonly string[];
  /** Connection name shown by `nats server report connections`. */
  name: string;
  logger: Logger;
  user?: string;
  pass?: string;
  token?: string;
  /** An NKey user seed (`SU...`): the bus identity of a role (bus-permissions.ts). */
  nkeySeed?: Uint8Array;
  /** The contents of a `.creds` file (decentralized JWT auth). */
  creds?: Uint8Array;
  /** The inbox prefix the role's permissions allow (`_INBOX_<role>`). */
  inboxPrefix?: string;
  /** TLS to NATS: the CA that signed the server, and a client certificate if it wants one. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Milliseconds for one connection attempt. */
  timeoutMs?: number;
  /** The server does not deliver this connection's own publishes to its own subscriptions. */
  noEcho?: boolean;
  /**
   * Milliseconds to keep retrying the first connection while no server answers (containers
   * start in any order); 0 tries once. An answer that refuses us (authorization) is not retried.
   * Later losses reconnect forever.
   */
  startupTimeoutMs?: number;
}

/** Opens a NATS connection that reconnects forever and logs every status change. */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const deadline = Date.now() + (options.startupTimeoutMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(options);
    } catch (error) {
      if (!unreachable(error) || Date.now() >= deadline) {
        if (!unreachable(error)) throw error;
        throw new OctomeshError(
          'NATS_UNREACHABLE',
          `no NATS server answered at ${redactUrls(options.servers)}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const waitMs = Math.min(2000, 250 * attempt, Math.max(0, deadline - Date.now()));
      options.logger.warn(
        { servers: redactUrls(options.servers), error: (error as Error).message, attempt },
        'nats not reachable yet, retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** Server URLs with any user:password replaced by `***`, for messages and logs. */
export function redactUrls(servers: string | readonly string[]): string {
  const list = typeof servers === 'string' ? [servers] : servers;
  return list.map((url) => url.replace(/\/\/[^@/]*@/g, '//***@')).join(',');
}

/** Errors that mean no server answered (refused, reset, timed out), not a refusal by one. */
function unreachable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /connection refused|timeout|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/i.test(message);
}

async function connectOnce(options: NatsConnectOptions): Promise<NatsConnection> {
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  const nc = await connect({
    servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    timeout: options.timeoutMs ?? 5000,
    waitOnFirstConnect: false,
    // nats.js otherwise builds an Error (with a stack trace) for every request and its timer,
    // about 10% of the broker's CPU during a connect storm; `call` reports its own errors.
    noAsyncTraces: true,
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.pass !== undefined ? { pass: options.pass } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(authenticatorOf(options) !== undefined ? { authenticator: authenticatorOf(options) } : {}),
    ...(options.inboxPrefix !== undefined ? { inboxPrefix: options.inboxPrefix } : {}),
    ...(options.noEcho === true ? { noEcho: true } : {}),
    ...(options.tls !== undefined ? { tls: { ...options.tls } } : {}),
  });
  options.logger.info({ server: nc.getServer(), version: nc.info?.version }, 'nats connected');
  if (!serverAtLeast(nc, MIN_SERVER.major, MIN_SERVER.minor)) {
    await nc.close();
    throw new OctomeshError(
      'NATS_SERVER_TOO_OLD',
      `nats-server ${serverVersion(nc)} is older than ${MIN_SERVER.major}.${MIN_SERVER.minor}, the minimum Octomesh supports`,
    );
  }
  void logStatus(nc, options.logger);
  return nc;
}

function authenticatorOf(options: NatsConnectOptions): Authenticator | undefined {
  if (options.creds !== undefined) return credsAuthenticator(options.creds);
  if (options.nkeySeed !== undefined) return nkeyAuthenticator(options.nkeySeed);
  return undefined;
}

/** A new bus identity: an NKey user's seed (secret) and public key (for the server config). */
export function createBusIdentity(): { seed: string; publicKey: string } {
  const user = createUser();
  return { seed: new TextDecoder().decode(user.getSeed()), publicKey: user.getPublicKey() };
}

/** The public key (`U...`) of an NKey user seed. */
export function publicKeyOfSeed(seed: Uint8Array): string {
  return fromSeed(seed).getPublicKey();
}

/** Connections opened by {@link connectNats} that are between a disconnect and a reconnect. */
const disconnected = new WeakSet<NatsConnection>();

/** True while the connection is up: not closed, and not waiting to reconnect. */
export function natsConnected(nc: NatsConnection): boolean {
  return !nc.isClosed() && !nc.isDraining() && !disconnected.has(nc);
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') disconnected.add(nc);
    else if (status.type === 'reconnect') disconnected.delete(nc);
    switch (status.type) {
      case 'disconnect':
        logger.warn({ server: status.server }, 'nats disconnected');
        break;
      case 'reconnecting':
        logger.debug('nats reconnecting');
        break;
      case 'reconnect':
        logger.info({ server: status.server }, 'nats reconnected');
        break;
      case 'error':
        logger.error({ error: status.error.message }, 'nats error');
        break;
      case 'slowConsumer':
        logger.warn({ sub: status.sub.getSubject() }, 'nats slow consumer');
        break;
      default:
        break;
    }
  }
}

/** The server's version as "major.minor.patch", for feature detection. */
export function serverVersion(nc: NatsConnection): string {
  return nc.info?.version ?? '0.0.0';
}

/** True when the connected server is at least `major.minor`. */
export function serverAtLeast(nc: NatsConnection, major: number, minor: number): boolean {
  const [maj = 0, min = 0] = serverVersion(nc)
    .split('.')
    .map((part) => Number.parseInt(part, 10));
  return maj > major || (maj === major && min >= minor);
}
