// octomesh user add|passwd|disable|enable|rm|list: credential records in KV `mqtt-credentials`.
import { BucketSpecs, encodeKvKey, validateEndpointIdForTopic } from '@octomesh/contracts';
import {
  hashPassword,
  isRole,
  newCredentialRecord,
  parseCredentialRecord,
  type CredentialRecord,
} from '@octomesh/credentials';
import { openBucket, type KV } from '@octomesh/nats-kit';
import { parse, UsageError } from '../args.ts';
import { keyName } from '../key-name.ts';
import { withNats } from '../nats.ts';
import { readPassword } from '../password-input.ts';

/** Help text of `octomesh user`. */
export const userHelp = `octomesh user <command> [options]   (NATS from --nats-url or NATS_URL)
  add <username> --role device|controller|admin [--endpoint-id ID] [--no-password]
      password read from stdin (pipe) or a prompt; --no-password makes a certificate-only account
  passwd <username>            set a new password (stdin or prompt)
  disable <username>           refuse new connections of the account
  enable <username>
  rm <username>                delete the account and its stored history
  list [--json]`;

const options = {
  'nats-url': { type: 'string' },
  role: { type: 'string' },
  'endpoint-id': { type: 'string' },
  'no-password': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

async function credentials(nc: Parameters<Parameters<typeof withNats>[1]>[0]): Promise<KV> {
  return openBucket(nc, BucketSpecs.credentials);
}

async function readRecord(
  kv: KV,
  username: string,
): Promise<{ record: CredentialRecord; revision: number }> {
  const entry = await kv.get(encodeKvKey(username));
  if (entry === null || entry.operation !== 'PUT') throw new Error(`no user ${username}`);
  return { record: parseCredentialRecord(entry.json()), revision: entry.revision };
}

async function update(
  kv: KV,
  username: string,
  change: (record: CredentialRecord) => Promise<CredentialRecord> | CredentialRecord,
): Promise<void> {
  const { record, revision } = await readRecord(kv, username);
  const next = { ...(await change(record)), updatedAt: new Date().toISOString() };
  // Compare-and-set on the revision: a concurrent change makes this fail instead of being lost.
  await kv.update(encodeKvKey(username), JSON.stringify(next), revision);
}

// The auth service refuses longer usernames; an account it can never accept is a mistake.
const MAX_USERNAME_BYTES = 1024;

function checkAccount(username: string, endpointId: string | undefined): void {
  if (Buffer.byteLength(username) > MAX_USERNAME_BYTES)
    throw new UsageError(`username longer than ${MAX_USERNAME_BYTES} bytes`);
  if (endpointId !== undefined) {
    const problem = validateEndpointIdForTopic(endpointId);
    if (problem !== undefined) throw new UsageError(`--endpoint-id: ${problem}`);
  }
}

/** Runs `octomesh user ...`. */
export async function userCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, options);
  const [verb, username] = positionals;
  const needUser = (): string => {
    if (username === undefined || username === '')
      throw new UsageError(`user ${verb ?? ''} needs a username`);
    return username;
  };
  switch (verb) {
    case 'add': {
      const name = needUser();
      checkAccount(name, values['endpoint-id']);
      const role = values.role;
      if (role === undefined || !isRole(role))
        throw new UsageError('--role must be device, controller or admin');
      const password =
        values['no-password'] === true
          ? undefined
          : await hashPassword(await readPassword(`password for ${name}: `));
      const record = newCredentialRecord({
        username: name,
        role,
        endpointId: values['endpoint-id'] ?? '',
        ...(password !== undefined ? { password } : {}),
      });
      await withNats(values['nats-url'], async (nc) => {
        const kv = await credentials(nc);
        try {
          await kv.create(encodeKvKey(name), JSON.stringify(record));
        } catch (error) {
          throw new Error(
            `cannot add ${name}: it exists already or the store refused (${(error as Error).message})`,
            { cause: error },
          );
        }
      });
      console.log(
        `user ${name} added (role ${role}${record.endpointId ? `, endpoint ${record.endpointId}` : ''}${password ? '' : ', certificate only'})`,
      );
      return;
    }
    case 'passwd': {
      const name = needUser();
      const password = await hashPassword(await readPassword(`new password for ${name}: `));
      await withNats(values['nats-url'], async (nc) =>
        update(await credentials(nc), name, (r) => ({ ...r, password })),
      );
      console.log(`password of ${name} changed`);
      return;
    }
    case 'disable':
    case 'enable': {
      const name = needUser();
      await withNats(values['nats-url'], async (nc) =>
        update(await credentials(nc), name, (r) => ({ ...r, enabled: verb === 'enable' })),
      );
      console.log(`user ${name} ${verb}d`);
      return;
    }
    case 'rm': {
      const name = needUser();
      await withNats(values['nats-url'], async (nc) => {
        const kv = await credentials(nc);
        await readRecord(kv, name);
        await kv.purge(encodeKvKey(name));
      });
      console.log(`user ${name} removed`);
      return;
    }
    case 'list': {
      const rows = await withNats(values['nats-url'], async (nc) => {
        const kv = await credentials(nc);
        const found: (Omit<CredentialRecord, 'password'> & { hasPassword: boolean })[] = [];
        for await (const key of await kv.keys()) {
          const entry = await kv.get(key);
          if (entry === null || entry.operation !== 'PUT') continue;
          try {
            const { password, ...rest } = parseCredentialRecord(entry.json());
            found.push({ ...rest, hasPassword: password !== undefined });
          } catch (error) {
            process.stderr.write(
              `skipping invalid record ${keyName(key)}: ${(error as Error).message}\n`,
            );
          }
        }
        return found.sort((a, b) => a.username.localeCompare(b.username));
      });
      if (values.json === true) console.log(JSON.stringify(rows, null, 2));
      else
        for (const r of rows)
          console.log(
            `${r.username}\t${r.role}\t${r.endpointId || '-'}\t${r.enabled ? 'enabled' : 'disabled'}\t${r.hasPassword ? 'password' : 'certificate-only'}`,
          );
      return;
    }
    default:
      throw new UsageError(`unknown user command ${verb ?? '(none)'}\n${userHelp}`);
  }
}
