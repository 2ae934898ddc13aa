// Runs a local `nats-server` with JetStream as a child process: `octomesh up` uses it for the
// development mesh, the test helper for suites. Port -1 lets the server pick a free port
// itself (no race), read back from its log.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stopChild } from './stop-child.ts';

/** A running nats-server child. */
export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after the grace period; resolves on exit. */
  stop(): Promise<void>;
}

/** Options of {@link spawnNatsServer}. */
export interface SpawnNatsOptions {
  storeDir: string;
  host?: string;
  /** -1 picks a free port. */
  port?: number;
  startTimeoutMs?: number;
  /**
   * Where the server writes its pid. A live nats-server already named there (left by an earlier
   * run that was killed) is refused with a clear message instead of a port or store conflict.
   */
  pidFile?: string;
  /** Called with every chunk the server logs (for prefixing in `octomesh up`). */
  onLog?: (chunk: string) => void;
  /** A config file (the bus authorization block); the flags above still set listen and store. */
  configFile?: string;
}

/** The `nats-server` binary to run: NATS_SERVER_BIN or the one on PATH. */
export function natsServerBinary(): string {
  return process.env['NATS_SERVER_BIN'] ?? 'nats-server';
}

/** Starts nats-server with JetStream and waits until it accepts clients. */
export async function spawnNatsServer(options: SpawnNatsOptions): Promise<NatsServerProcess> {
  const host = options.host ?? '127.0.0.1';
  if (options.pidFile !== undefined) refuseLeftover(options.pidFile, options.storeDir);
  const args = [
    '-a',
    host,
    '-p',
    String(options.port ?? -1),
    '-js',
    '-sd',
    options.storeDir,
    '-m',
    '0',
  ];
  if (options.pidFile !== undefined) args.push('-P', options.pidFile);
  if (options.configFile !== undefined) args.push('-c', options.configFile);
  const child = spawn(
    natsServerBinary(),
    args,
    // Own process group: Ctrl-C reaches the parent, which stops the services before NATS.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const port = await waitForPort(child, options.startTimeoutMs ?? 15_000, options.onLog).catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  if (options.onLog !== undefined) {
    child.stdout?.on('data', (chunk: Buffer) => options.onLog?.(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => options.onLog?.(chunk.toString()));
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  return { url: `nats://${host}:${port}`, port, child, stop: () => stopChild(child) };
}

function refuseLeftover(pidFile: string, storeDir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (command.includes('nats-server')) {
    throw new Error(
      `a nats-server (pid ${pid}) from an earlier run still uses ${storeDir}; stop it (kill ${pid}) and start again`,
    );
  }
}

function waitForPort(
  child: ChildProcess,
  timeoutMs: number,
  onLog?: (chunk: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    const timer = setTimeout(
      () => fail(new Error(`nats-server did not start in ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      onLog?.(chunk.toString());
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
