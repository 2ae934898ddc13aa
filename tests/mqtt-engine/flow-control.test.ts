// In-flight windows both ways: our Receive Maximum towards v5 clients (0x93 when exceeded) and
// our own bound on unacknowledged QoS 1 messages towards any client, 3.1.1 included.
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { rawConnect } from './raw-client.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

function publishBytes(topic: string, id: number, version: 4 | 5): Buffer {
  return mqttPacket.generate(
    {
      cmd: 'publish',
      topic,
      payload: Buffer.from(`m${id}`),
      qos: 1,
      messageId: id,
      retain: false,
      dup: false,
    },
    { protocolVersion: version },
  );
}

describe('our Receive Maximum [MQTT-3.3.4-9]', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    // One PUBLISH per second: what the client sends piles up unacknowledged.
    broker = await startTestBroker(accounts, {
      limits: { receiveMaximum: 3, maxPublishRate: 1, publishBurst: 1 },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a v5 client with more QoS 1 PUBLISHes unacknowledged than CONNACK allowed is disconnected with 0x93', async () => {
    const client = await rawConnect(broker.port, { clientId: 'greedy' });
    expect(client.connack.properties?.receiveMaximum).toBe(3);
    const closed = new Promise<void>((resolve) => client.socket.once('close', () => resolve()));
    client.socket.write(
      Buffer.concat(Array.from({ length: 6 }, (_, i) => publishBytes('lab/rm', i + 1, 5))),
    );
    await closed;
    const disconnect = client.packets.find((p) => p.cmd === 'disconnect') as
      mqttPacket.IDisconnectPacket | undefined;
    expect(disconnect?.reasonCode).toBe(0x93);
  });

  test('a v5 client that waits for its acknowledgements is served, slowly', async () => {
    const client = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    for (let i = 0; i < 3; i++) await client.publishAsync('lab/rm', `ok${i}`, { qos: 1 });
    expect(client.connected).toBe(true);
    await end(client);
  });
});

describe('our in-flight bound towards clients', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: { maxInflightMessages: 5, maxPublishRate: 0 },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a 3.1.1 subscriber that does not acknowledge gets at most 5 QoS 1 messages; each PUBACK lets one more through', async () => {
    const socket = await new Promise<Socket>((resolve) => {
      const s = tcpConnect(broker.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
    });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: mqttPacket.Packet[] = [];
    parser.on('packet', (p) => packets.push(p));
    socket.on('data', (chunk) => parser.parse(chunk));
    const send = (packet: mqttPacket.Packet) =>
      socket.write(mqttPacket.generate(packet, { protocolVersion: 4 }));
    send({
      cmd: 'connect',
      protocolVersion: 4,
      clientId: 'v3-slow',
      clean: true,
      keepalive: 60,
      username: 'adm',
      password: Buffer.from('pwa'),
    });
    await eventually('CONNACK', () => packets.find((p) => p.cmd === 'connack'));
    send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'lab/window', qos: 1 }] });
    await eventually('SUBACK', () => packets.find((p) => p.cmd === 'suback'));

    const publisher = await connectClient(broker.url, {
      protocolVersion: 4,
      username: 'adm',
      password: 'pwa',
    });
    for (let i = 0; i < 20; i++) await publisher.publishAsync('lab/window', `w${i}`, { qos: 1 });
    const publishes = () =>
      packets.filter((p): p is mqttPacket.IPublishPacket => p.cmd === 'publish');
    await eventually('5 in flight', () => (publishes().length >= 5 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(publishes()).toHaveLength(5);
    send({ cmd: 'puback', messageId: publishes()[0]!.messageId! });
    await eventually('one more', () => (publishes().length >= 6 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(publishes()).toHaveLength(6);
    expect(publishes().map((p) => String(p.payload))).toEqual(
      Array.from({ length: 6 }, (_, i) => `w${i}`),
    );
    expect(broker.engine.sessions.get('v3-slow')!.queued).toBe(14);
    socket.destroy();
    await end(publisher);
  });
});
