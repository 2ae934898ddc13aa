// What the broker tells a v5 client about problems, and how much it sends: reason strings only
// when the client asked for problem information, and never a packet larger than the client's
// Maximum Packet Size.
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { closedWith, rawConnect, rawSubscriber, send } from './raw-client.ts';

const p = 'oktopus/usp/v1';
const accounts = {
  adm: { password: 'pwa', role: 'admin' },
  dev1: { password: 'pw1', role: 'device', endpointId: 'os::DEV-1' },
};

describe('Request Problem Information [MQTT-3.1.2-28, MQTT-3.1.2-29]', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  async function deniedPuback(requestProblemInformation: boolean | undefined) {
    const device = await rawConnect(broker.port, {
      clientId: `dev1-${String(requestProblemInformation)}`,
      username: 'dev1',
      password: 'pw1',
      ...(requestProblemInformation !== undefined ? { requestProblemInformation } : {}),
    });
    expect(device.connack.reasonCode).toBe(0);
    // Another device's topic: the default policy denies it.
    send(device.socket, {
      cmd: 'publish',
      topic: `${p}/agent/os::DEV-2`,
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 7,
      retain: false,
      dup: false,
    });
    const puback = await eventually(
      'PUBACK',
      () =>
        device.packets.find((pk) => pk.cmd === 'puback') as mqttPacket.IPubackPacket | undefined,
    );
    device.socket.destroy();
    return puback;
  }

  test('by default a refused PUBLISH gets PUBACK 0x87 with a reason string', async () => {
    const puback = await deniedPuback(undefined);
    expect(puback.reasonCode).toBe(0x87);
    expect(puback.properties?.reasonString).toBe('not authorized');
  });

  test('a client that set Request Problem Information to 0 gets PUBACK 0x87 without a reason string', async () => {
    const puback = await deniedPuback(false);
    expect(puback.reasonCode).toBe(0x87);
    expect(puback.properties?.reasonString).toBeUndefined();
    expect(puback.properties?.userProperties).toBeUndefined();
  });

  test('a refused CONNACK carries a reason string only when problem information is wanted', async () => {
    const wanted = await rawConnect(broker.port, {
      clientId: 'bad-pw-1',
      username: 'adm',
      password: 'wrong',
    });
    expect(wanted.connack.reasonCode).toBe(0x86);
    expect(wanted.connack.properties?.reasonString).toBeDefined();
    wanted.socket.destroy();
    const unwanted = await rawConnect(broker.port, {
      clientId: 'bad-pw-2',
      username: 'adm',
      password: 'wrong',
      requestProblemInformation: false,
    });
    expect(unwanted.connack.reasonCode).toBe(0x86);
    expect(unwanted.connack.properties?.reasonString).toBeUndefined();
    unwanted.socket.destroy();
  });
});

describe("the client's Maximum Packet Size [MQTT-3.1.2-24, MQTT-3.1.2-25]", () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a message larger than the client accepts is not sent to it (counted); smaller ones are, and others get the large one', async () => {
    const small = await rawSubscriber(broker.port, {
      clientId: 'small-max',
      filter: 'lab/size',
      qos: 1,
      maximumPacketSize: 200,
    });
    const big = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const bigBox = collect(big);
    await big.subscribeAsync('lab/size', { qos: 1 });
    const publisher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    await publisher.publishAsync('lab/size', Buffer.alloc(500, 0x62), { qos: 1 });
    await publisher.publishAsync('lab/size', 'small', { qos: 1 });
    await eventually('both at the big client', () =>
      bigBox.messages.length >= 2 ? true : undefined,
    );
    await eventually('the small message', () =>
      small.packets.find(
        (pk) =>
          pk.cmd === 'publish' && String((pk as mqttPacket.IPublishPacket).payload) === 'small',
      ),
    );
    const publishes = small.packets.filter(
      (pk): pk is mqttPacket.IPublishPacket => pk.cmd === 'publish',
    );
    expect(publishes).toHaveLength(1);
    for (const packet of small.packets) expect(packet.length ?? 0).toBeLessThanOrEqual(200);
    expect(broker.engine.sessions.get('small-max')!.counters.droppedOversize).toBe(1);
    small.socket.destroy();
    await end(publisher);
    await end(big);
  });
});

describe('a client Maximum Packet Size smaller than what we would send [MQTT-3.1.2-24]', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  /** Bytes on the wire of a parsed packet (short packets: one byte of Remaining Length). */
  const wireSize = (packet: mqttPacket.Packet): number => 2 + (packet.length ?? 0);

  test('CONNACK drops its User Properties and Response Information to fit [MQTT-3.2.2-19, MQTT-3.2.2-20] and the client is served', async () => {
    const device = await rawConnect(broker.port, {
      clientId: 'dev1-mps',
      username: 'dev1',
      password: 'pw1',
      maximumPacketSize: 40,
    });
    expect(device.connack.reasonCode).toBe(0);
    expect(wireSize(device.connack)).toBeLessThanOrEqual(40);
    expect(device.connack.properties?.userProperties).toBeUndefined();
    expect(device.connack.properties?.receiveMaximum).toBeDefined();
    send(device.socket, { cmd: 'pingreq' });
    await eventually('PINGRESP', () => device.packets.find((pk) => pk.cmd === 'pingresp'));
    device.socket.destroy();
  });

  test('then the properties whose absence means the same or the safer thing (availability flags, Topic Alias Maximum)', async () => {
    const client = await rawConnect(broker.port, { clientId: 'adm-mps-16', maximumPacketSize: 16 });
    expect(client.connack.reasonCode).toBe(0);
    expect(wireSize(client.connack)).toBeLessThanOrEqual(16);
    expect(client.connack.properties?.retainAvailable).toBeUndefined();
    expect(client.connack.properties?.topicAliasMaximum).toBeUndefined();
    expect(client.connack.properties?.maximumPacketSize).toBeDefined();
    client.socket.destroy();
  });

  test('a CONNACK that cannot fit at all closes the connection without it, and without the will', async () => {
    const watcher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/mps/will', { qos: 1 });
    const socket = await new Promise<Socket>((resolve) => {
      const s = tcpConnect(broker.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
    });
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'connect',
          protocolVersion: 5,
          clientId: 'adm-mps-8',
          clean: true,
          keepalive: 60,
          username: 'adm',
          password: Buffer.from('pwa'),
          properties: { maximumPacketSize: 8 },
          will: { topic: 'lab/mps/will', payload: Buffer.from('gone'), qos: 1, retain: false },
        },
        { protocolVersion: 5 },
      ),
    );
    await closed;
    expect(Buffer.concat(received).length).toBe(0);
    // A marker published after the close arrives alone: no will was sent.
    await watcher.publishAsync('lab/mps/will', 'marker', { qos: 1 });
    await eventually('marker', () => box.messages.find((m) => m.payload === 'marker'));
    expect(box.messages.map((m) => m.payload)).toEqual(['marker']);
    await end(watcher);
  });

  test('acknowledgements and DISCONNECT drop their Reason String to fit [MQTT-3.4.2-2, MQTT-3.14.2-3]', async () => {
    const device = await rawConnect(broker.port, {
      clientId: 'dev1-mps-ack',
      username: 'dev1',
      password: 'pw1',
      maximumPacketSize: 40,
    });
    // Denied: PUBACK 0x87 would carry "not authorized".
    send(device.socket, {
      cmd: 'publish',
      topic: `${p}/agent/os::DEV-2`,
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 5,
      retain: false,
      dup: false,
    });
    const puback = (await eventually('PUBACK', () =>
      device.packets.find((pk) => pk.cmd === 'puback'),
    )) as mqttPacket.IPubackPacket;
    expect(puback.reasonCode).toBe(0x87);
    // SUBSCRIBE with packet id 0: DISCONNECT 0x82 whose reason string alone exceeds 40 bytes.
    device.socket.write(Buffer.from([0x82, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 0x61, 0x00]));
    const goodbye = await closedWith(device);
    expect(goodbye?.reasonCode).toBe(0x82);
    expect(goodbye?.properties?.reasonString).toBeUndefined();
    for (const packet of device.packets) expect(wireSize(packet)).toBeLessThanOrEqual(40);
  });
});
