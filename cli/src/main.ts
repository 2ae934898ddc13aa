// octomesh: runs the mesh on this machine and administers it.
import { aclCommand, aclHelp } from './commands/acl.ts';
import { busCommand, busHelp } from './commands/bus.ts';
import { devicesCommand, devicesHelp } from './commands/devices.ts';
import { simCommand, simHelp } from './commands/sim.ts';
import { upCommand, upHelp } from './commands/up.ts';
import { userCommand, userHelp } from './commands/user.ts';
import { uspCommand, uspHelp } from './commands/usp.ts';
import { UsageError } from './args.ts';

const help = `octomesh <command>
  up       run the whole mesh (NATS + every service) on this machine
  bus      write a deployment's bus credentials (NATS authorization, one NKey per role)
  user     manage MQTT credentials
  acl      manage and test ACL rules
  devices  list USP endpoints (online, last seen, topic)
  usp      send USP messages to an endpoint (get, set, add, delete, operate, instances, supported)
  sim      run simulated USP agents against a broker

${upHelp}

${busHelp}

${userHelp}

${aclHelp}

${devicesHelp}

${uspHelp}

${simHelp}`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  up: upCommand,
  bus: busCommand,
  user: userCommand,
  acl: aclCommand,
  devices: devicesCommand,
  usp: uspCommand,
  sim: simCommand,
};

const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (command === undefined) {
  const asked = name === 'help' || name === '--help' || name === '-h';
  (asked ? process.stdout : process.stderr).write(
    `${asked ? '' : `unknown command ${name ?? '(none)'}\n`}${help}\n`,
  );
  process.exit(asked ? 0 : 2);
}
try {
  await command(rest);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`octomesh ${name}: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`octomesh ${name}: ${(error as Error).message}\n`);
  process.exit(1);
}
