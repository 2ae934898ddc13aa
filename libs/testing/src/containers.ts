// Containers for tests, through testcontainers and a Docker-compatible engine (podman's API on
// these machines, set up by scripts/containers.sh). Every container runs with host networking
// on its own loopback port (the engine's bridge is a private range tests never send to), carries
// the label `octomesh.test=<run>` and is removed by its `stop()`; the jest global teardown
// removes whatever a crashed suite left. Ryuk (testcontainers' reaper) cannot be pulled here,
// so it is off and cleanup is ours.
//
// OCTOMESH_TEST_CONTAINERS: `auto` (default: containers when an engine answers and the images
// exist, local processes otherwise, with a notice), `required` (CI: no engine is an error), `off`.
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';

/** The NATS image scripts/containers.sh builds from Debian's nats-server. */
export const NATS_IMAGE = process.env['OCTOMESH_NATS_IMAGE'] ?? 'localhost/octomesh-nats:2.9';
/** The project image (deploy/container/Dockerfile) scripts/containers.sh builds. */
export const PROJECT_IMAGE = process.env['OCTOMESH_IMAGE'] ?? 'localhost/octomesh:dev';
/** The label every test container carries; its value names the jest run. */
export const TEST_LABEL = 'octomesh.test';

const SOCKETS = ['/var/run/docker.sock', '/run/podman/podman.sock'];

type Mode = 'auto' | 'required' | 'off';

function mode(): Mode {
  const value = process.env['OCTOMESH_TEST_CONTAINERS'] ?? 'auto';
  if (value === 'auto' || value === 'required' || value === 'off') return value;
  throw new Error(`OCTOMESH_TEST_CONTAINERS must be auto, required or off (got '${value}')`);
}

/** The run id of this jest run (set by the global setup), for labels and cleanup. */
export function testRunId(): string {
  return process.env['OCTOMESH_TEST_RUN'] ?? `pid-${process.pid}`;
}

let engineSocket: Promise<string | undefined> | undefined;

/** The engine's unix socket when one answers /_ping within a second. */
export function findEngine(): Promise<string | undefined> {
  engineSocket ??= (async () => {
    const host = process.env['DOCKER_HOST'];
    const candidates =
      host !== undefined && host.startsWith('unix://') ? [host.slice('unix://'.length)] : SOCKETS;
    for (const socketPath of candidates) {
      const answer = await engineRequest(socketPath, 'GET', '/_ping', 1000).catch(() => undefined);
      if (answer?.status === 200) {
        // testcontainers reads these: the engine found, and no reaper image to pull.
        process.env['DOCKER_HOST'] = `unix://${socketPath}`;
        process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
        return socketPath;
      }
    }
    return undefined;
  })();
  return engineSocket;
}

let noticeShown = false;

/**
 * True when tests should run `image` as a container: an engine answers and has the image.
 * Otherwise false with a notice on stderr (once per process), or an error when containers are
 * required.
 */
export async function useContainers(image: string): Promise<boolean> {
  const wanted = mode();
  if (wanted === 'off') return false;
  const socket = await findEngine();
  let why: string | undefined;
  if (socket === undefined) why = 'no container engine answers';
  else {
    const answer = await engineRequest(socket, 'GET', `/images/${image}/json`, 5000);
    if (answer.status !== 200) why = `the engine has no image ${image} (run scripts/containers.sh)`;
  }
  if (why === undefined) return true;
  if (wanted === 'required') throw new Error(`OCTOMESH_TEST_CONTAINERS=required, but ${why}`);
  if (!noticeShown) {
    noticeShown = true;
    process.stderr.write(`octomesh tests: ${why}; running local processes instead\n`);
  }
  return false;
}

/** What to run in a test container. */
export interface TestContainerSpec {
  image: string;
  /** Shown in errors and in the container's name. */
  name: string;
  command?: string[];
  env?: Record<string, string>;
  /** Host directories mounted at the same path (read-write). */
  mounts?: string[];
  /** Files placed in the container before it starts (mode 0444: readable by its user). */
  files?: { target: string; content: string | Buffer }[];
  /** The log line that says the process is up. */
  readyLog: RegExp;
  startTimeoutMs?: number;
}

/** A running test container. */
export interface TestContainer {
  readonly id: string;
  /** Everything it logged so far (stdout and stderr). */
  logs(): string;
  /**
   * Resolves with the first match of `pattern` in the log of its current run (waits for it, up
   * to the deadline).
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGKILL, leaving the container for {@link TestContainer.start}. */
  kill(): Promise<void>;
  /** Starts a killed container again (same command, ports and files). */
  start(): Promise<void>;
  /** Removes it (kills it first). Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a container with host networking, labelled for cleanup. */
export async function startTestContainer(spec: TestContainerSpec): Promise<TestContainer> {
  const socket = await findEngine();
  if (socket === undefined) throw new Error('no container engine answers');
  const { GenericContainer, Wait } = await import('testcontainers');
  let log = '';
  // Where the current run's output starts (after a kill and start, waits look at the new run).
  let runStart = 0;
  const waiters = new Set<() => void>();
  const streams: Readable[] = [];
  const consume = (stream: Readable): void => {
    streams.push(stream);
    stream.on('data', (chunk: Buffer | string) => {
      log += chunk.toString();
      if (log.length > 1_000_000) {
        runStart = Math.max(0, runStart - (log.length - 500_000));
        log = log.slice(-500_000);
      }
      for (const wake of waiters) wake();
    });
  };
  let builder = new GenericContainer(spec.image)
    .withName(`octomesh-test-${spec.name}-${process.pid}-${Date.now().toString(36)}`)
    .withNetworkMode('host')
    .withLabels({ [TEST_LABEL]: testRunId() })
    .withLogConsumer(consume)
    .withWaitStrategy(Wait.forLogMessage(spec.readyLog))
    .withStartupTimeout(spec.startTimeoutMs ?? 30_000);
  if (spec.command !== undefined) builder = builder.withCommand(spec.command);
  if (spec.env !== undefined) builder = builder.withEnvironment(spec.env);
  if (spec.mounts !== undefined && spec.mounts.length > 0) {
    builder = builder.withBindMounts(
      spec.mounts.map((dir) => ({ source: dir, target: dir, mode: 'rw' as const })),
    );
  }
  if (spec.files !== undefined) {
    builder = builder.withCopyContentToContainer(
      spec.files.map((file) => ({ content: file.content, target: file.target, mode: 0o444 })),
    );
  }
  let started;
  try {
    started = await builder.start();
  } catch (error) {
    throw new Error(`container ${spec.name} did not start: ${(error as Error).message}\n${log}`, {
      cause: error,
    });
  }
  const id = started.getId();
  let removed = false;
  const waitForLog = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(log.slice(runStart));
        if (match === null) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(match);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`container ${spec.name}: no ${String(pattern)} in ${timeoutMs} ms\n${log}`),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    id,
    logs: () => log,
    waitForLog,
    async kill() {
      await engineRequest(socket, 'POST', `/containers/${id}/kill?signal=SIGKILL`, 10_000);
      await engineRequest(socket, 'POST', `/containers/${id}/wait`, 30_000);
    },
    async start() {
      // The log consumer followed the first run only: follow the new one from now on.
      const since = Math.floor(Date.now() / 1000);
      log += `--- ${spec.name} started again ---\n`;
      runStart = log.length;
      const answer = await engineRequest(socket, 'POST', `/containers/${id}/start`, 30_000);
      if (answer.status >= 300) throw new Error(`start ${spec.name}: ${answer.body}`);
      const { getContainerRuntimeClient } = await import('testcontainers');
      const client = await getContainerRuntimeClient();
      const stream = await client.container.logs(client.container.getById(id), { since });
      consume(stream);
    },
    async stop() {
      if (removed) return;
      removed = true;
      for (const stream of streams) stream.destroy();
      await engineRequest(socket, 'DELETE', `/containers/${id}?force=true&v=true`, 30_000);
    },
  };
}

/** Removes every container of a test run (all runs when `runId` is undefined); returns how many. */
export async function removeTestContainers(runId?: string): Promise<number> {
  const socket = await findEngine();
  if (socket === undefined) return 0;
  const label = runId === undefined ? TEST_LABEL : `${TEST_LABEL}=${runId}`;
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const answer = await engineRequest(socket, 'GET', `/containers/json?all=true&filters=${filters}`);
  const containers = JSON.parse(answer.body) as { Id: string }[];
  for (const { Id } of containers) {
    await engineRequest(socket, 'DELETE', `/containers/${Id}?force=true&v=true`, 30_000);
  }
  return containers.length;
}

/** A free TCP port on 127.0.0.1 (for containers that must keep their port across restarts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** One request to the engine's API over its unix socket. */
export function engineRequest(
  socketPath: string,
  method: string,
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: an idle pooled socket would hold the process open.
    const req = request({ socketPath, method, path, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}
