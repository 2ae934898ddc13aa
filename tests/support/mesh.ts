// The helpers every broker suite starts from: the auth and acl services with accounts written
// first, and one figure read off a service's /metrics.
import { connectNats, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger, type ServiceProcess } from '@octomesh/service-kit';
import { startService, type TestBus } from '@octomesh/testing';
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
