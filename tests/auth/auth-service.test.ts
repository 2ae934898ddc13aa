// The auth service as its own process on a secured nats-server (every role with its own bus
// identity), driven over NATS like the broker drives it; accounts are made with the real CLI
// (as the admin), and the replicas are discovered as the admin discovers them.
import {
  Buckets,
  ReasonCodes,
  RemoteServiceError,
  ServiceUnavailableError,
  Subjects,
} from '@octomesh/contracts';
import { discoverServices, openBucket, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import { octomesh } from '../support/cli.ts';
import { authenticate, login } from '../support/clients.ts';

const limiterEnv = {
  AUTH_LIMIT_FREE_FAILURES: '3',
  AUTH_LIMIT_ADDRESS_FREE_FAILURES: '10',
  AUTH_LIMIT_BASE_DELAY_MS: '60000',
  AUTH_LIMIT_MAX_DELAY_MS: '600000',
};

async function addUserOn(nats: string | TestBus, args: string[], password: string): Promise<void> {
  const result = await octomesh(['user', 'add', ...args], nats, `${password}\n`);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

describe('auth service', () => {
  let bus: TestBus;
  /** Asks the auth service, with the broker's permissions. */
  let broker: NatsConnection;
  /** Discovers the replicas, with the admin's permissions (the CLI's). */
  let admin: NatsConnection;
  const services: ServiceProcess[] = [];

  const addUser = (args: string[], password: string) => addUserOn(bus, args, password);

  beforeAll(async () => {
    bus = await startSecuredBus();
    broker = await bus.connect('broker', 'auth-test-broker');
    admin = await bus.connect('admin', 'auth-test-admin');
    // One replica until the replica test adds a second: brute-force limits are per instance.
    services.push(await startService('auth', bus, limiterEnv));
    await addUser(
      ['router-1', '--role', 'device', '--endpoint-id', 'os::00D09E-1234'],
      'correct horse',
    );
    await addUser(
      ['ctrl', '--role', 'controller', '--endpoint-id', 'oktopusController'],
      'ctrl-secret',
    );
    await addUser(['plain-device', '--role', 'device'], 'pd-secret');
    await addUser(['gone', '--role', 'device'], 'gone-secret');
    await addUser(['cert-device', '--role', 'device', '--no-password'], '');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await broker?.close();
    await admin?.close();
    await bus?.stop();
  });

  test('the right password is allowed with the account role and endpoint id', async () => {
    const reply = await login(broker, 'router-1', 'correct horse');
    expect(reply.allow).toBe(true);
    expect(reply.reasonCode).toBe(ReasonCodes.success);
    expect(reply.identity).toMatchObject({
      subject: 'user:router-1',
      username: 'router-1',
      role: 'device',
      endpointId: 'os::00D09E-1234',
      clientId: 'c-router-1',
    });
    const controller = await login(broker, 'ctrl', 'ctrl-secret');
    expect(controller.identity?.role).toBe('controller');
  });

  test('a device account without an endpoint id is the endpoint named by its username', async () => {
    const reply = await login(broker, 'plain-device', 'pd-secret');
    expect(reply.allow).toBe(true);
    expect(reply.identity?.endpointId).toBe('plain-device');
  });

  test('a wrong password is refused with 0x86', async () => {
    const reply = await login(broker, 'ctrl', 'not it', { sourceAddress: '203.0.113.1' });
    expect(reply.allow).toBe(false);
    expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
    expect(reply.identity).toBeNull();
  });

  test('an unknown user is refused with 0x86 like a wrong password', async () => {
    const reply = await login(broker, 'nobody', 'whatever', { sourceAddress: '203.0.113.2' });
    expect(reply.allow).toBe(false);
    expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
  });

  test('a connection without credentials is refused', async () => {
    const reply = await authenticate(broker, { clientId: 'anon', sourceAddress: '203.0.113.3' });
    expect(reply.allow).toBe(false);
    expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
  });

  test('a disabled account is refused with 0x87 and enabled again by the CLI', async () => {
    expect((await login(broker, 'gone', 'gone-secret')).allow).toBe(true);
    expect((await octomesh(['user', 'disable', 'gone'], bus)).code).toBe(0);
    const refused = await login(broker, 'gone', 'gone-secret');
    expect(refused.allow).toBe(false);
    expect(refused.reasonCode).toBe(ReasonCodes.notAuthorized);
    expect((await octomesh(['user', 'enable', 'gone'], bus)).code).toBe(0);
    expect((await login(broker, 'gone', 'gone-secret')).allow).toBe(true);
  });

  test('a changed password takes effect at once although the old one was cached', async () => {
    expect((await login(broker, 'plain-device', 'pd-secret')).allow).toBe(true);
    expect((await octomesh(['user', 'passwd', 'plain-device'], bus, 'pd-new\n')).code).toBe(0);
    expect(
      (await login(broker, 'plain-device', 'pd-secret', { sourceAddress: '203.0.113.9' })).allow,
    ).toBe(false);
    expect((await login(broker, 'plain-device', 'pd-new')).allow).toBe(true);
  });

  test('guesses from one address lock it out for that user while the device at another address still logs in', async () => {
    await addUser(['victim', '--role', 'device'], 'victim-secret');
    const attacker = { sourceAddress: '192.0.2.10' };
    for (let i = 0; i < 4; i++) {
      const reply = await login(broker, 'victim', `guess-${i}`, attacker);
      expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
    }
    const locked = await login(broker, 'victim', 'victim-secret', attacker);
    expect(locked.allow).toBe(false);
    expect(locked.reasonCode).toBe(ReasonCodes.connectionRateExceeded);
    expect(locked.retryAfterMs).toBeGreaterThan(0);
    expect(locked.retryAfterMs).toBeLessThanOrEqual(60_000);
    // The device: first a full verification, then one served from the cache.
    const device = { sourceAddress: '192.0.2.50' };
    expect((await login(broker, 'victim', 'victim-secret', device)).allow).toBe(true);
    expect((await login(broker, 'victim', 'victim-secret', device)).allow).toBe(true);
    expect((await login(broker, 'victim', 'victim-secret', attacker)).reasonCode).toBe(
      ReasonCodes.connectionRateExceeded,
    );
  });

  test('failures of one user spread over many addresses do not lock that user out', async () => {
    await addUser(['roamer', '--role', 'device'], 'roamer-secret');
    for (let i = 0; i < 6; i++) {
      const reply = await login(broker, 'roamer', 'guess', { sourceAddress: `192.0.2.${20 + i}` });
      expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
    }
    expect(
      (await login(broker, 'roamer', 'roamer-secret', { sourceAddress: '192.0.2.60' })).allow,
    ).toBe(true);
  });

  test('a few failures of several devices behind one shared address do not lock the others out', async () => {
    const nat = { sourceAddress: '192.0.2.150' };
    for (const stale of ['stale-1', 'stale-2', 'stale-3']) {
      for (let i = 0; i < 3; i++) {
        const reply = await login(broker, stale, 'old-password', nat);
        expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
      }
    }
    expect((await login(broker, 'router-1', 'correct horse', nat)).allow).toBe(true);
  });

  test('spraying from one address past the address threshold locks that address out for every username', async () => {
    for (let i = 0; i < 12; i++) {
      await login(broker, `spray-${i}`, 'guess', { sourceAddress: '192.0.2.200' });
    }
    const reply = await login(broker, 'router-1', 'correct horse', {
      sourceAddress: '192.0.2.200',
    });
    expect(reply.allow).toBe(false);
    expect(reply.reasonCode).toBe(ReasonCodes.connectionRateExceeded);
    expect(
      (await login(broker, 'router-1', 'correct horse', { sourceAddress: '192.0.2.201' })).allow,
    ).toBe(true);
  });

  test('a verified client certificate maps its CN to the endpoint id without a password', async () => {
    const reply = await authenticate(broker, {
      clientId: 'cert-client',
      certificate: {
        commonName: 'os::CERT-0001',
        subject: 'CN=os::CERT-0001',
        fingerprintSha256: 'ab'.repeat(32),
      },
    });
    expect(reply.allow).toBe(true);
    expect(reply.identity).toMatchObject({
      subject: `cert:${'ab'.repeat(32)}`,
      role: 'device',
      endpointId: 'os::CERT-0001',
    });
  });

  test('a certificate whose account is disabled is refused', async () => {
    expect((await octomesh(['user', 'disable', 'cert-device'], bus)).code).toBe(0);
    const reply = await authenticate(broker, {
      clientId: 'cert-client-2',
      certificate: {
        commonName: 'cert-device',
        subject: 'CN=cert-device',
        fingerprintSha256: 'cd'.repeat(32),
      },
    });
    expect(reply.allow).toBe(false);
    expect(reply.reasonCode).toBe(ReasonCodes.notAuthorized);
  });

  test('a certificate-only account cannot log in with a password', async () => {
    await addUser(['cert-only-2', '--role', 'device', '--no-password'], '');
    for (const password of ['', 'anything']) {
      const reply = await login(broker, 'cert-only-2', password, { sourceAddress: '203.0.113.77' });
      expect(reply.allow).toBe(false);
      expect(reply.reasonCode).toBe(ReasonCodes.badUserNameOrPassword);
    }
  });

  test('an unknown user and a wrong password get the very same answer', async () => {
    const unknown = await login(broker, 'nobody-at-all', 'x', { sourceAddress: '203.0.113.80' });
    const wrong = await login(broker, 'ctrl', 'x', { sourceAddress: '203.0.113.81' });
    expect(unknown.toJSON()).toEqual(wrong.toJSON());
  });

  test('a usp-endpoint-id that differs from the account is refused', async () => {
    const reply = await login(broker, 'router-1', 'correct horse', {
      endpointIdHint: 'os::SOMEONE-ELSE',
    });
    expect(reply.allow).toBe(false);
    expect(reply.reasonCode).toBe(ReasonCodes.notAuthorized);
    expect(
      (await login(broker, 'router-1', 'correct horse', { endpointIdHint: 'os::00D09E-1234' }))
        .allow,
    ).toBe(true);
  });

  test('a request with a malformed body gets an error reply and the service stays up', async () => {
    const answer = await broker.request(
      Subjects.authAuthenticate,
      new Uint8Array([0x0a, 0xff, 0xff]),
      {
        timeout: 5000,
      },
    );
    expect(answer.headers?.get('Nats-Service-Error-Code')).toBe('400');
    const invalid = await authenticate(broker, { clientId: 'x', mqttVersion: 9 }).catch(
      (e: unknown) => e,
    );
    expect(invalid).toBeInstanceOf(RemoteServiceError);
    expect((await login(broker, 'router-1', 'correct horse')).allow).toBe(true);
  });

  test('two replicas share the requests and are both discoverable as micro services', async () => {
    services.push(await startService('auth', bus, limiterEnv));
    for (let i = 0; i < 40; i++) await login(broker, 'router-1', 'correct horse');
    const instances = await discoverServices(admin, 'octomesh-auth');
    expect(instances).toHaveLength(2);
    for (const instance of instances) expect(instance.requests).toBeGreaterThan(5);
  });

  test('with no auth service running a caller gets a typed unavailable error within its deadline', async () => {
    await Promise.all(services.splice(0).map((s) => s.stop()));
    const started = Date.now();
    const error = await login(broker, 'router-1', 'correct horse').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

// Oktopus's controller keeps its devices-auth bucket; with the migration on, the bus lets the
// controller role write it and auth read it (bus-permissions.ts `oktopusDevicesAuth`).
describe('auth service with the oktopus devices-auth migration', () => {
  let server: TestBus;
  let nc: NatsConnection;
  let oktopus: NatsConnection;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    server = await startSecuredBus({ oktopusDevicesAuth: true });
    nc = await server.connect('broker', 'auth-test-oktopus');
    oktopus = await server.connect('controller', 'auth-test-oktopus-controller');
    services.push(await startService('auth', server, limiterEnv));
    await addUserOn(
      server,
      ['router-1', '--role', 'device', '--endpoint-id', 'os::00D09E-1234'],
      'correct horse',
    );
    await addUserOn(server, ['gone', '--role', 'device'], 'gone-secret');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await oktopus?.close();
    await server?.stop();
  });

  test('oktopus devices-auth credentials are accepted only when migration is switched on', async () => {
    const legacy = await openBucket(oktopus, {
      name: Buckets.oktopusDevicesAuth,
      history: 1,
      description: 'Oktopus device passwords (test)',
    });
    await legacy.put('legacy-router', 'plain-pass');
    expect(
      (await login(nc, 'legacy-router', 'plain-pass', { sourceAddress: '203.0.113.100' })).allow,
    ).toBe(false);
    const migrating = await startService('auth', server, { AUTH_OKTOPUS_DEVICES_AUTH: 'true' });
    await Promise.all(services.splice(0).map((s) => s.stop()));
    services.push(migrating);
    const reply = await login(nc, 'legacy-router', 'plain-pass');
    expect(reply.allow).toBe(true);
    expect(reply.identity).toMatchObject({ role: 'device', endpointId: 'legacy-router' });
    expect(
      (await login(nc, 'legacy-router', 'wrong', { sourceAddress: '203.0.113.101' })).allow,
    ).toBe(false);
    // Our own accounts still work and win over the legacy bucket.
    expect((await login(nc, 'router-1', 'correct horse')).allow).toBe(true);
    // An account removed from ours does not come back through its old Oktopus password.
    await legacy.put('gone', 'gone-legacy');
    expect((await octomesh(['user', 'rm', 'gone'], server)).code).toBe(0);
    expect((await login(nc, 'gone', 'gone-legacy', { sourceAddress: '203.0.113.102' })).allow).toBe(
      false,
    );
    expect((await login(nc, 'gone', 'gone-secret', { sourceAddress: '203.0.113.103' })).allow).toBe(
      false,
    );
  });
});
