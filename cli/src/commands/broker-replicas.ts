// `octomesh up --broker-replicas N` (issue 11): N broker processes behind the same MQTT ports.
// Every replica binds with SO_REUSEPORT (MQTT_REUSE_PORT) and the kernel spreads new
// connections over them; they cooperate through the NATS fabric like replicas on separate
// hosts, each with its own replica name and health port.
import { createServer } from 'node:net';
import { hostname } from 'node:os';

/** Most replicas `up` starts on one host. */
export const MAX_BROKER_REPLICAS = 64;

/** The broker environment variable that sets each listener's port, by listener name. */
const PORT_VARIABLES: Readonly<Record<string, string>> = {
  mqtt: 'MQTT_PORT',
  mqtts: 'MQTTS_PORT',
  ws: 'WS_PORT',
  wss: 'WSS_PORT',
};

/** One broker process of `up`. */
export interface BrokerReplica {
  /** Log prefix and name in the ready line: `broker`, or `broker-1` … `broker-N`. */
  readonly name: string;
  /** What this replica adds to the broker environment. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The broker processes to run: one plain `broker` for a count of 1 (as before replicas), else
 * `broker-1` … `broker-N` named `<BROKER_REPLICA or host name>-<i>` with SO_REUSEPORT on.
 */
export function brokerReplicas(
  count: number,
  baseName: string = process.env['BROKER_REPLICA'] ?? hostname(),
): BrokerReplica[] {
  if (count === 1) return [{ name: 'broker', env: {} }];
  return Array.from({ length: count }, (_, i) => ({
    name: `broker-${i + 1}`,
    env: { MQTT_REUSE_PORT: 'true', BROKER_REPLICA: `${baseName}-${i + 1}` },
  }));
}

/**
 * The ports the first replica bound, as broker environment: the other replicas join them. A
 * port given as 0 is thus chosen once, by the kernel for the first replica, and never free in
 * between (the first replica holds it), so no other program can take it meanwhile.
 */
export function sharedPortsEnv(listenerPorts: Readonly<Record<string, number>>) {
  const env: Record<string, string> = {};
  for (const [listener, port] of Object.entries(listenerPorts)) {
    const variable = PORT_VARIABLES[listener];
    if (variable !== undefined) env[variable] = String(port);
  }
  return env;
}

/**
 * The listener ports the brokers will bind, from their environment: MQTT_PORT and WS_PORT, or
 * those LISTENERS names, MQTTS_PORT with TLS files; 0 (a free port) is left out.
 */
export function fixedBrokerPorts(env: Readonly<Record<string, string | undefined>>): number[] {
  const tls = env['TLS_CERT_FILE'] !== undefined && env['TLS_KEY_FILE'] !== undefined;
  const listeners =
    env['LISTENERS']?.split(',').map((l) => l.trim()) ??
    (tls ? ['mqtt', 'ws', 'mqtts'] : ['mqtt', 'ws']);
  return listeners
    .map((listener) => Number(env[PORT_VARIABLES[listener] ?? ''] ?? Number.NaN))
    .filter((port) => Number.isInteger(port) && port > 0);
}

/**
 * Whether something already listens on `host:port`. SO_REUSEPORT lets a replica join any socket
 * group of the same user on its port, another mesh's brokers included, and clients would then
 * be split between the two meshes without a word: so the port must be free before the first
 * replica binds. An exclusive bind tells (it fails on a port anyone listens on).
 */
export function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}
