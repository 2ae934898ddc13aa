// The acl service as its own process on a secured nats-server (every role with its own bus
// identity): the USP policy matrix, wildcard and injection attempts, rule changes from KV
// announced on mesh.acl.v1.changed. The test asks for decisions and hears the announcements as
// a broker does, and writes rules and discovers the replicas as the admin (the CLI) does.
import { BucketSpecs, encodeKvKey, mesh, ReasonCodes, Subjects } from '@octomesh/contracts';
import { discoverServices, openBucket, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, waitFor, type TestBus } from '@octomesh/testing';
import { octomesh } from '../support/cli.ts';
import { allowed, authorize, type TestIdentity } from '../support/clients.ts';

const p = 'oktopus/usp/v1';
const id = 'os::00D09E-1234';
const other = 'os::00D09E-9999';
const device: TestIdentity = {
  role: 'device',
  username: 'router-1',
  endpointId: id,
  clientId: 'c1',
};
const controller: TestIdentity = {
  role: 'controller',
  username: 'ctrl',
  endpointId: 'oktopusController',
  clientId: 'ctrl-1',
};

describe('acl service', () => {
  let bus: TestBus;
  /** Asks for decisions and hears rule changes, with the broker's permissions. */
  let broker: NatsConnection;
  /** Writes rules into KV and discovers the replicas, with the admin's (the CLI's). */
  let admin: NatsConnection;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    bus = await startSecuredBus();
    broker = await bus.connect('broker', 'acl-test-broker');
    admin = await bus.connect('admin', 'acl-test-admin');
    services.push(await startService('acl', bus), await startService('acl', bus));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await broker?.close();
    await admin?.close();
    await bus?.stop();
  });

  describe('a device', () => {
    test.each([
      ['subscribe', `${p}/agent/${id}`],
      ['subscribe', `${p}/agent/${id}/sub`],
      ['subscribe', `$share/g/${p}/agent/${id}`],
      ['publish', `${p}/controller`],
      ['publish', `${p}/controller/${id}`],
      ['publish', `${p}/api/${id}`],
    ])('may %s %s (its own topics)', async (action, topic) => {
      expect(await allowed(broker, device, action as 'publish', topic)).toBe(true);
    });

    test.each([
      ['subscribe', `${p}/agent/${other}`],
      ['subscribe', `${p}/agent/+`],
      ['subscribe', `${p}/agent/#`],
      ['subscribe', '#'],
      ['subscribe', '+/+/+/+/+'],
      ['subscribe', `$share/g/${p}/agent/+`],
      ['subscribe', '$share/g/#'],
      ['subscribe', `${p}/controller`],
      ['subscribe', `${p}/status/${id}`],
      ['publish', `${p}/controller/${other}`],
      ['publish', `${p}/api/${other}`],
      ['publish', `${p}/status/${id}`],
      ['publish', `${p}/agent/${id}`],
      ['publish', `${p}/agent/${other}`],
      ['publish', `${p}/controller/${id}x`],
      ['publish', `${p}/controller/${id}/deeper`],
    ])('may not %s %s', async (action, topic) => {
      const reply = await authorize(broker, device, [{ action: action as 'publish', topic }]);
      expect(reply.verdicts[0]?.allow).toBe(false);
      expect(reply.verdicts[0]?.reasonCode).toBe(ReasonCodes.notAuthorized);
    });

    test.each(['+', '#', 'a/b', 'x/#', ''])(
      'whose endpoint id is %j cannot widen its agent topic into others',
      async (endpointId) => {
        const sneaky: TestIdentity = { ...device, endpointId };
        expect(await allowed(broker, sneaky, 'subscribe', `${p}/agent/+`)).toBe(false);
        expect(await allowed(broker, sneaky, 'subscribe', `${p}/agent/#`)).toBe(false);
        expect(await allowed(broker, sneaky, 'subscribe', `${p}/agent/${other}`)).toBe(false);
        expect(await allowed(broker, sneaky, 'publish', `${p}/controller/${other}`)).toBe(false);
      },
    );
  });

  test('a controller may publish to any agent and subscribe to the controller, api and status trees', async () => {
    const reply = await authorize(broker, controller, [
      { action: 'publish', topic: `${p}/agent/${id}` },
      { action: 'publish', topic: `${p}/agent/${other}` },
      { action: 'subscribe', topic: `${p}/controller/#` },
      { action: 'subscribe', topic: `$share/routers/${p}/controller/+` },
      { action: 'subscribe', topic: `${p}/api/#` },
      { action: 'subscribe', topic: `${p}/status/+` },
      { action: 'subscribe', topic: `${p}/agent/+` },
      { action: 'publish', topic: `${p}/status/${id}` },
      { action: 'subscribe', topic: '#' },
    ]);
    expect(reply.verdicts.map((v) => v.allow)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  test('an unknown role is denied by default', async () => {
    expect(
      await allowed(broker, { role: 'guest', username: 'g' }, 'subscribe', `${p}/status/${id}`),
    ).toBe(false);
  });

  test('malformed topics get their own reason codes', async () => {
    const reply = await authorize(broker, device, [
      { action: 'publish', topic: `${p}/controller/+` },
      { action: 'subscribe', topic: `${p}/agent/#/x` },
    ]);
    expect(reply.verdicts.map((v) => v.reasonCode)).toEqual([
      ReasonCodes.topicNameInvalid,
      ReasonCodes.topicFilterInvalid,
    ]);
  });

  test('explain names the deciding rule and the reply carries a cache lifetime', async () => {
    const reply = await authorize(broker, device, [
      { action: 'publish', topic: `${p}/controller` },
    ]);
    expect(reply.verdicts[0]?.ruleId).toMatch(/^default:/);
    expect(reply.cacheTtlMs).toBeGreaterThan(0);
    const quiet = await authorize(
      broker,
      device,
      [{ action: 'publish', topic: `${p}/controller` }],
      false,
    );
    expect(quiet.verdicts[0]?.ruleId).toBe('');
  });

  test('a rule change reaches subscribers of mesh.acl.v1.changed and changes decisions', async () => {
    const changes: mesh.acl.v1.RulesChanged[] = [];
    const sub = broker.subscribe(Subjects.aclChanged, {
      callback: (_e, m) => {
        changes.push(mesh.acl.v1.RulesChanged.decode(m.data));
      },
    });
    await broker.flush();
    const topic = `${p}/controller/${id}`;
    expect(await allowed(broker, device, 'publish', topic)).toBe(true);
    const added = await octomesh(
      [
        'acl',
        'add',
        'quarantine-router-1',
        '--subject',
        'user:router-1',
        '--action',
        'publish',
        '--topic',
        `${p}/controller/%e`,
        '--effect',
        'deny',
      ],
      bus,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    // Two replicas each announce the change they saw.
    await waitFor('changed events', () => (changes.length >= 2 ? changes : undefined));
    expect(changes[0]).toMatchObject({ ruleId: 'quarantine-router-1', operation: 'put' });
    expect(changes[0]?.revision).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) expect(await allowed(broker, device, 'publish', topic)).toBe(false);
    const tested = await octomesh(
      [
        'acl',
        'test',
        'publish',
        topic,
        '--role',
        'device',
        '--username',
        'router-1',
        '--endpoint-id',
        id,
      ],
      bus,
    );
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain('DENY');
    expect(tested.stdout).toContain('quarantine-router-1');
    expect((await octomesh(['acl', 'rm', 'quarantine-router-1'], bus)).code).toBe(0);
    await waitFor('delete events', () =>
      changes.some((c) => c.operation === 'delete') ? true : undefined,
    );
    await waitFor('rule removed on every replica', async () => {
      for (let i = 0; i < 6; i++)
        if (!(await allowed(broker, device, 'publish', topic))) return undefined;
      return true;
    });
    sub.unsubscribe();
  });

  test('an invalid rule written straight into KV is ignored, not applied', async () => {
    const kv = await openBucket(admin, BucketSpecs.acl);
    await kv.put(
      encodeKvKey('broken'),
      JSON.stringify({
        id: 'broken',
        subject: 'role:device',
        action: 'publish',
        topic: '#',
        effect: 'allow',
        extra: 1,
      }),
    );
    await kv.put(
      encodeKvKey('marker'),
      JSON.stringify({
        id: 'marker',
        subject: 'role:device',
        action: 'subscribe',
        topic: 'marker/topic',
        effect: 'allow',
      }),
    );
    await waitFor('marker rule applied', async () =>
      (await allowed(broker, device, 'subscribe', 'marker/topic')) ? true : undefined,
    );
    expect(await allowed(broker, device, 'publish', `${p}/agent/${other}`)).toBe(false);
    const listed = await octomesh(['acl', 'list'], bus);
    expect(listed.stdout).toMatch(/broken\tINVALID/);
  });

  test('a request with a malformed body gets an error reply and the service stays up', async () => {
    const answer = await broker.request(Subjects.aclAuthorize, new Uint8Array([0x12, 0x80]), {
      timeout: 5000,
    });
    expect(answer.headers?.get('Nats-Service-Error-Code')).toBe('400');
    const empty = await broker.request(
      Subjects.aclAuthorize,
      mesh.acl.v1.AuthorizeRequest.encode({ identity: { role: 'device' } }).finish(),
      { timeout: 5000 },
    );
    expect(empty.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(await allowed(broker, device, 'publish', `${p}/controller`)).toBe(true);
  });

  test('health endpoints answer: alive, ready, and metrics counting requests', async () => {
    const port = await services[0]!.healthPort;
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, text: await response.text() };
    };
    expect((await get('/healthz')).status).toBe(200);
    expect(await get('/readyz')).toEqual({ status: 200, text: 'ready\n' });
    const metrics = await get('/metrics');
    expect(metrics.text).toMatch(/^octomesh_acl_requests_total [1-9]\d*$/m);
    expect(metrics.text).toMatch(/^octomesh_acl_invalid_rules 1$/m);
    expect((await get('/nothing')).status).toBe(404);
  });

  test('two replicas share the requests', async () => {
    for (let i = 0; i < 40; i++) await allowed(broker, device, 'publish', `${p}/controller`);
    const instances = await discoverServices(admin, 'octomesh-acl');
    expect(instances).toHaveLength(2);
    for (const instance of instances) expect(instance.requests).toBeGreaterThan(5);
  });
});
