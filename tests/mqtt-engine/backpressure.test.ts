// Slow consumers and outbound flow: a subscriber that stops reading never makes the broker
// buffer without bound (QoS 0 is dropped first, counted), QoS 1 publishers are slowed down
// before a backed-up subscriber is disconnected, and no acknowledged message goes uncounted.
// Also outbound topic aliases and ill-formed UTF-8 in topics.
import type mqttPacket from 'mqtt-packet';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { rawSubscriber } from './raw-client.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };
const admin = { protocolVersion: 5 as const, username: 'adm', password: 'pwa' };

describe('slow subscribers', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: {
        maxPublishRate: 0,
        // MQTT.js ignores our Receive Maximum and sends its 600 PUBLISHes at once.
        receiveMaximum: 1000,
        maxQueuedMessages: 50,
        writeBufferBytes: 64 * 1024,
        publisherWaitMs: 300,
      },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a QoS 0 subscriber that stops reading costs bounded memory: its socket buffer stays under the limit and QoS 0 is dropped, counted', async () => {
    const slow = await rawSubscriber(broker.port, {
      clientId: 'slow-q0',
      filter: 'lab/flood',
      qos: 0,
    });
    slow.socket.pause();
    const healthy = await connectClient(broker.url, admin);
    const box = collect(healthy);
    await healthy.subscribeAsync('lab/flood', { qos: 0 });
    await healthy.subscribeAsync('lab/marker', { qos: 1 });
    const publisher = await connectClient(broker.url, admin);
    const payload = Buffer.alloc(10 * 1024, 0x61);
    const slowConnection = broker.engine.connections.get('slow-q0')!;
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, slowConnection.stream.writableLength);
    }, 2);
    // 40 MB: far more than the kernel's socket buffers hold.
    for (let i = 0; i < 4000; i++) {
      publisher.publish('lab/flood', payload, { qos: 0 });
      if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await publisher.publishAsync('lab/marker', 'done', { qos: 1 });
    await eventually('marker', () => box.messages.find((m) => m.topic === 'lab/marker'), 20_000);
    clearInterval(sampler);
    maxBuffered = Math.max(maxBuffered, slowConnection.stream.writableLength);
    const session = broker.engine.sessions.get('slow-q0')!;
    // One packet past the limit at most (the one that crossed it).
    expect(maxBuffered).toBeLessThanOrEqual(64 * 1024 + payload.length + 64);
    expect(session.queued).toBeLessThanOrEqual(50);
    expect(session.counters.droppedQos0).toBeGreaterThan(0);
    expect(slowConnection.state).toBe('connected');
    // Once it reads again it gets what was kept for it.
    const seenBefore = slow.packets.filter((p) => p.cmd === 'publish').length;
    slow.socket.resume();
    await eventually(
      'queued messages after resume',
      () => (session.queued === 0 ? true : undefined),
      10_000,
    );
    expect(slow.packets.filter((p) => p.cmd === 'publish').length).toBeGreaterThan(seenBefore);
    slow.socket.destroy();
    await end(publisher);
    await end(healthy);
  });

  test('QoS 1 to a subscriber that stops reading: the publisher is slowed first, then the subscriber is disconnected (0x97, counted); every acknowledged message is delivered on resume or counted', async () => {
    const slow = await rawSubscriber(broker.port, {
      clientId: 'slow-q1',
      filter: 'lab/slow',
      qos: 1,
      sessionExpiryInterval: 60,
    });
    slow.socket.pause();
    const publisher = await connectClient(broker.url, admin);
    const slowedBefore = broker.engine.counters.publishersSlowed;
    const disconnectedBefore = broker.engine.counters.slowSubscribersDisconnected;
    const payload = (i: number) => Buffer.concat([Buffer.from(`m${i}:`), Buffer.alloc(16 * 1024)]);
    const total = 600;
    const started = Date.now();
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++)
      acks.push(publisher.publishAsync('lab/slow', payload(i), { qos: 1 }));
    await Promise.all(acks);
    const elapsedMs = Date.now() - started;
    expect(broker.engine.counters.publishersSlowed).toBeGreaterThan(slowedBefore);
    // The publisher waited at least one publisherWaitMs for the subscriber.
    expect(elapsedMs).toBeGreaterThanOrEqual(300);
    await eventually(
      'slow subscriber disconnected',
      () =>
        broker.engine.counters.slowSubscribersDisconnected > disconnectedBefore ? true : undefined,
      10_000,
    );
    const session = broker.engine.sessions.get('slow-q1')!;
    const droppedOffline = session.counters.droppedOffline;
    slow.socket.destroy();

    // The same client id resumes its session and gets everything that was not counted dropped.
    const seen = new Set<string>();
    const resumed = await connectClient(
      broker.url,
      { ...admin, clientId: 'slow-q1', clean: false, properties: { sessionExpiryInterval: 60 } },
      (client) =>
        client.on('message', (_topic, body) =>
          seen.add(body.subarray(0, body.indexOf(':')).toString()),
        ),
    );
    await eventually(
      'every message kept for the session',
      () => (seen.size >= total - droppedOffline ? true : undefined),
      20_000,
    );
    expect(seen.size).toBe(total - droppedOffline);
    await end(resumed);
    await end(publisher);
  });
});

describe('outbound topic aliases [MQTT-3.3.2-7..11]', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a client that accepts 2 aliases gets repeated topics as aliases alone, and every alias resolves to the right topic', async () => {
    const sub = await rawSubscriber(broker.port, {
      clientId: 'alias-sub',
      filter: 'lab/alias/#',
      qos: 0,
      topicAliasMaximum: 2,
    });
    const publisher = await connectClient(broker.url, admin);
    const order = ['a', 'a', 'b', 'c', 'a', 'c', 'c'];
    for (const [i, leaf] of order.entries())
      await publisher.publishAsync(`lab/alias/${leaf}`, `${i}`, { qos: 1 });
    await eventually('all publishes', () =>
      sub.packets.filter((p) => p.cmd === 'publish').length >= order.length ? true : undefined,
    );
    const aliases = new Map<number, string>();
    const resolved: string[] = [];
    let aliasOnly = 0;
    for (const packet of sub.packets) {
      if (packet.cmd !== 'publish') continue;
      const alias = packet.properties?.topicAlias;
      expect(alias).toBeDefined();
      expect(alias).toBeGreaterThanOrEqual(1);
      expect(alias).toBeLessThanOrEqual(2);
      if (packet.topic === '') aliasOnly++;
      else aliases.set(alias!, packet.topic);
      resolved.push(aliases.get(alias!)!);
    }
    expect(resolved).toEqual(order.map((leaf) => `lab/alias/${leaf}`));
    // a, a(alias), b, c, a, c(alias), c(alias)
    expect(aliasOnly).toBe(3);
    sub.socket.destroy();
    await end(publisher);
  });

  test('a client that did not ask for aliases gets full topics and no alias', async () => {
    const sub = await rawSubscriber(broker.port, {
      clientId: 'no-alias-sub',
      filter: 'lab/alias2/#',
      qos: 0,
    });
    const publisher = await connectClient(broker.url, admin);
    for (let i = 0; i < 3; i++) await publisher.publishAsync('lab/alias2/x', `${i}`, { qos: 1 });
    await eventually('3 publishes', () =>
      sub.packets.filter((p) => p.cmd === 'publish').length >= 3 ? true : undefined,
    );
    for (const packet of sub.packets.filter((p) => p.cmd === 'publish')) {
      expect((packet as mqttPacket.IPublishPacket).topic).toBe('lab/alias2/x');
      expect((packet as mqttPacket.IPublishPacket).properties?.topicAlias).toBeUndefined();
    }
    sub.socket.destroy();
    await end(publisher);
  });

  test('MQTT.js with a Topic Alias Maximum receives every topic right', async () => {
    const sub = await connectClient(broker.url, { ...admin, properties: { topicAliasMaximum: 1 } });
    const box = collect(sub);
    await sub.subscribeAsync('lab/alias3/#', { qos: 1 });
    const publisher = await connectClient(broker.url, admin);
    const leaves = ['x', 'x', 'y', 'x', 'y', 'y'];
    for (const leaf of leaves) await publisher.publishAsync(`lab/alias3/${leaf}`, leaf, { qos: 1 });
    await eventually('6 messages', () => (box.messages.length >= 6 ? true : undefined));
    expect(box.messages.map((m) => m.topic)).toEqual(leaves.map((l) => `lab/alias3/${l}`));
    await end(sub);
    await end(publisher);
  });
});

describe('ill-formed UTF-8 [MQTT-1.5.4-1]', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a PUBLISH whose topic is ill-formed UTF-8 ends the connection with 0x81, and nothing is routed', async () => {
    const watcher = await connectClient(broker.url, admin);
    const box = collect(watcher);
    await watcher.subscribeAsync('#', { qos: 0 });
    const raw = await rawSubscriber(broker.port, { clientId: 'utf8-bad', filter: 'x/y', qos: 0 });
    const closed = new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
    // PUBLISH QoS 0 (v5): topic "a\xFF" (ill-formed), no properties, payload "x".
    raw.socket.write(Buffer.from([0x30, 0x06, 0x00, 0x02, 0x61, 0xff, 0x00, 0x78]));
    await closed;
    const disconnect = raw.packets.find((p) => p.cmd === 'disconnect') as
      mqttPacket.IDisconnectPacket | undefined;
    expect(disconnect?.reasonCode).toBe(0x81);
    await watcher.publishAsync('lab/after', 'ok', { qos: 1 });
    await eventually('broker still serving', () =>
      box.messages.find((m) => m.topic === 'lab/after'),
    );
    expect(box.messages.some((m) => m.topic.startsWith('a'))).toBe(false);
    await end(watcher);
  });
});
