// `octomesh up` as an operator runs it, for the end-to-end suites: a fresh data directory, free
// ports, the "octomesh ready" line parsed, SIGTERM to stop, and nothing left behind.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const READY_TIMEOUT_MS = 60_000;

/** A running `octomesh up`. */
export interface RunningMesh {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly dataDir: string;
  /** The `octomesh ready (…)` line. */
  readonly readyLine: string;
  /** The local NATS URL from the ready line. */
  readonly natsUrl: string;
  /** Health port of every service process, by name (`broker`, or `broker-1` … with replicas). */
  readonly healthPorts: ReadonlyMap<string, number>;
  /** The broker's listener ports, by listener name (`mqtt`, `ws`, …). */
  readonly listenerPorts: ReadonlyMap<string, number>;
  /** Everything `up` printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once `up` has exited. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `octomesh up --nats-port 0 --mqtt-port 0 --ws-port 0 --data-dir <fresh> ...args` and
 * resolves once it prints its ready line; rejects with its output if it exits or times out
 * first (and kills what it left).
 */
export async function startOctomeshUp(args: string[] = []): Promise<RunningMesh> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octomesh-up-'));
  const child = spawn(
    process.execPath,
    [
      'cli/bin/octomesh.js',
      'up',
      '--nats-port',
      '0',
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--data-dir',
      dataDir,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const readyLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ready line:\n${output}`)),
        READY_TIMEOUT_MS,
      );
      child.stdout.on('data', () => {
        const line = output.split('\n').find((l) => l.startsWith('octomesh ready'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`up exited ${code}:\n${output}`));
      });
    });
    return {
      child,
      dataDir,
      readyLine,
      natsUrl: /nats (nats:\/\/[0-9.:]+)/.exec(readyLine)![1]!,
      healthPorts: new Map(
        [...readyLine.matchAll(/([a-z0-9-]+) health :(\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
      ),
      listenerPorts: new Map(
        [...(/broker listeners (.*)\)$/.exec(readyLine)?.[1] ?? '').matchAll(/(\w+) :(\d+)/g)].map(
          (m) => [m[1]!, Number(m[2])],
        ),
      ),
      output: () => output,
      exited,
    };
  } catch (error) {
    await killOctomeshUp({ child, dataDir, exited });
    throw error;
  }
}

/** SIGTERM, as Ctrl-C would: resolves with the exit code; the data directory is removed. */
export async function stopOctomeshUp(mesh: RunningMesh): Promise<number | null> {
  mesh.child.kill('SIGTERM');
  const code = await mesh.exited;
  rmSync(mesh.dataDir, { recursive: true, force: true });
  return code;
}

/**
 * Last resort for a test that failed midway: kills `up` and the nats-server it started (its own
 * process group, so it outlives `up`), and removes the data directory.
 */
export async function killOctomeshUp(
  mesh: Pick<RunningMesh, 'child' | 'dataDir' | 'exited'>,
): Promise<void> {
  if (mesh.child.exitCode === null && mesh.child.signalCode === null) {
    mesh.child.kill('SIGKILL');
    await mesh.exited;
  }
  killNatsOf(mesh.dataDir);
  rmSync(mesh.dataDir, { recursive: true, force: true });
}

/** Stops the nats-server a killed `octomesh up` left running in `dataDir`, if any. */
export function killNatsOf(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'nats.pid'), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // No pid file, or the server already exited: nothing left behind.
  }
}

/** Resolves true when a TCP connection to host:port is refused. */
export function refuses(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
