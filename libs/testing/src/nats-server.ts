// A real nats-server with JetStream for one test suite: testcontainers' NATS module when a
// Docker engine answers, the local `nats-server` binary otherwise. Each server gets a random
// port and its own store directory, and is removed by `stop()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNatsServer } from '@octomesh/service-kit';

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
  /** Force one kind; by default a container when Docker answers (OCTOMESH_TEST_NATS=local forces the binary). */
  kind?: 'container' | 'local';
  startTimeoutMs?: number;
}

/** True when a Docker engine answers on its socket within a second. */
export async function dockerAnswers(): Promise<boolean> {
  const host = process.env['DOCKER_HOST'];
  if (host !== undefined && !host.startsWith('unix://')) return true;
  const socketPath = host?.slice('unix://'.length) ?? '/var/run/docker.sock';
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Starts a JetStream-enabled nats-server on a random port. */
export async function startNatsServer(options: StartNatsOptions = {}): Promise<TestNatsServer> {
  const forced = process.env['OCTOMESH_TEST_NATS'] === 'local' ? 'local' : undefined;
  const kind = options.kind ?? forced ?? ((await dockerAnswers()) ? 'container' : 'local');
  return kind === 'container' ? startContainer() : startLocal(options);
}

async function startContainer(): Promise<TestNatsServer> {
  const { NatsContainer } = await import('@testcontainers/nats');
  const container = await new NatsContainer('nats:2.9-alpine').withJetStream().start();
  const port = container.getMappedPort(4222);
  let stopped = false;
  return {
    url: `nats://${container.getHost()}:${port}`,
    port,
    kind: 'container',
    async stop() {
      if (stopped) return;
      stopped = true;
      await container.stop();
    },
  };
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
