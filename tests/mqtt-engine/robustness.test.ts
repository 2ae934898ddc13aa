// Bad input and idle sockets: each gets the right close or reason code, and the engine keeps
// serving everyone else.
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
  });
}

function closed(socket: Socket): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started)));
}

/** Reads packets the broker sends on a raw socket. */
function packetsOf(socket: Socket, protocolVersion: 4 | 5) {
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  socket.on('data', (chunk) => parser.parse(chunk));
  return packets;
}

function connectBytes(version: 4 | 5, keepalive = 30): Buffer {
  return mqttPacket.generate(
    {
      cmd: 'connect',
      protocolVersion: version,
      clientId: `raw-${Math.random()}`,
      clean: true,
      keepalive,
      username: 'adm',
      password: Buffer.from('pwa'),
    },
    { protocolVersion: version },
  );
}

describe('engine robustness', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: { connectTimeoutMs: 300, maxPacketSize: 1024 },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a connection that never sends CONNECT is closed after the CONNECT timeout (OBUSPA probe)', async () => {
    const socket = await rawSocket(broker.port);
    const elapsed = await closed(socket);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
  });

  test('a packet larger than the maximum packet size ends the connection with DISCONNECT 0x95 [MQTT-3.2.2-15]', async () => {
    const socket = await rawSocket(broker.port);
    const packets = packetsOf(socket, 5);
    socket.write(connectBytes(5));
    await eventually('connack', () => packets.find((p) => p.cmd === 'connack'));
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: 'big',
          payload: Buffer.alloc(4096),
          qos: 0,
          retain: false,
          dup: false,
        },
        { protocolVersion: 5 },
      ),
    );
    await closed(socket);
    const disconnect = packets.find((p) => p.cmd === 'disconnect') as
      mqttPacket.IDisconnectPacket | undefined;
    expect(disconnect?.reasonCode).toBe(0x95);
  });

  test('a malformed packet closes that connection and others keep working [MQTT-4.13.1-1]', async () => {
    const watcher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/robust', { qos: 1 });
    const socket = await rawSocket(broker.port);
    const packets = packetsOf(socket, 4);
    socket.write(connectBytes(4));
    await eventually('connack', () => packets.find((p) => p.cmd === 'connack'));
    // SUBSCRIBE with reserved flags 0000 instead of 0010 is malformed [MQTT-3.8.1-1].
    socket.write(Buffer.from([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]));
    await closed(socket);
    const publisher = await connectClient(broker.url, {
      protocolVersion: 4,
      username: 'adm',
      password: 'pwa',
    });
    await publisher.publishAsync('lab/robust', 'still here', { qos: 1 });
    expect((await eventually('delivery', () => box.messages[0])).payload).toBe('still here');
    await end(publisher);
    await end(watcher);
  });

  test('a truncated packet followed by a hang-up does not disturb the engine', async () => {
    const socket = await rawSocket(broker.port);
    socket.write(connectBytes(5).subarray(0, 8));
    socket.destroy();
    const client = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    expect(client.connected).toBe(true);
    await end(client);
  });

  test('a client that stops talking is dropped after 1.5 × keep alive and its will is published [MQTT-3.1.2-22]', async () => {
    const watcher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/will', { qos: 1 });
    const socket = await rawSocket(broker.port);
    const packets = packetsOf(socket, 5);
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'connect',
          protocolVersion: 5,
          clientId: 'silent',
          clean: true,
          keepalive: 1,
          username: 'adm',
          password: Buffer.from('pwa'),
          will: { topic: 'lab/will', payload: Buffer.from('silent gone'), qos: 1, retain: false },
        },
        { protocolVersion: 5 },
      ),
    );
    await eventually('connack', () => packets.find((p) => p.cmd === 'connack'));
    const elapsed = await closed(socket);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect((await eventually('will', () => box.messages[0])).payload).toBe('silent gone');
    const disconnect = packets.find((p) => p.cmd === 'disconnect') as
      mqttPacket.IDisconnectPacket | undefined;
    expect(disconnect?.reasonCode).toBe(0x8d);
    await end(watcher);
  });

  test('a topic alias beyond the maximum is refused with DISCONNECT 0x94 [MQTT-3.3.2-9]', async () => {
    const socket = await rawSocket(broker.port);
    const packets = packetsOf(socket, 5);
    socket.write(connectBytes(5));
    await eventually('connack', () => packets.find((p) => p.cmd === 'connack'));
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: 'lab/a',
          payload: Buffer.from('x'),
          qos: 0,
          retain: false,
          dup: false,
          properties: { topicAlias: 999 },
        },
        { protocolVersion: 5 },
      ),
    );
    await closed(socket);
    expect(
      (packets.find((p) => p.cmd === 'disconnect') as mqttPacket.IDisconnectPacket | undefined)
        ?.reasonCode,
    ).toBe(0x94);
  });

  test('topic aliases set by the client resolve later publishes [MQTT-3.3.2-12]', async () => {
    const watcher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/alias', { qos: 0 });
    const socket = await rawSocket(broker.port);
    const packets = packetsOf(socket, 5);
    socket.write(connectBytes(5));
    await eventually('connack', () => packets.find((p) => p.cmd === 'connack'));
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: 'lab/alias',
          payload: Buffer.from('one'),
          qos: 0,
          retain: false,
          dup: false,
          properties: { topicAlias: 3 },
        },
        { protocolVersion: 5 },
      ),
    );
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: '',
          payload: Buffer.from('two'),
          qos: 0,
          retain: false,
          dup: false,
          properties: { topicAlias: 3 },
        },
        { protocolVersion: 5 },
      ),
    );
    await eventually('two messages', () => (box.messages.length >= 2 ? true : undefined));
    expect(box.messages.map((m) => [m.topic, m.payload])).toEqual([
      ['lab/alias', 'one'],
      ['lab/alias', 'two'],
    ]);
    socket.destroy();
    await end(watcher);
  });

  test('a payload marked UTF-8 that is not is refused with PUBACK 0x99 [MQTT-3.3.2-4]', async () => {
    const client = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const error = await client
      .publishAsync('lab/utf8', Buffer.from([0xff, 0xfe]), {
        qos: 1,
        properties: { payloadFormatIndicator: true },
      })
      .catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(0x99);
    await end(client);
  });
});
