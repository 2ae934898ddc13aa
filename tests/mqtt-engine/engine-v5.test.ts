// The engine with real MQTT.js v5 and v3.1.1 clients on real sockets. Each test names the spec
// rules it checks.
import { connect as tcpConnect } from 'node:net';
import type { MqttClient } from 'mqtt';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const p = 'oktopus/usp/v1';
const accounts = {
  dev1: { password: 'pw1', role: 'device', endpointId: 'os::DEV-1' },
  dev2: { password: 'pw2', role: 'device', endpointId: 'os::DEV-2' },
  ctrl: { password: 'pwc', role: 'controller', endpointId: 'ctrl' },
  adm: { password: 'pwa', role: 'admin' },
};

describe('MQTT engine', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];
  const v5 = async (
    username: keyof typeof accounts,
    extra: Parameters<typeof connectClient>[1] = {},
  ) => {
    const client = await connectClient(broker.url, {
      protocolVersion: 5,
      username,
      password: accounts[username].password,
      clientId: `${username}-${Math.random().toString(16).slice(2)}`,
      ...extra,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
    broker.setDeciderFailure(false);
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a USP agent with an empty client id gets one assigned and learns its topic [MQTT-3.1.3-6, MQTT-3.2.2-19]', async () => {
    const client = await v5('dev1', {
      clientId: '',
      properties: {
        requestResponseInformation: true,
        userProperties: { 'usp-endpoint-id': 'os::DEV-1' },
      },
    });
    const connack = await new Promise<Record<string, unknown>>((resolve) => {
      const props = (client as unknown as { options: { properties?: Record<string, unknown> } })
        .options;
      resolve(props as Record<string, unknown>);
    });
    expect(connack).toBeDefined();
    // MQTT.js keeps the CONNACK it got on the client.
    const received = (
      client as unknown as { connackPacket?: { properties?: Record<string, unknown> } }
    ).connackPacket;
    expect(received?.properties?.['assignedClientIdentifier']).toMatch(/^octomesh-/);
    expect(received?.properties?.['responseInformation']).toBe(`${p}/agent/os::DEV-1`);
    expect(received?.properties?.['userProperties']).toEqual({
      'subscribe-topic': `${p}/agent/os::DEV-1`,
    });
    expect(received?.properties?.['receiveMaximum']).toBeGreaterThan(0);
  });

  test('a wrong password is refused with CONNACK 0x86', async () => {
    await expect(
      connectClient(broker.url, { protocolVersion: 5, username: 'dev1', password: 'nope' }),
    ).rejects.toMatchObject({ code: 0x86 });
  });

  test('a 3.1.1 client with a wrong password gets return code 4', async () => {
    await expect(
      connectClient(broker.url, { protocolVersion: 4, username: 'dev1', password: 'nope' }),
    ).rejects.toMatchObject({ code: 4 });
  });

  test('when auth cannot answer, CONNECT fails closed with 0x88', async () => {
    broker.setDeciderFailure(true);
    await expect(
      connectClient(broker.url, { protocolVersion: 5, username: 'dev1', password: 'pw1' }),
    ).rejects.toMatchObject({ code: 0x88 });
  });

  test('a controller request reaches the agent and the answer comes back with Response Topic, Correlation Data and user properties unchanged', async () => {
    const agent = await v5('dev1');
    const controller = await v5('ctrl');
    const agentBox = collect(agent);
    const controllerBox = collect(controller);
    await agent.subscribeAsync(`${p}/agent/os::DEV-1`, { qos: 1 });
    await controller.subscribeAsync(`${p}/controller/#`, { qos: 1 });
    await controller.publishAsync(`${p}/agent/os::DEV-1`, 'get', {
      qos: 1,
      properties: {
        responseTopic: `${p}/controller/os::DEV-1`,
        correlationData: Buffer.from('c-1'),
        contentType: 'usp.msg',
        userProperties: { a: '1', b: ['2', '3'] },
      },
    });
    const request = await eventually('request', () => agentBox.messages[0]);
    expect(request.payload).toBe('get');
    expect(request.packet.properties?.responseTopic).toBe(`${p}/controller/os::DEV-1`);
    expect(request.packet.properties?.correlationData?.toString()).toBe('c-1');
    expect(request.packet.properties?.contentType).toBe('usp.msg');
    expect(request.packet.properties?.userProperties).toEqual({ a: '1', b: ['2', '3'] });
    await agent.publishAsync(request.packet.properties!.responseTopic!, 'resp', {
      qos: 1,
      properties: { correlationData: request.packet.properties!.correlationData! },
    });
    const answer = await eventually('answer', () => controllerBox.messages[0]);
    expect(answer.payload).toBe('resp');
    expect(answer.packet.properties?.correlationData?.toString()).toBe('c-1');
  });

  test("a device cannot subscribe to another device's topic or a wildcard over them: SUBACK 0x87", async () => {
    const device = await v5('dev1');
    const error = await device
      .subscribeAsync([`${p}/agent/os::DEV-2`, `${p}/agent/+`, `${p}/agent/os::DEV-1`], { qos: 1 })
      .catch((e: unknown) => e);
    expect((error as { packet: { granted: number[] } }).packet.granted).toEqual([0x87, 0x87, 1]);
  });

  test('a 3.1.1 device denied a subscription gets SUBACK 0x80', async () => {
    const device = await connectClient(broker.url, {
      protocolVersion: 4,
      username: 'dev1',
      password: 'pw1',
      clientId: 'dev1-v3',
    });
    clients.push(device);
    const error = await device.subscribeAsync(`${p}/agent/#`, { qos: 1 }).catch((e: unknown) => e);
    expect((error as { packet: { granted: number[] } }).packet.granted).toEqual([0x80]);
  });

  test("a device publishing into another device's topic gets PUBACK 0x87 and nothing is delivered", async () => {
    const device = await v5('dev1');
    const other = await v5('dev2');
    const box = collect(other);
    await other.subscribeAsync(`${p}/agent/os::DEV-2`, { qos: 1 });
    const error = await device
      .publishAsync(`${p}/agent/os::DEV-2`, 'x', { qos: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 0x87 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(box.messages).toHaveLength(0);
  });

  test('QoS 2 flows both ways and delivers exactly once [MQTT-4.3.3]', async () => {
    const agent = await v5('dev1');
    const controller = await v5('ctrl');
    const box = collect(agent);
    await agent.subscribeAsync(`${p}/agent/os::DEV-1`, { qos: 2 });
    for (let i = 0; i < 20; i++)
      await controller.publishAsync(`${p}/agent/os::DEV-1`, `m${i}`, { qos: 2 });
    await eventually('20 messages', () => (box.messages.length >= 20 ? true : undefined));
    expect(box.messages.map((m) => m.payload)).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i}`),
    );
    expect(box.messages.every((m) => m.packet.qos === 2)).toBe(true);
  });

  test('a retained message reaches later subscribers with the retain flag, and an empty payload deletes it [MQTT-3.3.1-6, -8]', async () => {
    const controller = await v5('ctrl');
    await controller.publishAsync(`${p}/agent/os::DEV-2`, 'kept', { qos: 1, retain: true });
    const agent = await v5('dev2');
    const box = collect(agent);
    await agent.subscribeAsync(`${p}/agent/os::DEV-2`, { qos: 1 });
    const first = await eventually('retained', () => box.messages[0]);
    expect(first.payload).toBe('kept');
    expect(first.packet.retain).toBe(true);
    await controller.publishAsync(`${p}/agent/os::DEV-2`, '', { qos: 1, retain: true });
    const late = await v5('dev2');
    const lateBox = collect(late);
    await late.subscribeAsync(`${p}/agent/os::DEV-2`, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lateBox.messages).toHaveLength(0);
  });

  test('the will is published when the socket breaks, not after a normal DISCONNECT [MQTT-3.1.2-8, MQTT-3.14.4-3]', async () => {
    const controller = await v5('ctrl');
    const box = collect(controller);
    await controller.subscribeAsync(`${p}/controller/#`, { qos: 1 });
    const polite = await v5('dev1', {
      will: {
        topic: `${p}/controller/os::DEV-1`,
        payload: Buffer.from('polite'),
        qos: 1,
        retain: false,
      },
    });
    await end(polite);
    const rude = await v5('dev1', {
      will: {
        topic: `${p}/controller/os::DEV-1`,
        payload: Buffer.from('gone'),
        qos: 1,
        retain: false,
      },
    });
    (rude as unknown as { stream: { destroy(): void } }).stream.destroy();
    const will = await eventually('will', () => box.messages.find((m) => m.payload === 'gone'));
    expect(will.topic).toBe(`${p}/controller/os::DEV-1`);
    expect(box.messages.some((m) => m.payload === 'polite')).toBe(false);
  });

  test('a second connection with the same client id and identity takes the session over with 0x8E [MQTT-3.1.4-3]', async () => {
    const first = await v5('dev1', { clientId: 'dup-id' });
    const disconnected = new Promise<number | undefined>((resolve) =>
      first.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    await v5('dev1', { clientId: 'dup-id' });
    expect(await disconnected).toBe(0x8e);
  });

  test('a client id held by another identity cannot be taken: the newcomer is refused with 0x87', async () => {
    const holder = await v5('dev1', { clientId: 'held-id' });
    await expect(
      connectClient(broker.url, {
        protocolVersion: 5,
        username: 'dev2',
        password: 'pw2',
        clientId: 'held-id',
      }),
    ).rejects.toMatchObject({ code: 0x87 });
    expect(holder.connected).toBe(true);
  });

  test('a packet before CONNECT closes the connection [MQTT-3.1.0-1]', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(broker.port, '127.0.0.1', () =>
        socket.write(Buffer.from([0xc0, 0x00])),
      );
      socket.on('close', () => resolve(true));
      socket.on('data', () => resolve(false));
    });
    expect(closed).toBe(true);
  });

  test('a second CONNECT is a protocol error: DISCONNECT 0x82 [MQTT-3.1.0-2]', async () => {
    const client = await v5('dev1');
    const reason = new Promise<number | undefined>((resolve) =>
      client.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const stream = (client as unknown as { stream: { write(b: Buffer): void } }).stream;
    // A minimal v5 CONNECT: "MQTT", level 5, flags 2, keepalive 0, no properties, client id "x".
    stream.write(
      Buffer.from([
        0x10, 0x0e, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x78,
      ]),
    );
    expect(await reason).toBe(0x82);
  });

  test('a steady stream of PUBLISHes is authorized once and then served from the session cache', async () => {
    const controller = await v5('ctrl');
    const before = broker.calls.authorize;
    for (let i = 0; i < 50; i++)
      await controller.publishAsync(`${p}/agent/os::DEV-9`, 'x', { qos: 1 });
    expect(broker.calls.authorize - before).toBe(1);
  });

  test('shared subscriptions give each message to exactly one member, round robin [MQTT-4.8.2]', async () => {
    const a = await v5('ctrl');
    const b = await v5('ctrl');
    const boxA = collect(a);
    const boxB = collect(b);
    await a.subscribeAsync(`$share/routers/${p}/controller/+`, { qos: 1 });
    await b.subscribeAsync(`$share/routers/${p}/controller/+`, { qos: 1 });
    const device = await v5('dev1');
    for (let i = 0; i < 10; i++)
      await device.publishAsync(`${p}/controller/os::DEV-1`, `s${i}`, { qos: 1 });
    await eventually('10 shared messages', () =>
      boxA.messages.length + boxB.messages.length >= 10 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(boxA.messages.length + boxB.messages.length).toBe(10);
    expect(boxA.messages.length).toBe(5);
  });

  test('overlapping subscriptions deliver once at the highest QoS with every subscription identifier [MQTT-3.3.4-2, -3]', async () => {
    const controller = await v5('ctrl');
    const box = collect(controller);
    await controller.subscribeAsync(`${p}/controller/#`, {
      qos: 0,
      properties: { subscriptionIdentifier: 7 },
    });
    await controller.subscribeAsync(`${p}/controller/+`, {
      qos: 1,
      properties: { subscriptionIdentifier: 9 },
    });
    const device = await v5('dev1');
    await device.publishAsync(`${p}/controller/os::DEV-1`, 'once', { qos: 1 });
    const message = await eventually('message', () => box.messages[0]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(box.messages).toHaveLength(1);
    expect(message.packet.qos).toBe(1);
    const ids = message.packet.properties?.subscriptionIdentifier;
    expect((Array.isArray(ids) ? ids : [ids]).sort()).toEqual([7, 9]);
  });

  test('no-local keeps a client from receiving its own messages [MQTT-3.8.3-3]', async () => {
    const publisher = await v5('adm');
    const watcher = await v5('adm');
    const own = collect(publisher);
    const seen = collect(watcher);
    await publisher.subscribeAsync('lab/nl', { qos: 1, nl: true });
    await watcher.subscribeAsync('lab/nl', { qos: 1 });
    await publisher.publishAsync('lab/nl', 'mine', { qos: 1 });
    await eventually('watcher copy', () => seen.messages[0]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(own.messages).toHaveLength(0);
  });
});
