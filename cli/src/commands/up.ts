// octomesh up: the whole mesh on this machine. Starts a nats-server with JetStream in the data
// directory (or uses --nats-url), then every service as its own child process with its logs
// prefixed (the broker as --broker-replicas processes on the same ports), prints
// "octomesh ready" once each answers /readyz, and stops all on Ctrl-C/SIGTERM.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareLocalBus, seedFileOf } from '@octomesh/nats-kit';
import {
  LOG_LEVELS,
  serviceNodeFlags,
  spawnNatsServer,
  spawnService,
  type NatsServerProcess,
  type ServiceProcess,
} from '@octomesh/service-kit';
import type { BusRole } from '@octomesh/contracts';
import { intOption, parse, UsageError } from '../args.ts';
import { busPermissionOptionsFromEnv } from '../bus-options.ts';
import { redactUrl } from '../nats.ts';
import {
  brokerReplicas,
  fixedBrokerPorts,
  MAX_BROKER_REPLICAS,
  portTaken,
  sharedPortsEnv,
} from './broker-replicas.ts';

/** Services `up` runs, in start order. Every new service adds itself here. */
export const MESH_SERVICES = [
  'auth',
  'acl',
  'broker',
  'usp-router',
] as const satisfies readonly BusRole[];

/** Help text of `octomesh up`. */
export const upHelp = `octomesh up [options]
  --data-dir DIR          where the local NATS keeps its store (default ./.octomesh)
  --nats-url URL          use this NATS instead of starting one
  --nats-credentials DIR  with --nats-url: each service's credentials, <role>.creds or <role>.nk
                          (an NKey seed) for auth, acl, broker and usp-router
  --nats-port N           port of the local NATS (default 4222; 0 picks a free one)
  --mqtt-host ADDR        address every broker listener binds (default 0.0.0.0, or 127.0.0.1
                          with --allow-anonymous)
  --mqtt-port N           MQTT over TCP (default 1883; 0 picks a free port)
  --mqtts-port N          MQTT over TLS, opened when TLS_CERT_FILE/TLS_KEY_FILE are set (default 8883)
  --ws-port N             MQTT over WebSocket (default 8080; 0 picks a free port)
  --max-keepalive S       highest keep alive the broker accepts, in seconds
  --receive-maximum N     QoS 1/2 messages a client may have unacknowledged towards the broker
  --topic-alias-maximum N topic aliases a client may use
  --max-packet-size N     largest MQTT packet accepted, in bytes
  --broker-replicas N     broker processes sharing the MQTT ports through SO_REUSEPORT, so the
                          kernel spreads clients over N cores (default 1, at most 64; Linux);
                          with port 0 the first one picks the free port and the others join it
  --allow-anonymous       development mode for the broker: clients without credentials get role anonymous
                          (and no endpoint id); the broker listens on 127.0.0.1 unless --mqtt-host is given
  --log-level LEVEL       log level of every service (default info)`;

const options = {
  'data-dir': { type: 'string' },
  'nats-url': { type: 'string' },
  'nats-credentials': { type: 'string' },
  'nats-port': { type: 'string' },
  'mqtt-host': { type: 'string' },
  'mqtt-port': { type: 'string' },
  'mqtts-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'allow-anonymous': { type: 'boolean' },
  'max-keepalive': { type: 'string' },
  'receive-maximum': { type: 'string' },
  'topic-alias-maximum': { type: 'string' },
  'max-packet-size': { type: 'string' },
  'broker-replicas': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const repoRoot = resolve(import.meta.dirname, '../../..');
// Where --allow-anonymous keeps the broker unless --mqtt-host says otherwise.
const LOOPBACK = '127.0.0.1';

function prefixed(name: string, line: string): void {
  if (line.trim() !== '') process.stdout.write(`[${name}] ${line}\n`);
}

function passThrough(
  variable: string,
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): Record<string, string> {
  return value === undefined ? {} : { [variable]: String(intOption(value, name, 0, min, max)) };
}

/** Runs `octomesh up` until a signal or a service failure. */
export async function upCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, options);
  if (values.help === true) {
    console.log(upHelp);
    return;
  }
  const natsPort = intOption(values['nats-port'], 'nats-port', 4222, 0, 65535);
  const replicas = brokerReplicas(
    intOption(values['broker-replicas'], 'broker-replicas', 1, 1, MAX_BROKER_REPLICAS),
  );
  const mqttHost = brokerHost(values['mqtt-host'], values['allow-anonymous'] === true);
  const brokerEnv = {
    ...(mqttHost === undefined ? {} : { MQTT_HOST: mqttHost }),
    MQTT_PORT: String(intOption(values['mqtt-port'], 'mqtt-port', 1883, 0, 65535)),
    MQTTS_PORT: String(intOption(values['mqtts-port'], 'mqtts-port', 8883, 0, 65535)),
    WS_PORT: String(intOption(values['ws-port'], 'ws-port', 8080, 0, 65535)),
    ALLOW_ANONYMOUS: values['allow-anonymous'] === true ? 'true' : 'false',
    ...passThrough('MQTT_MAX_KEEPALIVE', values['max-keepalive'], 'max-keepalive', 1, 65_535),
    ...passThrough('MQTT_RECEIVE_MAXIMUM', values['receive-maximum'], 'receive-maximum', 1, 65_535),
    ...passThrough(
      'MQTT_TOPIC_ALIAS_MAXIMUM',
      values['topic-alias-maximum'],
      'topic-alias-maximum',
      0,
      65_535,
    ),
    ...passThrough(
      'MQTT_MAX_PACKET_SIZE',
      values['max-packet-size'],
      'max-packet-size',
      64,
      268_435_455,
    ),
  };
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const dataDir = resolve(values['data-dir'] ?? '.octomesh');
  if (replicas.length > 1) {
    const host = mqttHost ?? process.env['MQTT_HOST'] ?? '0.0.0.0';
    for (const port of fixedBrokerPorts({ ...process.env, ...brokerEnv }))
      if (await portTaken(host, port))
        throw new Error(
          `--broker-replicas: port ${port} on ${host} is already in use; the replicas would share it with whatever listens there (another octomesh up?)`,
        );
  }
  if (values['allow-anonymous'] === true && values['mqtt-host'] === undefined)
    process.stdout.write(
      `octomesh --allow-anonymous: the broker listens on ${LOOPBACK} only (--mqtt-host to change)\n`,
    );

  let nats: NatsServerProcess | undefined;
  const services: ServiceProcess[] = [];
  let stopping: Promise<void> | undefined;
  // One orderly stop (services first, NATS last); a second signal while it runs kills
  // everything and exits non-zero.
  const stopAll = (code: number): void => {
    if (stopping !== undefined) return;
    stopping = (async () => {
      process.stdout.write('octomesh stopping\n');
      await Promise.all(services.map((s) => s.stop()));
      await nats?.stop();
      process.stdout.write('octomesh stopped\n');
      process.exit(code);
    })();
  };
  const onSignal = (): void => {
    if (stopping === undefined) return stopAll(0);
    process.stderr.write('octomesh: second signal, killing everything\n');
    for (const s of services) s.child.kill('SIGKILL');
    nats?.child.kill('SIGKILL');
    process.exit(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const external = values['nats-url'];
  if (external === undefined && values['nats-credentials'] !== undefined)
    throw new UsageError('--nats-credentials goes with --nats-url (the local NATS has its own)');
  const credentialsOf =
    external === undefined
      ? (role: BusRole) => ({ NATS_NKEY_SEED_FILE: seedFileOf(dataDir, role) })
      : externalCredentials(values['nats-credentials']);

  try {
    let url = external;
    if (url === undefined) {
      const storeDir = join(dataDir, 'nats');
      mkdirSync(storeDir, { recursive: true });
      // Every service gets its own NKey identity with only its permissions (bus-permissions.ts).
      const configFile = prepareLocalBus(dataDir, busPermissionOptionsFromEnv(process.env));
      nats = await spawnNatsServer({
        storeDir,
        configFile,
        pidFile: join(dataDir, 'nats.pid'),
        port: natsPort === 0 ? -1 : natsPort,
        onLog: (chunk) => chunk.split('\n').forEach((line) => prefixed('nats', line)),
      });
      url = nats.url;
      nats.child.once('exit', (code) => {
        if (stopping === undefined) {
          process.stderr.write(`nats-server exited (${code}); stopping the mesh\n`);
          stopAll(1);
        }
      });
    }
    const natsUrl = url;
    const shownUrl = redactUrl(natsUrl);
    process.stdout.write(`octomesh nats ${shownUrl}\n`);
    const start = (name: string, role: BusRole, env: Record<string, string>): ServiceProcess => {
      const service = spawnService({
        name,
        main: join(repoRoot, 'services', role, 'src', 'main.ts'),
        env: { NATS_URL: natsUrl, LOG_LEVEL: logLevel, ...credentialsOf(role), ...env },
        // A replica runs with the broker's own Node flags, whatever its name.
        execArgv: serviceNodeFlags(role),
        onLine: (line) => prefixed(name, line),
      });
      service.child.once('exit', (code, signal) => {
        if (stopping === undefined) {
          process.stderr.write(`${name} exited (${code ?? signal}); stopping the mesh\n`);
          stopAll(1);
        }
      });
      return service;
    };
    for (const role of MESH_SERVICES) {
      const env = role === 'broker' ? { ...brokerEnv, ...replicas[0]!.env } : brokerEnv;
      services.push(start(role === 'broker' ? replicas[0]!.name : role, role, env));
    }
    const firstBroker = services.find((s) => s.name === replicas[0]!.name)!;
    if (replicas.length > 1) {
      // The others join the ports the first one bound (a port given as 0 is chosen once). Its
      // listener ports arrive over IPC before its health port.
      await firstBroker.healthPort;
      // Stopped meanwhile (a signal, a service that exited): start nothing more.
      if (stopping !== undefined) return;
      const ports = sharedPortsEnv(firstBroker.listenerPorts);
      const others = replicas
        .slice(1)
        .map((replica) =>
          start(replica.name, 'broker', { ...brokerEnv, ...ports, ...replica.env }),
        );
      services.splice(services.indexOf(firstBroker) + 1, 0, ...others);
    }
    await Promise.all(services.map((s) => s.ready(60_000)));
    const ports = await Promise.all(
      services.map(async (s) => `${s.name} health :${await s.healthPort}`),
    );
    const listeners = Object.entries(firstBroker.listenerPorts).map(([l, port]) => `${l} :${port}`);
    process.stdout.write(
      `octomesh ready (nats ${shownUrl}; ${ports.join(', ')}; broker listeners ${listeners.join(', ')})\n`,
    );
    if (external === undefined)
      process.stdout.write(
        `octomesh admin credentials: NATS_NKEY_SEED_FILE=${seedFileOf(dataDir, 'admin')} (the CLI finds it here by itself)\n`,
      );
  } catch (error) {
    process.stderr.write(`octomesh up failed: ${(error as Error).message}\n`);
    stopAll(1);
  }
}

// The address the broker binds. Anonymous clients may do anything the anonymous rules allow, so
// --allow-anonymous keeps the broker on loopback (over MQTT_HOST from the environment too)
// unless the operator names a host on the command line.
function brokerHost(given: string | undefined, allowAnonymous: boolean): string | undefined {
  if (given !== undefined) {
    if (!/^[^\s/]+$/.test(given))
      throw new UsageError('--mqtt-host must be an address or host name');
    return given;
  }
  return allowAnonymous ? LOOPBACK : undefined;
}

// With --nats-url: each service's credentials from DIR (a .creds file or an NKey seed per
// role); without DIR the services take NATS_* from the environment as they are.
function externalCredentials(dir: string | undefined): (role: BusRole) => Record<string, string> {
  if (dir === undefined) return () => ({});
  const found = new Map<BusRole, Record<string, string>>();
  const missing: string[] = [];
  for (const role of MESH_SERVICES) {
    const creds = join(resolve(dir), `${role}.creds`);
    const seed = join(resolve(dir), `${role}.nk`);
    if (existsSync(creds)) found.set(role, { NATS_CREDS: creds });
    else if (existsSync(seed)) found.set(role, { NATS_NKEY_SEED_FILE: seed });
    else missing.push(`${role}.creds or ${role}.nk`);
  }
  if (missing.length > 0)
    throw new UsageError(`--nats-credentials ${dir} lacks ${missing.join(', ')}`);
  return (role) => found.get(role) ?? {};
}
