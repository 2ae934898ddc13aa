// The brokers under test, behind one shape: where they listen, which process to measure, which
// protocol versions they speak, what they logged, and how to stop them. Octomesh is the whole
// mesh (nats-server, auth, acl, broker) with auth on; mosquitto (Debian package) and aedes
// run as child processes with an anonymous listener for the message scenarios and a
// password-checking one for the connect scenario.
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild, type ServiceProcess } from '@octomesh/service-kit';
import type { BenchMesh } from '../support/mesh.ts';
import { devicePattern, SHARED_PASSWORDS, writeOctomeshAccounts } from './accounts.ts';
import type { Endpoint, MqttVersion } from './jobs.ts';
import { childPidsNamed } from './process-stats.ts';

/** The three brokers, in the order the report shows them. */
export const BROKER_NAMES = ['octomesh', 'mosquitto', 'aedes'] as const;
/** One of {@link BROKER_NAMES}. */
export type BrokerName = (typeof BROKER_NAMES)[number];

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const MAX_LOG_LINES = 200;

/** A running broker. */
export interface BrokerUnderTest {
  readonly name: BrokerName;
  /** The process whose memory and CPU are measured (Octomesh: the broker service only). */
  readonly pid: number;
  /** Listener for the message, memory and flood scenarios. */
  readonly open: Endpoint;
  /** Listener that checks user names and passwords (connect scenario). */
  readonly auth: Endpoint;
  readonly versions: readonly MqttVersion[];
  /** Whether clients on `open` must log in (Octomesh always authenticates). */
  readonly openNeedsCredentials: boolean;
  /** Other processes of the broker whose CPU is worth showing (Octomesh: auth, acl, nats-server). */
  readonly helpers: Readonly<Record<string, number>>;
  /** undefined while running, else how it ended ("exit code 1", "signal SIGKILL"). */
  exited(): string | undefined;
  /** Warnings, errors and crash output the broker (and, for Octomesh, its services) logged. */
  problems(): string[];
  /** Broker-side counters, when the broker exposes them (Octomesh /metrics). */
  counters(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): string | undefined {
  if (child.exitCode !== null) return `exit code ${child.exitCode}`;
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  return undefined;
}

/** A free loopback port (a race with other programs is possible but harmless here). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `port` accepts TCP connections; rejects after the timeout or when `alive` turns false. */
async function waitForPort(port: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && alive()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: HOST, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${HOST}:${port}`);
}

function collectLines(child: ChildProcess, into: string[]): void {
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines)
      if (line.trim() !== '' && into.length < MAX_LOG_LINES) into.push(line);
  });
}

/**
 * Broker settings without a per-client publish rate, per-role quotas, client-id templates or
 * per-address limits: the peers have none, the throughput scenarios drive device accounts far
 * past a device's 100/s, and every client comes from 127.0.0.1.
 */
export const OPEN_LIMITS: Readonly<Record<string, string>> = {
  MQTT_MAX_PUBLISH_RATE: '0',
  MQTT_ROLE_LIMITS:
    'device:publish_rate=0,subscriptions=1000000,connections=1000000,sessions=1000000,retained=1000000,retained_bytes=1000000000,session_expiry=604800,topic_bytes=1024,topic_levels=16',
  MQTT_CLIENT_ID_TEMPLATES: 'device=',
  MQTT_MAX_CONNECTIONS_PER_ADDRESS: '0',
  MQTT_CONNECT_RATE_PER_ADDRESS: '0',
};

/** The Octomesh services every broker replica relies on: auth and acl, with the accounts in KV. */
export interface OctomeshHelpers {
  readonly pids: Readonly<Record<string, number>>;
  readonly accounts: number;
}

/** Starts the auth and acl services and writes the accounts. */
export async function startOctomeshHelpers(
  bench: BenchMesh,
  devices: number,
): Promise<OctomeshHelpers> {
  const auth = await bench.startService('auth');
  const acl = await bench.startService('acl');
  const accounts = await writeOctomeshAccounts(bench.nc, devices, bench.signal);
  return {
    accounts,
    pids: {
      auth: auth.child.pid!,
      acl: acl.child.pid!,
      ...Object.fromEntries(childPidsNamed('nats-server').map((pid) => ['nats-server', pid])),
    },
  };
}

/** Starts one broker process (a replica) next to the helpers, on a random loopback port. */
export async function startOctomeshBroker(
  bench: BenchMesh,
  helpers: OctomeshHelpers,
  brokerEnv: Record<string, string>,
): Promise<BrokerUnderTest> {
  const service: ServiceProcess = await bench.startService('broker', {
    LISTENERS: 'mqtt',
    MQTT_PORT: '0',
    MQTT_HOST: HOST,
    ...brokerEnv,
  });
  const port = service.listenerPorts['mqtt'];
  if (port === undefined) throw new Error('the broker announced no mqtt listener');
  const healthPort = await service.healthPort;
  const endpoint = { host: HOST, port };
  return {
    name: 'octomesh',
    pid: service.child.pid!,
    open: endpoint,
    auth: endpoint,
    versions: [4, 5],
    openNeedsCredentials: true,
    helpers: helpers.pids,
    exited: () => exitOf(service.child),
    problems: () => bench.serviceProblems(),
    counters: () => metricCounters(healthPort),
    // The mesh stops its services and nats-server itself (runBench).
    stop: () => service.stop(),
  };
}

/** Starts the Octomesh mesh's auth, acl and broker services and writes the accounts. */
export async function startOctomesh(
  bench: BenchMesh,
  devices: number,
  brokerEnv: Record<string, string>,
): Promise<{ broker: BrokerUnderTest; accounts: number }> {
  const helpers = await startOctomeshHelpers(bench, devices);
  const broker = await startOctomeshBroker(bench, helpers, brokerEnv);
  return { broker, accounts: helpers.accounts };
}

// Counter and gauge samples of /metrics, keyed by metric name (labels joined in).
async function metricCounters(healthPort: number): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  try {
    const response = await fetch(`http://${HOST}:${healthPort}/metrics`, {
      signal: AbortSignal.timeout(2000),
    });
    for (const line of (await response.text()).split('\n')) {
      const match = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)$/i.exec(line);
      if (match !== null) counters.set(match[1]!, Number(match[2]));
    }
  } catch {
    // The broker is gone or busy: no counters this time.
  }
  return counters;
}

/** Writes a mosquitto password_file: `mosquitto_passwd -b` hashes each shared password once. */
function writeMosquittoPasswords(dir: string, devices: number): string {
  const scratch = join(dir, 'hashes');
  const hashes: string[] = [];
  for (let k = 0; k < SHARED_PASSWORDS; k++) {
    const args = k === 0 ? ['-c', '-b', scratch] : ['-b', scratch];
    const run = spawnSync('mosquitto_passwd', [...args, `p${k}`, `bench-password-${k}`], {
      encoding: 'utf8',
    });
    if (run.status !== 0)
      throw new Error(`mosquitto_passwd failed: ${run.stderr || run.error?.message}`);
  }
  for (const line of readFileSync(scratch, 'utf8').split('\n')) {
    const [user, hash] = line.split(':');
    if (user !== undefined && hash !== undefined) hashes[Number(user.slice(1))] = hash;
  }
  const pattern = devicePattern(devices, true);
  const lines = Array.from(
    { length: devices },
    (_, n) => `${pattern.usernamePrefix}${n}:${hashes[n % SHARED_PASSWORDS]}`,
  );
  const file = join(dir, 'passwords');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** The mosquitto binary, or why it cannot run. */
export function mosquittoProblem(): string | undefined {
  const probe = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' });
  if (probe.error !== undefined)
    return 'mosquitto is not installed (apt-get install -y mosquitto, or BENCH_MQTT_BROKERS=octomesh,aedes)';
  const passwd = spawnSync('mosquitto_passwd', ['-h'], { encoding: 'utf8' });
  if (passwd.error !== undefined)
    return 'mosquitto_passwd is missing (apt-get install -y mosquitto)';
  return undefined;
}

/** Starts mosquitto with its defaults plus two loopback listeners (anonymous, password_file). */
export async function startMosquitto(dir: string, devices: number): Promise<BrokerUnderTest> {
  const passwordFile = writeMosquittoPasswords(dir, devices);
  const openPort = await freePort();
  const authPort = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      // Run as whoever runs the bench: as root, mosquitto would switch to user mosquitto, who
      // cannot read our temp directory.
      `user ${userInfo().username}`,
      'per_listener_settings true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      `listener ${openPort} ${HOST}`,
      'allow_anonymous true',
      `listener ${authPort} ${HOST}`,
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  collectLines(child, lines);
  const alive = () => exitOf(child) === undefined;
  await Promise.all([waitForPort(openPort, alive), waitForPort(authPort, alive)]).catch(
    async (error: unknown) => {
      await stopChild(child, 2000);
      throw new Error(`mosquitto did not start: ${lines.join(' | ')}`, { cause: error });
    },
  );
  return {
    name: 'mosquitto',
    pid: child.pid!,
    open: { host: HOST, port: openPort },
    auth: { host: HOST, port: authPort },
    versions: [4, 5],
    openNeedsCredentials: false,
    helpers: {},
    exited: () => exitOf(child),
    problems: () => lines.map((line) => `mosquitto: ${line}`),
    counters: () => Promise.resolve(new Map()),
    stop: () => stopChild(child, 5000),
  };
}

/** Starts aedes in its own process (bench/mqtt/aedes-broker.ts). */
export async function startAedes(devices: number): Promise<BrokerUnderTest> {
  const child = fork(join(import.meta.dirname, 'aedes-broker.ts'), [], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
    env: { ...process.env, AEDES_ACCOUNTS: JSON.stringify(devicePattern(devices, true)) },
  });
  const lines: string[] = [];
  collectLines(child, lines);
  const ports = await new Promise<{ open: number; auth: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('aedes did not start')), START_TIMEOUT_MS);
    child.on('message', (message: { type?: string; open?: number; auth?: number }) => {
      if (
        message.type === 'listening' &&
        message.open !== undefined &&
        message.auth !== undefined
      ) {
        clearTimeout(timer);
        resolve({ open: message.open, auth: message.auth });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`aedes exited (${code ?? signal}): ${lines.join(' | ')}`));
    });
  });
  return {
    name: 'aedes',
    pid: child.pid!,
    open: { host: HOST, port: ports.open },
    auth: { host: HOST, port: ports.auth },
    // aedes 1.x refuses protocol level 5 in CONNACK.
    versions: [4],
    openNeedsCredentials: false,
    helpers: {},
    exited: () => exitOf(child),
    problems: () => lines.map((line) => `aedes: ${line}`),
    counters: () => Promise.resolve(new Map()),
    async stop() {
      if (child.connected) child.disconnect();
      await stopChild(child, 5000);
    },
  };
}
