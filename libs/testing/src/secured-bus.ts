// A nats-server with the mesh's bus permissions for one test suite: every role has its own
// NKey identity (bus-permissions.ts), exactly as `octomesh up` runs it, on a random port with
// its own store and credentials directory, removed by `stop()`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inboxPrefixOf, type BusPermissionOptions, type BusRole } from '@octomesh/contracts';
import {
  connectNats,
  prepareLocalBus,
  readSeedFile,
  seedFileOf,
  type NatsConnection,
} from '@octomesh/nats-kit';
import { createLogger, spawnNatsServer } from '@octomesh/service-kit';
import { NATS_IMAGE, useContainers } from './containers.ts';
import { startNatsContainer, type TestNatsServer } from './nats-server.ts';

/** A running secured bus. */
export interface TestBus extends TestNatsServer {
  /** The file holding a role's NKey seed. */
  seedFile(role: BusRole): string;
  /** What a service process of `role` needs to connect: NATS_URL and its seed file. */
  env(role: BusRole): Record<string, string>;
  /** A connection of the test itself as `role` (with only that role's permissions). */
  connect(role: BusRole, name?: string): Promise<NatsConnection>;
}

/** Options of {@link startSecuredBus}. */
export interface SecuredBusOptions extends BusPermissionOptions {
  /** TLS for every client: the server's certificate and key files (PEM). */
  tls?: { certFile: string; keyFile: string };
}

/**
 * Starts nats-server (JetStream on) with the generated authorization: in a container of the NATS
 * image when an engine answers (containers.ts), the local binary otherwise.
 */
export async function startSecuredBus(options: SecuredBusOptions = {}): Promise<TestBus> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octomesh-bus-'));
  try {
    let configFile = prepareLocalBus(dataDir, options);
    if (options.tls !== undefined) {
      configFile = join(dataDir, 'server.conf');
      writeFileSync(
        configFile,
        [
          'include "nats-auth.conf"',
          `tls { cert_file: "${options.tls.certFile}", key_file: "${options.tls.keyFile}" }`,
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
    }
    const server = (await useContainers(NATS_IMAGE))
      ? await startInContainer(dataDir, configFile, options)
      : {
          ...(await spawnNatsServer({ storeDir: join(dataDir, 'nats'), configFile, port: -1 })),
          kind: 'local' as const,
        };
    let stopped = false;
    return {
      url: server.url,
      port: server.port,
      kind: server.kind,
      seedFile: (role) => seedFileOf(dataDir, role),
      env: (role) => ({ NATS_URL: server.url, NATS_NKEY_SEED_FILE: seedFileOf(dataDir, role) }),
      connect: (role, name) =>
        connectNats({
          servers: server.url,
          name: name ?? `test-${role}`,
          logger: createLogger('test', 'silent'),
          nkeySeed: readSeedFile(seedFileOf(dataDir, role)),
          inboxPrefix: inboxPrefixOf(role),
        }),
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The bus's nats-server in a container, its data directory (store, config) mounted. */
async function startInContainer(
  dataDir: string,
  configFile: string,
  options: SecuredBusOptions,
): Promise<{ url: string; port: number; kind: 'container'; stop(): Promise<void> }> {
  const mounts = [dataDir];
  if (options.tls !== undefined) {
    mounts.push(dirname(options.tls.certFile), dirname(options.tls.keyFile));
  }
  const nats = await startNatsContainer({
    name: 'bus',
    storeDir: join(dataDir, 'nats'),
    configFile,
    mounts: [...new Set(mounts)],
  });
  return {
    url: nats.url,
    port: nats.port,
    kind: 'container',
    stop: () => nats.container.stop(),
  };
}
