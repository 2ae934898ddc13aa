// `octomesh up` as an operator runs it: one command, a NATS of its own, every service, one
// "octomesh ready" line, clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, discoverServices } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { octomesh } from '../support/cli.ts';
import { login } from '../support/clients.ts';

describe('octomesh up', () => {
  test('starts NATS and every service, prints octomesh ready, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'octomesh-up-'));
    const child = spawn(
      process.execPath,
      ['cli/bin/octomesh.js', 'up', '--nats-port', '0', '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const readyLine = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line:\n${output}`)), 60_000);
        child.stdout.on('data', () => {
          const line = output.split('\n').find((l) => l.includes('octomesh ready'));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        void exited.then((code) => reject(new Error(`up exited ${code}:\n${output}`)));
      });
      const url = /nats (nats:\/\/[0-9.:]+)/.exec(readyLine)?.[1];
      expect(url).toBeDefined();
      const nc = await connectNats({
        servers: url!,
        name: 'up-test',
        logger: createLogger('t', 'silent'),
      });
      try {
        expect((await discoverServices(nc)).map((s) => s.name).sort()).toEqual([
          'octomesh-acl',
          'octomesh-auth',
        ]);
        const added = await octomesh(
          ['user', 'add', 'dev-1', '--role', 'device'],
          url!,
          's3cret\n',
        );
        expect(added.code).toBe(0);
        expect((await login(nc, 'dev-1', 's3cret')).allow).toBe(true);
      } finally {
        await nc.close();
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('octomesh stopped');
      expect(output).not.toContain('s3cret');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('octomesh command line', () => {
  test('an unknown command prints the help and exits 2', async () => {
    const result = await octomesh(['frobnicate'], 'nats://127.0.0.1:1');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command frobnicate');
  });

  test('user add without a valid role is a usage error naming the option', async () => {
    const result = await octomesh(
      ['user', 'add', 'x', '--role', 'superuser'],
      'nats://127.0.0.1:1',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--role must be device, controller or admin');
  });

  test('an acl rule with several problems is refused listing all of them', async () => {
    const result = await octomesh(
      ['acl', 'add', 'bad rule!', '--subject', 'nobody', '--action', 'read', '--topic', 'a/#/b'],
      'nats://127.0.0.1:1',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/id/);
    expect(result.stderr).toMatch(/subject/);
    expect(result.stderr).toMatch(/action/);
    expect(result.stderr).toMatch(/topic/);
  });

  test('an unreachable NATS is reported with its URL', async () => {
    const result = await octomesh(['user', 'list'], 'nats://127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach NATS at nats://127.0.0.1:1');
  });
});

describe('service configuration', () => {
  test('a service with bad settings exits 2 and lists every bad variable at once', async () => {
    const child = spawn(process.execPath, ['services/auth/src/main.ts'], {
      env: {
        ...process.env,
        NATS_URL: 'http://x',
        HEALTH_PORT: '99999',
        AUTH_CERT_MAPPING: 'serial',
        NATS_PASSWORD: 'hunter2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('NATS_URL');
    expect(stderr).toContain('HEALTH_PORT');
    expect(stderr).toContain('AUTH_CERT_MAPPING');
    expect(stderr).not.toContain('hunter2');
  });
});
