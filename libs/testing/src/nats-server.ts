// A real nats-server with JetStream for one test suite: a container of the NATS image when an
// engine answers (containers.ts), the local `nats-server` binary otherwise. Each server gets a random
// port and its own store directory, and is removed by `stop()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNatsServer } from '@octomesh/service-kit';
import { NATS_IMAGE, startTestContainer, useContainers, type TestContainer } from './containers.ts';

/** A running NATS server for tests. */
export interface TestNatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Where it came from: a container or the local binary. */
  readonly kind: 'container' | 'local';
  /** Stops the server and removes its store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options for {@link startNatsServer}. */
export interface StartNatsOptions {
  /** Force one kind; by default a container when an engine answers (OCTOMESH_TEST_NATS=local forces the binary). */
  kind?: 'container' | 'local';
  startTimeoutMs?: number;
}

/** Starts a JetStream-enabled nats-server on a random port. */
export async function startNatsServer(options: StartNatsOptions = {}): Promise<TestNatsServer> {
  const forced = process.env['OCTOMESH_TEST_NATS'] === 'local' ? 'local' : undefined;
  const kind =
    options.kind ?? forced ?? ((await useContainers(NATS_IMAGE)) ? 'container' : 'local');
  if (kind === 'local') return startLocal(options);
  const storeDir = mkdtempSync(join(tmpdir(), 'octomesh-nats-'));
  try {
    const nats = await startNatsContainer({ name: 'nats', storeDir, mounts: [storeDir] });
    let stopped = false;
    return {
      url: nats.url,
      port: nats.port,
      kind: 'container',
      async stop() {
        if (stopped) return;
        stopped = true;
        await nats.container.stop();
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
}

/** Options of {@link startNatsContainer}. */
export interface NatsContainerOptions {
  name: string;
  storeDir: string;
  /** Host directories the server reads or writes (its store, config, certificates). */
  mounts: string[];
  configFile?: string;
  /** Client port; -1 (default) lets the server pick a free one. */
  port?: number;
  /** More nats-server arguments (cluster, server name). */
  args?: string[];
}

/** nats-server (JetStream on) in a container of {@link NATS_IMAGE}, on 127.0.0.1. */
export async function startNatsContainer(
  options: NatsContainerOptions,
): Promise<{ url: string; port: number; container: TestContainer }> {
  const container = await startTestContainer({
    image: NATS_IMAGE,
    name: options.name,
    mounts: options.mounts,
    command: [
      '-a',
      '127.0.0.1',
      '-p',
      String(options.port ?? -1),
      '-js',
      '-sd',
      options.storeDir,
      '-m',
      '0',
      ...(options.configFile !== undefined ? ['-c', options.configFile] : []),
      ...(options.args ?? []),
    ],
    readyLog: /Server is ready/,
  });
  try {
    const [, port] = await container.waitForLog(/Listening for client connections on [^\s]+:(\d+)/);
    return { url: `nats://127.0.0.1:${port}`, port: Number(port), container };
  } catch (error) {
    await container.stop();
    throw error;
  }
}

async function startLocal(options: StartNatsOptions): Promise<TestNatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), 'octomesh-nats-'));
  try {
    const server = await spawnNatsServer({
      storeDir,
      port: -1,
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
    });
    let stopped = false;
    return {
      url: server.url,
      port: server.port,
      kind: 'local',
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
}
