// The bus permissions against a real nats-server with the generated authorization: for every
// role, what its job needs works and what an attacker holding its credential would try is
// refused by the server (design "Security of the bus", issue 9).
import {
  BucketSpecs,
  Buckets,
  inboxPrefixOf,
  SessionMessageStream,
  Subjects,
  topicToSubject,
  type BusRole,
} from '@octomesh/contracts';
import {
  connectNats,
  openBucket,
  openExistingBucket,
  readSeedFile,
  type NatsConnection,
} from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startSecuredBus, type TestBus } from '@octomesh/testing';

const logger = createLogger('bus-test', 'silent');

/** A connection as `role`, recording every permission violation the server reports. */
interface RoleClient {
  nc: NatsConnection;
  violations: string[];
}

async function connectAs(bus: TestBus, role: BusRole): Promise<RoleClient> {
  const nc = await connectNats({
    servers: bus.url,
    name: `test-${role}`,
    logger,
    nkeySeed: readSeedFile(bus.seedFile(role)),
    inboxPrefix: inboxPrefixOf(role),
  });
  const violations: string[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && /permissions violation/i.test(status.error.message))
        violations.push(status.error.message);
    }
  })();
  return { nc, violations };
}

/** Waits until the server reported a violation naming `subject`. */
async function refused(client: RoleClient, subject: string): Promise<void> {
  await client.nc.flush();
  const deadline = Date.now() + 3000;
  while (!client.violations.some((v) => v.includes(`"${subject}"`))) {
    if (Date.now() > deadline)
      throw new Error(`no permission violation for ${subject}: ${client.violations.join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Subscribes and expects the server to refuse it. */
async function cannotSubscribe(client: RoleClient, subject: string, queue?: string) {
  client.nc.subscribe(subject, queue !== undefined ? { queue } : {});
  await refused(client, subject);
}

/** Publishes and expects the server to refuse it. */
async function cannotPublish(client: RoleClient, subject: string) {
  client.nc.publish(subject, 'forged');
  await refused(client, subject);
}

/** `role` publishes on `subject` and `receiver` gets it, with no violation. */
async function delivers(from: RoleClient, to: RoleClient, subject: string, filter = subject) {
  const before = [from.violations.length, to.violations.length];
  const sub = to.nc.subscribe(filter, { max: 1 });
  await to.nc.flush();
  const received = (async () => {
    for await (const msg of sub) return msg.subject;
    return undefined;
  })();
  from.nc.publish(subject, 'ok');
  await from.nc.flush();
  expect(await received).toBe(subject);
  expect(from.violations.slice(before[0])).toEqual([]);
  expect(to.violations.slice(before[1])).toEqual([]);
}

describe('the bus permissions, enforced by nats-server', () => {
  let bus: TestBus;
  const clients = {} as Record<BusRole, RoleClient>;

  beforeAll(async () => {
    bus = await startSecuredBus({ oktopusCompat: true });
    for (const role of ['broker', 'auth', 'acl', 'usp-router', 'controller', 'admin'] as const)
      clients[role] = await connectAs(bus, role);
    // The admin creates the buckets, as `octomesh user add` and `acl add` do.
    await openBucket(clients.admin.nc, BucketSpecs.credentials);
    await openBucket(clients.admin.nc, BucketSpecs.acl);
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) await client.nc.close();
    await bus.stop();
  });

  test('a client without a bus identity is refused', async () => {
    await expect(
      connectNats({ servers: bus.url, name: 'stranger', logger, timeoutMs: 2000 }),
    ).rejects.toThrow(/authorization/i);
  });

  test('broker: publishes the fabric and asks auth (answered through allow_responses); cannot read passwords, answer as auth, call usp.v1.send or read credentials', async () => {
    const { broker, auth } = clients;
    await delivers(broker, clients['usp-router'], topicToSubject('oktopus/usp/v1/controller/x'));
    const serving = auth.nc.subscribe(Subjects.authAuthenticate, {
      queue: 'auth',
      callback: (_error, msg) => {
        msg.respond('verdict');
      },
    });
    await auth.nc.flush();
    const reply = await broker.nc.request(Subjects.authAuthenticate, 'attempt', { timeout: 2000 });
    expect(reply.string()).toBe('verdict');
    serving.unsubscribe();
    await cannotSubscribe(broker, Subjects.authAuthenticate);
    await cannotSubscribe(broker, Subjects.authAuthenticate, 'auth');
    await cannotPublish(broker, Subjects.uspSend);
    await cannotSubscribe(broker, `${inboxPrefixOf('auth')}.>`);
    await cannotSubscribe(broker, '_INBOX.>');
    await cannotPublish(broker, `$KV.${Buckets.credentials}.victim`);
    await cannotPublish(broker, `$JS.API.STREAM.INFO.KV_${Buckets.credentials}`);
  });

  test('auth: serves mesh.auth and reads credentials; cannot write them, publish the fabric or read other replies', async () => {
    const { auth } = clients;
    const kv = await openBucket(auth.nc, BucketSpecs.credentials);
    expect(await kv.get('nobody')).toBeNull();
    await expect(kv.put('forged', 'x')).rejects.toThrow();
    await refused(auth, `$KV.${Buckets.credentials}.forged`);
    await cannotPublish(auth, topicToSubject('oktopus/usp/v1/agent/os::X'));
    await cannotSubscribe(auth, 'mqtt.msg.>');
    await cannotSubscribe(auth, `${inboxPrefixOf('broker')}.>`);
    await cannotPublish(auth, Subjects.aclChanged);
    await cannotPublish(auth, `$JS.API.STREAM.INFO.KV_${Buckets.acl}`);
    await cannotPublish(auth, `$JS.API.STREAM.INFO.KV_${Buckets.oktopusDevicesAuth}`);
  });

  test('acl: announces rule changes to brokers, reads rules; cannot write mqtt-acl or read mesh.auth', async () => {
    const { acl, broker } = clients;
    await delivers(acl, broker, Subjects.aclChanged);
    const kv = await openBucket(acl.nc, BucketSpecs.acl);
    expect(await kv.get('nothing')).toBeNull();
    await expect(kv.put('allow-all', 'x')).rejects.toThrow();
    await refused(acl, `$KV.${Buckets.acl}.allow-all`);
    await cannotSubscribe(acl, 'mesh.auth.>');
    await cannotPublish(acl, `$JS.API.STREAM.INFO.KV_${Buckets.credentials}`);
  });

  test('usp-router: writes only agent and status topics, reads controller topics, keeps the registry; cannot publish broker events or forge controller Records', async () => {
    const router = clients['usp-router'];
    await delivers(
      router,
      clients.broker,
      topicToSubject('oktopus/usp/v1/agent/os::X'),
      'mqtt.msg.>',
    );
    await delivers(router, clients.controller, 'usp.v1.presence.x');
    const kv = await openBucket(router.nc, BucketSpecs.uspEndpoints);
    await kv.put('os=3A=3AX', 'registered');
    expect((await kv.get('os=3A=3AX'))?.string()).toBe('registered');
    await cannotPublish(router, topicToSubject('oktopus/usp/v1/controller/os::X'));
    await cannotPublish(router, 'mesh.broker.v1.events.connected');
    await cannotPublish(router, Subjects.authAuthenticate);
    await cannotPublish(router, `$KV.${Buckets.credentials}.x`);
  });

  test('controller: calls usp.v1.* and gets notifications and presence; cannot publish the fabric, read credentials, join the auth queue or read broker events', async () => {
    const { controller } = clients;
    const router = clients['usp-router'];
    const serving = router.nc.subscribe(Subjects.uspSend, {
      queue: 'usp-router',
      callback: (_error, msg) => {
        msg.respond('answer');
      },
    });
    await router.nc.flush();
    const reply = await controller.nc.request(Subjects.uspSend, 'get', { timeout: 2000 });
    expect(reply.string()).toBe('answer');
    serving.unsubscribe();
    await delivers(router, controller, 'usp.v1.notify.x');
    await cannotPublish(controller, 'mqtt.msg.x');
    await cannotPublish(controller, topicToSubject('oktopus/usp/v1/agent/os::X'));
    await expect(openExistingBucket(controller.nc, Buckets.credentials)).rejects.toThrow();
    await cannotSubscribe(controller, Subjects.authAuthenticate, 'auth');
    await cannotSubscribe(controller, 'mesh.broker.v1.events.>');
    await cannotPublish(controller, `$KV.${Buckets.acl}.x`);
    // Oktopus's devices-auth bucket only when the migration is on (not on this bus).
    await cannotPublish(controller, `$JS.API.STREAM.CREATE.KV_${Buckets.oktopusDevicesAuth}`);
    await cannotSubscribe(controller, `${inboxPrefixOf('usp-router')}.>`);
  });

  test('replica subjects: broker replicas hand shared messages over and keep offline messages; no other role can touch either', async () => {
    await delivers(clients.broker, clients.broker, 'mqtt.share.v1.mqtt-share-x', 'mqtt.share.v1.>');
    for (const role of ['controller', 'usp-router', 'admin'] as const) {
      await cannotPublish(clients[role], 'mqtt.share.v1.mqtt-share-x');
      await cannotSubscribe(clients[role], 'mqtt.share.v1.>');
      await cannotPublish(clients[role], `${SessionMessageStream.subjectPrefix}.x`);
      await cannotPublish(clients[role], `$JS.API.STREAM.PURGE.${SessionMessageStream.name}`);
    }
  });

  test('admin: writes accounts and rules; cannot publish the fabric or broker events, or read CONNECT passwords', async () => {
    const { admin } = clients;
    const credentials = await openBucket(admin.nc, BucketSpecs.credentials);
    await credentials.put('user1', 'record');
    const rules = await openBucket(admin.nc, BucketSpecs.acl);
    await rules.put('rule1', 'rule');
    expect((await rules.get('rule1'))?.string()).toBe('rule');
    await cannotPublish(admin, 'mqtt.msg.x');
    await cannotPublish(admin, 'mesh.broker.v1.events.disconnected');
    await cannotSubscribe(admin, Subjects.authAuthenticate);
    await cannotPublish(admin, Subjects.aclChanged);
  });
});
