// octomesh bus credentials: the bus identities of a deployment (deploy/compose, containers) written
// once into a directory the operator keeps: the nats-server authorization and one NKey seed per
// role, in the layout `octomesh up` keeps its own (so OCTOMESH_DATA_DIR=DIR lets the CLI find the
// admin seed there). Seeds are never printed.
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { BusRoles } from '@octomesh/contracts';
import { busAuthorizationFileOf, prepareLocalBus, seedFileOf } from '@octomesh/nats-kit';
import { parse, UsageError } from '../args.ts';
import { busPermissionOptionsFromEnv } from '../bus-options.ts';

/** Help text of `octomesh bus`. */
export const busHelp = `octomesh bus credentials --dir DIR [--owner UID[:GID]] [--force]
      writes a deployment's bus credentials (deploy/compose): DIR/nats-auth.conf, the nats-server
      authorization (public keys and permissions), and DIR/nats-credentials/<role>.nk, one NKey
      seed per role (${BusRoles.join(', ')}); files 0600, folders 0700.
      Permissions follow USP_TOPIC_PREFIX, USP_OKTOPUS_COMPAT and AUTH_OKTOPUS_DEVICES_AUTH.
  --owner UID[:GID]  give the seed files to this user (1000: the image's user node) so that a
                     container reads the seed mounted into it; DIR itself stays yours (needs root)
  --force            replace existing credentials (new identities: restart NATS and every service)`;

const options = {
  dir: { type: 'string' },
  owner: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** A numeric owner for chown. */
export interface FileOwner {
  uid: number;
  gid: number;
}

// uid_t is 32 bits and (uid_t)-1 means "leave unchanged" to chown.
const MAX_ID = 2 ** 32 - 2;

/** Parses `UID` or `UID:GID` (numbers: the ids inside the container, not names on this host). */
export function parseOwner(value: string): FileOwner {
  const match = /^(\d+)(?::(\d+))?$/.exec(value);
  const uid = Number(match?.[1]);
  const gid = Number(match?.[2] ?? match?.[1]);
  if (match === null || uid > MAX_ID || gid > MAX_ID)
    throw new UsageError(`--owner must be UID or UID:GID, numbers (got '${value}')`);
  return { uid, gid };
}

/** Runs `octomesh bus ...`. */
export async function busCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, options);
  if (values.help === true) {
    console.log(busHelp);
    return;
  }
  const [verb, extra] = positionals;
  if (verb !== 'credentials') throw new UsageError(`unknown bus command ${verb ?? '(none)'}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  if (values.dir === undefined || values.dir === '') throw new UsageError('--dir is required');
  const owner = values.owner === undefined ? undefined : parseOwner(values.owner);
  // Checked before anything is written, so a refused chown leaves no half-made directory.
  const me = process.getuid?.();
  if (owner !== undefined && me !== 0 && owner.uid !== me)
    throw new UsageError(
      `--owner ${values.owner} needs root (sudo); with rootless podman, run it under podman unshare`,
    );
  const dir = resolve(values.dir);
  writeBusCredentials(dir, values.force === true, owner);
  console.log(
    `bus credentials written to ${dir}: nats-auth.conf and nats-credentials/{${BusRoles.join(',')}}.nk` +
      (owner === undefined ? '' : ` (seeds owned by ${owner.uid}:${owner.gid})`),
  );
}

// Refuses to replace what exists unless forced: new seeds lock out every running service and
// client holding the old ones.
function writeBusCredentials(dir: string, force: boolean, owner: FileOwner | undefined): void {
  const existing = [busAuthorizationFileOf(dir), ...BusRoles.map((r) => seedFileOf(dir, r))].filter(
    (file) => existsSync(file),
  );
  if (existing.length > 0 && !force)
    throw new Error(
      `${dir} holds bus credentials already (${existing.length} files); --force replaces them ` +
        '(then restart NATS and every service with the new files)',
    );
  for (const file of existing) rmSync(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  prepareLocalBus(dir, busPermissionOptionsFromEnv(process.env));
  if (owner === undefined) return;
  // Only the seeds: nats-auth.conf holds public keys, read by nats-server as root, and the
  // directories stay 0700 with their owner, so on the host nobody else reaches the seeds while
  // a container, where one seed file is bind-mounted, checks only that file's owner.
  for (const role of BusRoles) chownSync(seedFileOf(dir, role), owner.uid, owner.gid);
}
