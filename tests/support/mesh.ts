// The helpers every broker suite starts from: the auth and acl services with accounts written
// first, broker replicas that hear each other, and one figure read off a service's /metrics.
import { connectNats, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger, type ServiceProcess } from '@octomesh/service-kit';
import { startService, type TestBus } from '@octomesh/testing';
import { eventually } from '../mqtt-engine/clients.ts';
import { addAccounts, type TestAccountSpec } from './accounts.ts';

/**
 * Writes `accounts` into the credentials bucket, then starts auth and acl on `nats` (a secured
 * test bus, or the URL of a NATS without permissions). Returns the two services.
 */
export async function startAuthAndAcl(
  nats: TestBus | string,
  accounts: readonly TestAccountSpec[],
): Promise<ServiceProcess[]> {
  const nc: NatsConnection =
    typeof nats === 'string'
      ? await connectNats({
          servers: nats,
          name: 'test-accounts',
          logger: createLogger('test-accounts', 'silent'),
        })
      : await nats.connect('admin', 'test-accounts');
  try {
    await addAccounts(nc, accounts);
  } finally {
    await nc.close();
  }
  return [await startService('auth', nats), await startService('acl', nats)];
}

/** A counter or gauge without labels from the service's /metrics (NaN when absent). */
export async function serviceMetric(service: ServiceProcess, name: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${await service.healthPort}/metrics`);
  const line = (await response.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

/**
 * Starts broker replica `replica-<name>` on `nats` with an MQTT listener on a loopback port and
 * a short heartbeat (a killed replica is noticed within seconds); `env` adds or overrides.
 */
export function startBrokerReplica(
  nats: TestBus | string,
  name: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  return startService('broker', nats, {
    LISTENERS: 'mqtt',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    BROKER_REPLICA: `replica-${name}`,
    MQTT_REPLICA_HEARTBEAT_MS: '200',
    ...env,
  });
}

/** The MQTT URL of a broker started with an `mqtt` listener. */
export function mqttUrlOf(broker: ServiceProcess): string {
  return `mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`;
}

/** Waits until every replica hears all the others. */
export async function awaitPeers(brokers: readonly ServiceProcess[]): Promise<void> {
  for (const [i, broker] of brokers.entries()) {
    await eventually(
      `replica ${i} sees ${brokers.length - 1} peers`,
      async () =>
        (await serviceMetric(broker, 'octomesh_broker_peer_replicas')) === brokers.length - 1
          ? true
          : undefined,
      10_000,
    );
  }
}
