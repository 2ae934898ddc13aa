// Runs the octomesh CLI as a user would, with input on stdin.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestBus } from '@octomesh/testing';

/** Result of one CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `octomesh <args>` against a NATS URL, or a secured bus as its admin, writing `input` to
 * its stdin.
 */
export function octomesh(
  args: string[],
  nats: string | TestBus,
  input = '',
  env: Record<string, string> = {},
): Promise<CliResult> {
  const natsEnv = typeof nats === 'string' ? { NATS_URL: nats } : nats.env('admin');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'cli/bin/octomesh.js'), ...args], {
      env: { ...process.env, ...natsEnv, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
