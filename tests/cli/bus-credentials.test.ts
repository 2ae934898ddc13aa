// `octomesh bus credentials` as an operator runs it before deploy/compose: the real CLI process
// writes the authorization and the seeds, and a real nats-server (a container of the NATS image,
// or the local binary without an engine) accepts exactly the identities it wrote.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusRoles, inboxPrefixOf, type BusRole } from '@octomesh/contracts';
import { busAuthorizationFileOf, connectNats, readSeedFile, seedFileOf } from '@octomesh/nats-kit';
import { createLogger, spawnNatsServer } from '@octomesh/service-kit';
import { NATS_IMAGE, startNatsContainer, useContainers } from '@octomesh/testing';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function octomesh(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(process.cwd(), 'cli/bin/octomesh.js'), ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const mode = (path: string): number => statSync(path).mode & 0o777;
const seeds = (dir: string): string[] =>
  BusRoles.map((role) => readFileSync(seedFileOf(dir, role), 'utf8'));

/** A nats-server with the written authorization, on a free port. */
async function startNatsWith(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const storeDir = join(dir, 'nats');
  const configFile = busAuthorizationFileOf(dir);
  if (await useContainers(NATS_IMAGE)) {
    const nats = await startNatsContainer({
      name: 'bus-credentials',
      storeDir,
      mounts: [dir],
      configFile,
    });
    return { url: nats.url, stop: () => nats.container.stop() };
  }
  const nats = await spawnNatsServer({ storeDir, configFile, port: -1 });
  return { url: nats.url, stop: () => nats.stop() };
}

function connectAs(url: string, role: BusRole, seedFile: string) {
  return connectNats({
    servers: url,
    name: `bus-credentials-${role}`,
    logger: createLogger('test', 'silent'),
    nkeySeed: readSeedFile(seedFile),
    inboxPrefix: inboxPrefixOf(role),
    timeoutMs: 3000,
  });
}

describe('octomesh bus credentials', () => {
  let root: string;
  let dir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'octomesh-bus-credentials-'));
    dir = join(root, 'credentials');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('writes the authorization and one seed per role, owner-only, and prints no seed', async () => {
    const run = await octomesh(['bus', 'credentials', '--dir', dir]);
    expect(run.code).toBe(0);
    expect(readdirSync(join(dir, 'nats-credentials')).sort()).toEqual(
      BusRoles.map((role) => `${role}.nk`).sort(),
    );
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'nats-credentials'))).toBe(0o700);
    expect(mode(busAuthorizationFileOf(dir))).toBe(0o600);
    for (const role of BusRoles) expect(mode(seedFileOf(dir, role))).toBe(0o600);
    for (const seed of seeds(dir)) {
      expect(seed).toMatch(/^SU[A-Z2-7]+\n$/);
      expect(run.stdout + run.stderr).not.toContain(seed.trim());
    }
  });

  test('refuses to replace existing credentials unless --force, which makes new identities', async () => {
    expect((await octomesh(['bus', 'credentials', '--dir', dir])).code).toBe(0);
    const first = seeds(dir);
    const refused = await octomesh(['bus', 'credentials', '--dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('holds bus credentials already');
    expect(seeds(dir)).toEqual(first);

    expect((await octomesh(['bus', 'credentials', '--dir', dir, '--force'])).code).toBe(0);
    const second = seeds(dir);
    for (const [i, seed] of second.entries()) expect(seed).not.toBe(first[i]);
  });

  test('--owner gives the seed files to that user; the authorization and folders stay the caller’s', async () => {
    // Root (as deploy/compose needs) gives them to the image's user; anyone else can only
    // name themselves, which still exercises the option.
    const me = { uid: process.getuid!(), gid: process.getgid!() };
    const owner = me.uid === 0 ? { uid: 1000, gid: 1000 } : me;
    const run = await octomesh([
      'bus',
      'credentials',
      '--dir',
      dir,
      '--owner',
      `${owner.uid}:${owner.gid}`,
    ]);
    expect(run.code).toBe(0);
    for (const role of BusRoles) {
      const stat = statSync(seedFileOf(dir, role));
      expect({ uid: stat.uid, gid: stat.gid }).toEqual(owner);
      expect(stat.mode & 0o777).toBe(0o600);
    }
    for (const path of [dir, join(dir, 'nats-credentials'), busAuthorizationFileOf(dir)]) {
      expect(statSync(path).uid).toBe(me.uid);
    }
  });

  test('reports bad usage with exit code 2', async () => {
    for (const args of [
      ['bus', 'credentials'],
      ['bus', 'keys', '--dir', dir],
      ['bus', 'credentials', '--dir', dir, '--owner', 'node'],
      ['bus', 'credentials', '--dir', dir, '--owner', '1000:x'],
    ]) {
      const run = await octomesh(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^octomesh bus: /);
    }
  });

  test('a nats-server with the written authorization admits each role by its seed, and only the current ones', async () => {
    expect((await octomesh(['bus', 'credentials', '--dir', dir])).code).toBe(0);
    const oldAdmin = join(root, 'old-admin.nk');
    copyFileSync(seedFileOf(dir, 'admin'), oldAdmin);
    expect((await octomesh(['bus', 'credentials', '--dir', dir, '--force'])).code).toBe(0);

    const nats = await startNatsWith(dir);
    try {
      for (const role of ['admin', 'broker'] as const) {
        const nc = await connectAs(nats.url, role, seedFileOf(dir, role));
        await nc.flush();
        await nc.close();
      }
      await expect(connectAs(nats.url, 'admin', oldAdmin)).rejects.toThrow(/authoriz/i);
    } finally {
      await nats.stop();
    }
  });
});
