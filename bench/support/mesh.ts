// A throw-away mesh for one benchmark run: nats-server on a random loopback port with its own
// store directory, services as separate processes (as in production), and one client
// connection. stop() removes all of it; so do Ctrl-C and SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectNats, discoverServices, type NatsConnection } from '@octomesh/nats-kit';
import {
  createLogger,
  spawnNatsServer,
  spawnService,
  type ServiceProcess,
} from '@octomesh/service-kit';
import type { EchoKind } from './clients.ts';
import type { ServiceLogLevel } from './options.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const echoMain = join(import.meta.dirname, 'echo-service.ts');

/** Log levels (pino labels) worth reporting after a run. */
const PROBLEM_LEVELS = new Set(['warn', 'error', 'fatal']);
/** Characters kept of the sample line of each distinct problem. */
const MAX_SAMPLE_CHARS = 300;
/** Output lines of a service shown when it fails to start. */
const RECENT_LINES = 20;

/** The running mesh of one benchmark. */
export interface BenchMesh {
  readonly natsUrl: string;
  readonly nc: NatsConnection;
  /** Aborted by Ctrl-C or SIGTERM: load runners stop sending, and the bench stops reporting. */
  readonly signal: AbortSignal;
  /** Starts services/<name>/src/main.ts and waits until it is ready. */
  startService(name: string, env?: Record<string, string>): Promise<ServiceProcess>;
  /** Starts the echo baseline for `kind` and waits until it is ready. */
  startEcho(kind: EchoKind): Promise<ServiceProcess>;
  /** "<service>: <count>× <level> <msg>" for every warning, error or stray line a child logged. */
  serviceProblems(): string[];
  /** Requests and errors a micro service counted, as `nats micro stats` shows them. */
  serviceStats(name: string): Promise<{ requests: number; errors: number; instances: number }>;
  /** Stops services, client, server, and removes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts nats-server and connects a client; services are added with startService/startEcho. */
export async function startBenchMesh(
  clientName: string,
  serviceLogLevel: ServiceLogLevel = 'warn',
): Promise<BenchMesh> {
  const storeDir = mkdtempSync(join(tmpdir(), 'octomesh-bench-'));
  const removeStore = (): void => rmSync(storeDir, { recursive: true, force: true });
  // Last resort if the process exits without stop(): spawnNatsServer kills the server on exit.
  process.once('exit', removeStore);
  const server = await spawnNatsServer({ storeDir, port: -1 }).catch((error: unknown) => {
    removeStore();
    throw error;
  });
  const logger = createLogger(clientName, 'silent');
  const nc = await connectNats({ servers: server.url, name: clientName, logger });
  const children: ServiceProcess[] = [];
  const problems = new Map<string, { count: number; sample: string }>();

  const note = (service: string, line: string): void => {
    const problem = problemOf(line);
    if (problem === undefined) return;
    const key = `${service}: ${problem}`;
    const seen = problems.get(key);
    if (seen !== undefined) seen.count++;
    else problems.set(key, { count: 1, sample: line.slice(0, MAX_SAMPLE_CHARS) });
  };

  const start = async (
    name: string,
    main: string,
    env: Record<string, string>,
  ): Promise<ServiceProcess> => {
    const recent: string[] = [];
    const child = spawnService({
      name,
      main,
      env: { NATS_URL: server.url, HEALTH_PORT: '0', LOG_LEVEL: serviceLogLevel, ...env },
      // BENCH_BROKER_NODE_FLAGS compares Node flags for the broker (default: what production uses).
      ...(name === 'broker' && process.env.BENCH_BROKER_NODE_FLAGS !== undefined
        ? { execArgv: process.env.BENCH_BROKER_NODE_FLAGS.split(' ').filter((f) => f !== '') }
        : {}),
      onLine: (line) => {
        note(name, line);
        recent.push(line);
        if (recent.length > RECENT_LINES) recent.shift();
      },
    });
    children.push(child);
    try {
      await child.ready(30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}; its last output:\n${recent.join('\n')}`, {
        cause: error,
      });
    }
    return child;
  };

  const interrupted = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled(children.map((child) => child.stop()));
      await nc.close().catch(() => undefined);
      await server.stop();
      removeStore();
      process.off('exit', removeStore);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark mesh\n`);
      interrupted.abort(new Error(`interrupted by ${signal}`));
      void stop().finally(() => process.exit(130));
    });
  }

  return {
    natsUrl: server.url,
    nc,
    signal: interrupted.signal,
    startService: (name, env = {}) =>
      start(name, join(repoRoot, 'services', name, 'src', 'main.ts'), env),
    startEcho: (kind) => start(`echo-${kind}`, echoMain, { ECHO_KIND: kind }),
    serviceProblems: () =>
      [...problems].map(([key, { count, sample }]) => `${key} ×${count} (e.g. ${sample})`),
    async serviceStats(name) {
      const instances = await discoverServices(nc, name);
      return {
        instances: instances.length,
        requests: instances.reduce((sum, i) => sum + i.requests, 0),
        errors: instances.reduce((sum, i) => sum + i.errors, 0),
      };
    },
    stop,
  };
}

// A pino line at warn or above, or any line that is not pino JSON (a crash, a Node warning).
function problemOf(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    if (typeof entry.level === 'string' && PROBLEM_LEVELS.has(entry.level)) {
      return `${entry.level} "${String(entry.msg)}"`;
    }
    return undefined;
  } catch {
    return 'non-log output';
  }
}

/**
 * Runs one benchmark on a fresh mesh: starts it, runs `main`, always tears it down, and sets
 * the exit code (non-zero when `main` reports failures or throws).
 */
export async function runBench(
  name: string,
  logLevel: ServiceLogLevel,
  main: (bench: BenchMesh) => Promise<boolean>,
): Promise<void> {
  const bench = await startBenchMesh(`bench-${name}`, logLevel);
  let ok = false;
  try {
    ok = await main(bench);
  } catch (error) {
    // Interrupted: the signal handler already said so and is tearing the mesh down.
    if (!bench.signal.aborted) {
      process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n`);
    }
  } finally {
    await bench.stop();
  }
  process.exitCode = ok ? 0 : 1;
}
