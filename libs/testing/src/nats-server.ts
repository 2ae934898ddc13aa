// A real nats-server with JetStream for one test suite: testcontainers' NATS module when a
// Docker engine answers, the local `nats-server` binary otherwise. Each server gets a random
// port and its own store directory, and is removed by `stop()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  /** Force one kind; by default a container when Docker answers, else the local binary. */
  kind?: 'container' | 'local';
  /** Milliseconds to wait for the server to accept clients. */
  startTimeoutMs?: number;
  /** Store directory for the local binary (default: a new temporary directory, removed on stop). */
  storeDir?: string;
}

/** True when a Docker engine answers on its socket within a second. */
export async function dockerAnswers(): Promise<boolean> {
  const socketPath = process.env['DOCKER_HOST']?.startsWith('unix://')
    ? process.env['DOCKER_HOST'].slice('unix://'.length)
    : '/var/run/docker.sock';
  if (process.env['DOCKER_HOST'] !== undefined && !process.env['DOCKER_HOST'].startsWith('unix://')) {
    return true;
  }
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
  const kind = options.kind ?? ((await dockerAnswers()) ? 'container' : 'local');
  return kind === 'container' ? startContainer() : startLocal(options);
}

async function startContainer(): Promise<TestNatsServer> {
  const { NatsContainer } = await import('@testcontainers/nats');
  const container = await new NatsContainer('nats:2.10-alpine').withJetStream().start();
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

/** The `nats-server` binary to run: NATS_SERVER_BIN or the one on PATH. */
export function natsServerBinary(): string {
  return process.env['NATS_SERVER_BIN'] ?? 'nats-server';
}

async function startLocal(options: StartNatsOptions): Promise<TestNatsServer> {
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'octomesh-nats-'));
  // -p -1 lets the server choose a free port itself, so there is no race for it; the port is
  // read back from the log line that announces client connections.
  const child = spawn(
    natsServerBinary(),
    ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', storeDir, '-m', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await waitForPort(child, options.startTimeoutMs ?? 15_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    throw error;
  });
  let stopped = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kind: 'local',
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child);
      if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    const timer = setTimeout(() => fail(new Error(`nats-server did not start in ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const match = /Listening for client connections on [^\s]+:(\d+)/.exec(log);
      if (match?.[1] !== undefined) port = Number(match[1]);
      if (port !== undefined && log.includes('Server is ready')) {
        cleanup();
        resolve(port);
      }
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`nats-server exited (${code}) before it was ready:\n${log}`));
    const onError = (error: Error): void =>
      fail(
        new Error(
          `cannot run ${natsServerBinary()} (${error.message}); install it with "apt-get install -y nats-server" or run scripts/setup.sh`,
        ),
      );
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Sends SIGTERM, then SIGKILL after five seconds, and waits for the exit. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
