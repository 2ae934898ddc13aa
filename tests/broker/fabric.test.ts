// Two broker replicas on one NATS: a message published on one reaches subscribers on the other
// with its properties and the publisher's identity, retained messages too, and forged or
// malformed fabric messages are dropped and counted.
import { FabricHeaders, Roles, topicToSubject } from '@octomesh/contracts';
import { headersOf, type NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import { addAccounts } from '../support/accounts.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';

describe('the NATS fabric between broker replicas', () => {
  let server: TestBus;
  // The test watches and forges the fabric as a third broker replica would.
  let nc: NatsConnection;
  const services: ServiceProcess[] = [];
  const urls: string[] = [];
  const brokers: ServiceProcess[] = [];
  const fabricSeen: { subject: string; identity: string | undefined }[] = [];

  const admin = (i: number, extra = {}) =>
    connectClient(urls[i]!, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pw-a',
      ...extra,
    });

  beforeAll(async () => {
    server = await startSecuredBus();
    nc = await server.connect('broker', 'fabric-t');
    nc.subscribe('mqtt.msg.>', {
      callback: (_e, m) => {
        fabricSeen.push({
          subject: m.subject,
          identity: m.headers?.get(FabricHeaders.publisherSubject),
        });
      },
    });
    // Accounts are written as the CLI would, with the admin identity.
    const admin = await server.connect('admin', 'fabric-t-admin');
    try {
      await addAccounts(admin, [{ username: 'adm', password: 'pw-a', role: Roles.admin }]);
    } finally {
      await admin.close();
    }
    services.push(await startService('auth', server));
    services.push(await startService('acl', server));
    for (const replica of ['a', 'b']) {
      const broker = await startService('broker', server, {
        LISTENERS: 'mqtt',
        MQTT_PORT: '0',
        MQTT_HOST: '127.0.0.1',
        BROKER_REPLICA: `replica-${replica}`,
        MQTT_FABRIC_EXPORT: '#',
      });
      brokers.push(broker);
      services.push(broker);
      urls.push(`mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`);
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('a QoS 1 message published on replica a reaches a subscriber on replica b once, with its properties in order', async () => {
    const sub = await admin(1);
    const box = collect(sub);
    await sub.subscribeAsync('lab/x/#', { qos: 1 });
    const pub = await admin(0);
    await pub.publishAsync('lab/x/1', 'hello', {
      qos: 1,
      properties: {
        responseTopic: 'lab/reply',
        correlationData: Buffer.from([1, 2, 3]),
        contentType: 'text/plain',
        userProperties: { a: ['1', '3'], b: '2' },
      },
    });
    const got = await eventually('message on b', () =>
      box.messages.find((m) => m.topic === 'lab/x/1'),
    );
    expect(got.payload).toBe('hello');
    expect(got.packet.properties).toMatchObject({
      responseTopic: 'lab/reply',
      contentType: 'text/plain',
      userProperties: { a: ['1', '3'], b: '2' },
    });
    expect(Buffer.from(got.packet.properties!.correlationData!)).toEqual(Buffer.from([1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(box.messages.filter((m) => m.topic === 'lab/x/1')).toHaveLength(1);
    // On NATS the message carried the publisher's authenticated identity.
    expect(fabricSeen.find((f) => f.subject === topicToSubject('lab/x/1'))?.identity).toBe(
      encodeURIComponent('user:adm'),
    );
    await end(pub);
    await end(sub);
  });

  test('a subscriber on the same replica gets the message once (not again from NATS)', async () => {
    const sub = await admin(0);
    const box = collect(sub);
    await sub.subscribeAsync('lab/same', { qos: 1 });
    const pub = await admin(0);
    await pub.publishAsync('lab/same', 'once', { qos: 1 });
    await eventually('message', () => box.messages.find((m) => m.topic === 'lab/same'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(box.messages.filter((m) => m.topic === 'lab/same')).toHaveLength(1);
    await end(pub);
    await end(sub);
  });

  test('a retained message published on a is served by b to a later subscriber', async () => {
    const pub = await admin(0);
    await pub.publishAsync('lab/retained', 'kept', { qos: 1, retain: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sub = await admin(1);
    const box = collect(sub);
    await sub.subscribeAsync('lab/retained', { qos: 1 });
    const got = await eventually('retained on b', () =>
      box.messages.find((m) => m.topic === 'lab/retained'),
    );
    expect(got.payload).toBe('kept');
    expect(got.packet.retain).toBe(true);
    await end(pub);
    await end(sub);
  });

  test('fabric messages with bad headers are dropped and counted, never delivered', async () => {
    const sub = await admin(1);
    const box = collect(sub);
    await sub.subscribeAsync('lab/forged', { qos: 1 });
    // b subscribes on NATS only for its clients' filters: '#' makes it receive the bad subject.
    const everything = await admin(1);
    await everything.subscribeAsync('#', { qos: 0 });
    nc.publish(topicToSubject('lab/forged'), Buffer.from('no headers'));
    nc.publish(topicToSubject('lab/forged'), Buffer.from('bad qos'), {
      headers: headersOf([
        [FabricHeaders.qos, '7'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'x'],
      ]),
    });
    nc.publish('mqtt.msg.bad=ZZ', Buffer.from('bad subject'), {
      headers: headersOf([
        [FabricHeaders.qos, '0'],
        [FabricHeaders.retain, '0'],
        [FabricHeaders.replica, 'x'],
      ]),
    });
    const port = await brokers[1]!.healthPort;
    await eventually('3 invalid counted', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('octomesh_broker_fabric_invalid_total'));
      return Number(line?.split(' ').at(-1) ?? 0) >= 3 ? true : undefined;
    });
    expect(box.messages).toHaveLength(0);
    await end(sub);
    await end(everything);
  });
});
