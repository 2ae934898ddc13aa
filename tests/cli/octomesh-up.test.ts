// `octomesh up` as an operator runs it: one command, a NATS of its own with a closed bus (an
// identity per service), every service, one "octomesh ready" line, clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inboxPrefixOf, type BusRole } from '@octomesh/contracts';
import { connectNats, discoverServices, readSeedFile } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { octomesh } from '../support/cli.ts';
import { login } from '../support/clients.ts';
import {
  killOctomeshUp,
  refuses,
  startOctomeshUp,
  stopOctomeshUp,
} from '../support/octomesh-up.ts';

describe('octomesh up', () => {
  test('starts NATS and every service, prints octomesh ready, and stops cleanly on SIGTERM', async () => {
    const mesh = await startOctomeshUp();
    const { dataDir, natsUrl: url } = mesh;
    try {
      // The bus is closed: no identity, no connection.
      await expect(
        connectNats({ servers: url, name: 'up-anon', logger: createLogger('t', 'silent') }),
      ).rejects.toThrow(/authorization/i);
      // Every identity is a file only root can read, its seed never printed.
      const seedFile = (role: string) => join(dataDir, 'nats-credentials', `${role}.nk`);
      for (const role of ['broker', 'auth', 'acl', 'usp-router', 'controller', 'admin']) {
        expect(statSync(seedFile(role)).mode & 0o777).toBe(0o600);
        expect(mesh.output()).not.toContain(readFileSync(seedFile(role), 'utf8').trim());
      }
      expect(statSync(join(dataDir, 'nats-auth.conf')).mode & 0o777).toBe(0o600);
      const as = (role: BusRole) =>
        connectNats({
          servers: url,
          name: `up-test-${role}`,
          logger: createLogger('t', 'silent'),
          nkeySeed: readSeedFile(seedFile(role)),
          inboxPrefix: inboxPrefixOf(role),
        });
      const admin = await as('admin');
      const broker = await as('broker');
      try {
        expect((await discoverServices(admin)).map((s) => s.name).sort()).toEqual([
          'octomesh-acl',
          'octomesh-auth',
          'octomesh-usp-router',
        ]);
        // The CLI finds the admin identity in the data directory by itself.
        const added = await octomesh(
          ['user', 'add', 'dev-1', '--role', 'device'],
          url,
          's3cret\n',
          { OCTOMESH_DATA_DIR: dataDir },
        );
        expect(added.code).toBe(0);
        expect((await login(broker, 'dev-1', 's3cret')).allow).toBe(true);
      } finally {
        await admin.close();
        await broker.close();
      }
      expect([...mesh.healthPorts.keys()]).toEqual(['auth', 'acl', 'broker', 'usp-router']);
      // The ready line names the ports --mqtt-port 0 and --ws-port 0 picked.
      expect([...mesh.listenerPorts.keys()].sort()).toEqual(['mqtt', 'ws']);
      expect(await refuses(mesh.listenerPorts.get('mqtt')!)).toBe(false);
      expect(await stopOctomeshUp(mesh)).toBe(0);
      expect(mesh.output()).toContain('octomesh stopped');
      expect(mesh.output()).not.toContain('s3cret');
      // Nothing is left behind: NATS, the MQTT port and every health port refuse connections.
      const natsPort = Number(/:(\d+)$/.exec(url)?.[1]);
      for (const port of [natsPort, ...mesh.listenerPorts.values(), ...mesh.healthPorts.values()])
        expect(await refuses(port)).toBe(true);
    } finally {
      // When the test failed midway, `up` had no chance to stop its NATS (own process group).
      await killOctomeshUp(mesh);
    }
  }, 90_000);
});

describe('octomesh up with a leftover server', () => {
  test('refuses to start while a nats-server of an earlier run still uses the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'octomesh-up-'));
    // A process whose command line names nats-server stands in for the leftover server.
    const fake = spawn('bash', ['-c', 'exec -a nats-server sleep 30']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      writeFileSync(join(dataDir, 'nats.pid'), String(fake.pid));
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const up = spawn(process.execPath, [
          'cli/bin/octomesh.js',
          'up',
          '--nats-port',
          '0',
          '--data-dir',
          dataDir,
        ]);
        let stderr = '';
        up.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        up.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`a nats-server (pid ${fake.pid}) from an earlier run`);
    } finally {
      fake.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
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

  test('an empty password is refused', async () => {
    const result = await octomesh(
      ['user', 'add', 'x', '--role', 'device'],
      'nats://127.0.0.1:1',
      '\n',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('empty password refused');
  });

  test('an endpoint id that cannot be a topic level is refused', async () => {
    const result = await octomesh(
      ['user', 'add', 'x', '--role', 'device', '--endpoint-id', 'a/+'],
      'nats://127.0.0.1:1',
      'pw\n',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--endpoint-id');
  });

  test('credentials in a NATS URL never appear in messages', async () => {
    const result = await octomesh(['user', 'list'], 'nats://admin:hunter2@127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nats://***@127.0.0.1:1');
    expect(result.stderr).not.toContain('hunter2');
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
        NATS_URL: 'http://admin:hunter2@x',
        HEALTH_PORT: '99999',
        AUTH_CERT_MAPPING: 'serial',
        AUTH_LIMIT_BASE_DELAY_MS: 'soon',
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
    expect(stderr).toContain('AUTH_LIMIT_BASE_DELAY_MS');
    expect(stderr).not.toContain('hunter2');
  });
});
