// A bus on one machine (`octomesh up`, test suites): one NKey user per role, kept in a data
// directory across restarts (files mode 0600, never printed), and the nats-server
// authorization block made from the permission table in @octomesh/contracts.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  busPermissions,
  BusRoles,
  renderBusAuthorization,
  type BusPermissionOptions,
  type BusRole,
} from '@octomesh/contracts';
import { createBusIdentity, publicKeyOfSeed } from './connect.ts';

/** Where a role's seed lives under the data directory. */
export function seedFileOf(dataDir: string, role: BusRole): string {
  return join(dataDir, 'nats-credentials', `${role}.nk`);
}

/** Where the nats-server authorization config lives under the data directory. */
export function busAuthorizationFileOf(dataDir: string): string {
  return join(dataDir, 'nats-auth.conf');
}

/**
 * Makes sure every role has its seed file (creating missing ones) and writes the nats-server
 * config that authorizes them. Returns the config file's path.
 */
export function prepareLocalBus(dataDir: string, options: BusPermissionOptions): string {
  const dir = join(dataDir, 'nats-credentials');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const users = BusRoles.map((role) => {
    const file = seedFileOf(dataDir, role);
    if (!existsSync(file)) {
      writeFileSync(file, `${createBusIdentity().seed}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    return { role, nkey: publicKeyOfSeed(readSeedFile(file)) };
  });
  const config = busAuthorizationFileOf(dataDir);
  const text = `# Written by octomesh from the bus permission table; do not edit (it is rewritten).\n${renderBusAuthorization(users, busPermissions(options))}`;
  if (!existsSync(config) || readFileSync(config, 'utf8') !== text)
    writeFileSync(config, text, { mode: 0o600 });
  chmodSync(config, 0o600);
  return config;
}

/** The seed in a seed file, as bytes (fromSeed checks it). */
export function readSeedFile(file: string): Uint8Array {
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
