// Runs one Octomesh service as a child process (used by `octomesh up` and by the end-to-end
// tests): the child tells its health port over IPC, and readiness is its /readyz.
import { fork, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { stopChild } from './stop-child.ts';

/** A service child process. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The health port once the child announced it. */
  readonly healthPort: Promise<number>;
  /** Listener ports the child announced (broker), by listener name. */
  readonly listenerPorts: Record<string, number>;
  /** Resolves when /readyz answers 200; rejects on exit or after the timeout. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Node flags a service runs with. The broker holds tens of thousands of idle connections; V8
 * grows the young generation during a connection storm and keeps it, which showed as resident
 * memory per idle connection. Measured with bench/mqtt/idle-probe.ts (10,000 connections) and
 * bench/mqtt (throughput, CPU profile): default 10.1 KB RSS per connection and 7% of CPU in
 * GC; 8 MiB semi-spaces 5.6 KB and 20% (about 5-10% fewer msg/s); 2 MiB 5.1 KB and 25%. The
 * container image sets the same through NODE_OPTIONS.
 */
export function serviceNodeFlags(name: string): string[] {
  return name === 'broker' ? ['--max-semi-space-size=8'] : [];
}

/** Options of {@link spawnService}. */
export interface SpawnServiceOptions {
  name: string;
  /** Path of the service's main.ts. */
  main: string;
  env: Record<string, string>;
  /** Node flags for the child (default: the service's own, see {@link serviceNodeFlags}). */
  execArgv?: readonly string[];
  /** Receives every output line of the child (stdout and stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/readyz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function forwardLines(
  stream: NodeJS.ReadableStream | null,
  kind: 'stdout' | 'stderr',
  onLine?: SpawnServiceOptions['onLine'],
): void {
  if (stream === null) return;
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine?.(line, kind);
  });
}

/** Starts a service with HEALTH_PORT=0 (unless given) and IPC for its health port. */
export function spawnService(options: SpawnServiceOptions): ServiceProcess {
  const child = fork(options.main, [], {
    env: { ...process.env, HEALTH_PORT: '0', HEALTH_HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [...(options.execArgv ?? serviceNodeFlags(options.name))],
    // Own process group: Ctrl-C reaches the parent only, which stops children in order; if the
    // parent dies, the IPC channel closes and the child shuts itself down.
    detached: true,
  });
  forwardLines(child.stdout, 'stdout', options.onLine);
  forwardLines(child.stderr, 'stderr', options.onLine);
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`${options.name} exited (${code ?? signal})`)),
    );
  });
  exited.catch(() => undefined);
  const listenerPorts: Record<string, number> = {};
  child.on('message', (message: unknown) => {
    const m = message as { type?: string; ports?: Record<string, number> };
    if (m.type === 'listeners' && m.ports !== undefined) Object.assign(listenerPorts, m.ports);
  });
  const healthPort = Promise.race([
    new Promise<number>((resolve) => {
      child.on('message', (message: unknown) => {
        const m = message as { type?: string; port?: number };
        if (m.type === 'health' && typeof m.port === 'number') resolve(m.port);
      });
    }),
    exited,
  ]);
  healthPort.catch(() => undefined);
  return {
    name: options.name,
    child,
    healthPort,
    listenerPorts,
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const timeout = new Promise<never>((_, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${options.name} not ready after ${timeoutMs} ms`)),
          timeoutMs,
        );
        timer.unref();
      });
      const port = await Promise.race([healthPort, exited, timeout]);
      while (Date.now() < deadline) {
        if (await Promise.race([probe(port), exited])) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${options.name} not ready after ${timeoutMs} ms`);
    },
    stop: () => stopChild(child, 10_000),
  };
}
