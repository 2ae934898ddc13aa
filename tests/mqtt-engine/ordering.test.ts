// Every packet of a connection is handled in the order it arrived, to completion: a DISCONNECT
// or a closed socket never overtakes the PUBLISHes received before it [MQTT-4.6.0]. Raw sockets
// write PUBLISH×N + DISCONNECT (and FIN) in one write, as `mosquitto_pub -l` does, for 3.1.1
// and 5 at QoS 0/1/2, also while PUBLISHes wait for an authorization, a rate-limit token or a
// backed-up subscriber.
import { execFile } from 'node:child_process';
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };
const admin = { protocolVersion: 5 as const, username: 'adm', password: 'pwa' };
const rnd = (): string => Math.random().toString(16).slice(2, 10);
const v5 = { protocolVersion: 5 } as const;

type Version = 4 | 5;
type QoS = 0 | 1 | 2;

/** A raw client after its CONNACK. */
async function rawClient(
  port: number,
  version: Version,
  onPacket?: (packet: mqttPacket.Packet, socket: Socket) => void,
): Promise<Socket> {
  const socket = await new Promise<Socket>((resolve) => {
    const s = tcpConnect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  });
  const parser = mqttPacket.parser({ protocolVersion: version });
  let connack: mqttPacket.IConnackPacket | undefined;
  parser.on('packet', (p) => {
    if (p.cmd === 'connack') connack = p;
    else onPacket?.(p, socket);
  });
  socket.on('data', (chunk) => parser.parse(chunk));
  socket.write(
    mqttPacket.generate(
      {
        cmd: 'connect',
        protocolVersion: version,
        clientId: `burst-${rnd()}`,
        clean: true,
        keepalive: 60,
        username: 'adm',
        password: Buffer.from('pwa'),
      },
      { protocolVersion: version },
    ),
  );
  const answer = await eventually('CONNACK', () => connack);
  expect(answer.returnCode ?? answer.reasonCode ?? 0).toBe(0);
  return socket;
}

/** PUBLISH×count (payloads `<prefix>0..`), then DISCONNECT unless `withDisconnect` is false. */
function burst(
  version: Version,
  qos: QoS,
  topic: string,
  count: number,
  options: { withDisconnect?: boolean; payloadBytes?: number } = {},
): Buffer {
  const packets: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const body = Buffer.from(String(i));
    const payload =
      options.payloadBytes === undefined
        ? body
        : Buffer.concat([body, Buffer.from(':'), Buffer.alloc(options.payloadBytes, 0x61)]);
    packets.push(
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic,
          payload,
          qos,
          retain: false,
          dup: false,
          ...(qos > 0 ? { messageId: i + 1 } : {}),
        },
        { protocolVersion: version },
      ),
    );
  }
  if (options.withDisconnect !== false)
    packets.push(mqttPacket.generate({ cmd: 'disconnect' }, { protocolVersion: version }));
  return Buffer.concat(packets);
}

/** A v5 subscriber at QoS 2 on `topic`, collecting what it receives. */
async function subscriber(url: string, topic: string) {
  const client = await connectClient(url, admin);
  const box = collect(client);
  await client.subscribeAsync(topic, { qos: 2 });
  return { client, box };
}

/** Waits until `count` messages arrived, then checks they are 0..count-1 in order. */
async function expectAllInOrder(box: ReturnType<typeof collect>, count: number): Promise<void> {
  await eventually(
    `${count} messages`,
    () => (box.messages.length >= count ? true : undefined),
    15_000,
  );
  const received = box.messages.map((m) => Number(m.payload.split(':')[0]));
  expect(received).toEqual(Array.from({ length: count }, (_, i) => i));
}

const cases: [Version, QoS][] = [
  [4, 0],
  [4, 1],
  [4, 2],
  [5, 0],
  [5, 1],
  [5, 2],
];

describe('PUBLISHes before DISCONNECT or a closed socket are never lost [MQTT-4.6.0]', () => {
  let broker: TestBroker;
  let slowAcl: TestBroker;
  let rateLimited: TestBroker;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const limits = { receiveMaximum: 1000, maxPublishRate: 0 };
    broker = await startTestBroker(accounts, { limits });
    // Every authorization takes 100 ms: the burst and the socket's end arrive while the first
    // PUBLISH is still waiting for its verdict.
    slowAcl = await startTestBroker(accounts, { limits, authorizeDelayMs: 100 });
    // 40 PUBLISHes per second with no burst: the last of ten waits about 200 ms for a token.
    rateLimited = await startTestBroker(accounts, {
      limits: { receiveMaximum: 1000, maxPublishRate: 40, publishBurst: 1 },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
  });
  afterAll(async () => {
    await Promise.all([broker.stop(), slowAcl.stop(), rateLimited.stop()]);
  });

  test.each(cases)(
    'MQTT %i, QoS %i: ten PUBLISHes, DISCONNECT and FIN in one write are all delivered, in order',
    async (version, qos) => {
      const topic = `burst/${rnd()}`;
      const sub = await subscriber(broker.url, topic);
      clients.push(sub.client);
      const socket = await rawClient(broker.port, version);
      socket.end(burst(version, qos, topic, 10));
      await expectAllInOrder(sub.box, 10);
    },
  );

  test.each(cases)(
    'MQTT %i, QoS %i: PUBLISHes waiting for the acl answer are delivered although DISCONNECT and FIN came meanwhile',
    async (version, qos) => {
      const topic = `burst/${rnd()}`;
      const sub = await subscriber(slowAcl.url, topic);
      clients.push(sub.client);
      const socket = await rawClient(slowAcl.port, version);
      socket.end(burst(version, qos, topic, 10));
      await expectAllInOrder(sub.box, 10);
    },
  );

  test.each(cases)(
    'MQTT %i, QoS %i: PUBLISHes waiting for a rate-limit token are delivered although DISCONNECT and FIN came meanwhile',
    async (version, qos) => {
      const topic = `burst/${rnd()}`;
      const sub = await subscriber(rateLimited.url, topic);
      clients.push(sub.client);
      const socket = await rawClient(rateLimited.port, version);
      socket.end(burst(version, qos, topic, 10));
      await expectAllInOrder(sub.box, 10);
    },
  );

  test.each(cases)(
    'MQTT %i, QoS %i: a socket closed right after its PUBLISHes (no DISCONNECT) loses none of them',
    async (version, qos) => {
      const topic = `burst/${rnd()}`;
      const sub = await subscriber(slowAcl.url, topic);
      clients.push(sub.client);
      const socket = await rawClient(slowAcl.port, version);
      socket.end(burst(version, qos, topic, 10, { withDisconnect: false }));
      await expectAllInOrder(sub.box, 10);
    },
  );

  test('a socket reset (RST) right after its PUBLISHes loses none of them', async () => {
    const topic = `burst/${rnd()}`;
    const sub = await subscriber(slowAcl.url, topic);
    clients.push(sub.client);
    const socket = await rawClient(slowAcl.port, 5);
    socket.write(burst(5, 1, topic, 10, { withDisconnect: false }), () => socket.resetAndDestroy());
    await expectAllInOrder(sub.box, 10);
  });

  test('`mosquitto_pub -l` delivers every line when it sends the last ones and DISCONNECT in one burst', async () => {
    for (const version of ['mqttv311', 'mqttv5'] as const) {
      const topic = `q0/lines/${rnd()}`;
      const sub = await subscriber(slowAcl.url, topic);
      clients.push(sub.client);
      const child = execFile('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', String(slowAcl.port), '-V', version],
        ...['-u', 'adm', '-P', 'pwa', '-t', topic, '-l'],
      ]);
      child.stdin!.end('0\n1\n2\n3\n4\n');
      await new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await expectAllInOrder(sub.box, 5);
    }
  });

  test('MQTT.js publishing three messages and ending at once delivers all three', async () => {
    const topic = `burst/${rnd()}`;
    const sub = await subscriber(slowAcl.url, topic);
    clients.push(sub.client);
    const publisher = await connectClient(slowAcl.url, admin);
    for (let i = 0; i < 3; i++) publisher.publish(topic, String(i), { qos: 0 });
    publisher.end();
    await expectAllInOrder(sub.box, 3);
  });
});

describe('PUBLISHes held back for a backed-up subscriber are not lost to a DISCONNECT', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: {
        receiveMaximum: 1000,
        maxPublishRate: 0,
        maxQueuedMessages: 40,
        writeBufferBytes: 64 * 1024,
        publisherWaitMs: 10_000,
      },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test.each([4, 5] as const)(
    'MQTT %i: 120 QoS 1 PUBLISHes of 32 KB + DISCONNECT to a subscriber that stops reading, then reads again: all arrive',
    async (version) => {
      const topic = `slow/${rnd()}`;
      // A raw v5 subscriber that acknowledges what it reads, and stops reading for a while.
      const received: number[] = [];
      const slow = await rawClient(broker.port, 5, (packet, s) => {
        if (packet.cmd !== 'publish') return;
        received.push(Number(packet.payload.toString().split(':')[0]));
        s.write(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId! }, v5));
      });
      slow.write(
        mqttPacket.generate(
          { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] },
          v5,
        ),
      );
      await eventually('subscribed', () => broker.engine.index.match(topic)[0]);
      slow.pause();
      const slowedBefore = broker.engine.counters.publishersSlowed;
      const socket = await rawClient(broker.port, version);
      socket.end(burst(version, 1, topic, 120, { payloadBytes: 32 * 1024 }));
      // The publisher is held back while the subscriber is not reading, then it reads again.
      await eventually(
        'publisher slowed',
        () => (broker.engine.counters.publishersSlowed > slowedBefore ? true : undefined),
        10_000,
      );
      slow.resume();
      await eventually('120 messages', () => (received.length >= 120 ? true : undefined), 20_000);
      expect(received).toEqual(Array.from({ length: 120 }, (_, i) => i));
      slow.destroy();
    },
  );
});
