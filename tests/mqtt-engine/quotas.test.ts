// One device credential cannot starve the fleet (issue 9 §3): with the default role quotas, a
// device trying each exhaustion (thousands of subscriptions, many sessions with long expiry,
// parallel connections, a publish flood) is stopped at its limit with the reason code that says
// so, while another device connects and works normally. Per source address: open connections
// (0x97) and the connect rate (0x9F). Retained messages per identity.
import type { AclRule } from '@octomesh/acl-rules';
import { DEFAULT_CLIENT_ID_POLICY, DEFAULT_ROLE_QUOTAS } from '@octomesh/mqtt-engine';
import type { MqttClient } from 'mqtt';
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { closedWith, rawConnectWith, send } from './raw-client.ts';

const accounts = {
  dev1: { password: 'pw1', role: 'device', endpointId: 'os::Q-1' },
  dev2: { password: 'pw2', role: 'device', endpointId: 'os::Q-2' },
  ctrl: { password: 'pwc', role: 'controller', endpointId: 'ctrl' },
};
// Devices may use lab/<username>/# here, so that only the quota limits them.
const labRules: AclRule[] = ['subscribe', 'publish'].map((action) => ({
  id: `lab-${action}`,
  subject: 'role:device',
  action: action as AclRule['action'],
  topic: 'lab/%u/#',
  effect: 'allow',
}));

describe('role quotas', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];
  const open = async (username: keyof typeof accounts, extra: Record<string, unknown> = {}) => {
    const client = await connectClient(broker.url, {
      protocolVersion: 5,
      username,
      password: accounts[username].password,
      clientId: username,
      ...extra,
    });
    clients.push(client);
    return client;
  };
  /** dev1 on a raw MQTT 5 socket (client id dev1 unless `extra` says otherwise). */
  const rawDev1 = (extra: Partial<mqttPacket.IConnectPacket> = {}) =>
    rawConnectWith(broker.port, {
      protocolVersion: 5,
      clientId: 'dev1',
      clean: true,
      keepalive: 60,
      username: 'dev1',
      password: Buffer.from('pw1'),
      ...extra,
    });
  /** dev2 still connects, subscribes and receives its own message. */
  const othersStillServed = async () => {
    const dev2 = await open('dev2');
    const box = collect(dev2);
    await dev2.subscribeAsync('lab/dev2/#', { qos: 1 });
    await dev2.publishAsync('lab/dev2/ok', 'fine', { qos: 1 });
    await eventually('dev2 served', () => box.messages.find((m) => m.payload === 'fine'));
    await end(dev2);
  };

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      extraRules: labRules,
      clientIdPolicy: DEFAULT_CLIENT_ID_POLICY,
      roleQuotas: DEFAULT_ROLE_QUOTAS,
      limits: { maxPublishRate: 1000, receiveMaximum: 1000 },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c).catch(() => undefined)));
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a device subscribing to thousands of filters gets its quota (64) granted and 0x97 for the rest', async () => {
    const dev1 = await rawDev1();
    const filters = Array.from({ length: 2000 }, (_, i) => `lab/dev1/f${i}`);
    send(dev1.socket, {
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: filters.map((topic) => ({ topic, qos: 0 as const })),
    });
    const suback = (await eventually('SUBACK', () =>
      dev1.packets.find((p) => p.cmd === 'suback'),
    )) as mqttPacket.ISubackPacket;
    const codes = suback.granted as number[];
    expect(codes.filter((c) => c === 0)).toHaveLength(64);
    expect(codes.filter((c) => c === 0x97)).toHaveLength(2000 - 64);
    expect(broker.engine.index.subscriptionsOf('dev1')).toHaveLength(64);
    // Re-subscribing to a held filter is not a new one.
    send(dev1.socket, {
      cmd: 'subscribe',
      messageId: 2,
      subscriptions: [{ topic: 'lab/dev1/f0', qos: 1 }],
    });
    const again = (await eventually('second SUBACK', () =>
      dev1.packets.find((p) => p.cmd === 'suback' && p.messageId === 2),
    )) as mqttPacket.ISubackPacket;
    expect(again.granted).toEqual([1]);
    dev1.socket.destroy();
    await othersStillServed();
  });

  test('a device asking for a 7-day session expiry gets one day, and many sessions collapse to one', async () => {
    const before = broker.engine.counters.quotaSessionsDiscarded;
    for (let i = 0; i < 5; i++) {
      const raw = await rawDev1({
        clientId: '',
        properties: { sessionExpiryInterval: 7 * 24 * 3600 },
      });
      expect(raw.connack.properties?.sessionExpiryInterval).toBe(86_400);
      raw.socket.destroy();
      await eventually('offline', () => (broker.engine.connections.size === 0 ? true : undefined));
    }
    const sessions = [...broker.engine.sessions.values()].filter(
      (s) => s.identity.username === 'dev1',
    );
    expect(sessions).toHaveLength(1);
    expect(broker.engine.counters.quotaSessionsDiscarded - before).toBeGreaterThanOrEqual(4);
    await othersStillServed();
  });

  test('a second connection of one device replaces the first (0x8E): the newest wins', async () => {
    const first = await open('dev1', { clientId: 'dev1' });
    const closed = new Promise<number | undefined>((resolve) =>
      first.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const second = await open('dev1', { clientId: 'os::Q-1' });
    expect(await closed).toBe(0x8e);
    expect(second.connected).toBe(true);
    await othersStillServed();
  });

  test('a retained flood from a device stops at its quota (16 messages, 64 KiB) with PUBACK 0x97; deleting one frees a slot', async () => {
    const dev1 = await rawDev1();
    const codes = new Map<number, number>();
    const publish = (id: number, topic: string, payload: Buffer) =>
      send(dev1.socket, {
        cmd: 'publish',
        topic,
        payload,
        qos: 1,
        messageId: id,
        retain: true,
        dup: false,
      });
    for (let i = 1; i <= 100; i++) publish(i, `lab/dev1/retained/${i}`, Buffer.from('x'));
    await eventually('100 PUBACKs', () => {
      const acks = dev1.packets.filter((p) => p.cmd === 'puback') as mqttPacket.IPubackPacket[];
      return acks.length >= 100 ? acks : undefined;
    }).then((acks) =>
      acks.forEach((a) => codes.set(a.reasonCode ?? 0, (codes.get(a.reasonCode ?? 0) ?? 0) + 1)),
    );
    expect(codes.get(0)).toBe(16);
    expect(codes.get(0x97)).toBe(84);
    // Too many bytes at once is refused too.
    publish(101, 'lab/dev1/retained/1', Buffer.alloc(70 * 1024));
    const big = (await eventually('PUBACK 101', () =>
      dev1.packets.find((p) => p.cmd === 'puback' && p.messageId === 101),
    )) as mqttPacket.IPubackPacket;
    expect(big.reasonCode).toBe(0x97);
    // Deleting a retained message (empty payload) frees a slot for a new topic.
    publish(102, 'lab/dev1/retained/2', Buffer.alloc(0));
    publish(103, 'lab/dev1/retained/new', Buffer.from('y'));
    const freed = (await eventually('PUBACK 103', () =>
      dev1.packets.find((p) => p.cmd === 'puback' && p.messageId === 103),
    )) as mqttPacket.IPubackPacket;
    expect(freed.reasonCode ?? 0).toBe(0);
    dev1.socket.destroy();
    await othersStillServed();
  });

  test('a device is held to its topic limits (256 bytes, 8 levels): deeper filters get 0x8F, deeper topics end the connection with 0x90', async () => {
    const deep = 'lab/dev1/a/b/c/d/e/f/g';
    const dev1 = await rawDev1();
    send(dev1.socket, {
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: deep, qos: 0 },
        { topic: 'lab/dev1/ok', qos: 0 },
      ],
    });
    const suback = (await eventually('SUBACK', () =>
      dev1.packets.find((p) => p.cmd === 'suback'),
    )) as mqttPacket.ISubackPacket;
    expect(suback.granted).toEqual([0x8f, 0]);
    send(dev1.socket, {
      cmd: 'publish',
      topic: deep,
      payload: Buffer.from('x'),
      qos: 0,
      retain: false,
      dup: false,
    });
    expect((await closedWith(dev1))?.reasonCode).toBe(0x90);
    // A controller may use the engine's own limits (16 levels).
    const ctrl = await open('ctrl', { clientId: 'ctrl' });
    await ctrl.subscribeAsync('oktopus/usp/v1/controller/a/b/c/d/e', { qos: 0 });
    await othersStillServed();
  });

  test('PUBLISHes pipelined right behind the CONNECT are held to the role’s rate, not the engine-wide one', async () => {
    const throttledBefore = broker.engine.counters.publishThrottled;
    const receivedBefore = broker.engine.counters.messagesReceived;
    const socket = await new Promise<Socket>((resolve) => {
      const s = tcpConnect(broker.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
    });
    const connect = mqttPacket.generate(
      {
        cmd: 'connect',
        protocolVersion: 5,
        clientId: 'dev1',
        clean: true,
        keepalive: 60,
        username: 'dev1',
        password: Buffer.from('pw1'),
      },
      { protocolVersion: 5 },
    );
    const publishes = Array.from({ length: 400 }, (_, i) =>
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: `lab/dev1/p${i}`,
          payload: Buffer.from('x'),
          qos: 0,
          retain: false,
          dup: false,
        },
        { protocolVersion: 5 },
      ),
    );
    // One write: nothing tells the broker the identity before the PUBLISHes are parsed.
    socket.write(Buffer.concat([connect, ...publishes]));
    await eventually(
      'pipelined PUBLISHes throttled',
      () => (broker.engine.counters.publishThrottled - throttledBefore > 150 ? true : undefined),
      10_000,
    );
    // Every one is still handled, at the device's pace (the next test counts throttling anew).
    await eventually(
      'all 400 handled',
      () => (broker.engine.counters.messagesReceived - receivedBefore >= 400 ? true : undefined),
      10_000,
    );
    socket.destroy();
    await othersStillServed();
  });

  test('a controller fanning out has no publish rate; a device is held to its own', async () => {
    const ctrl = await open('ctrl', { clientId: 'ctrl' });
    const received = broker.engine.counters.messagesReceived;
    const ctrlBefore = broker.engine.counters.publishThrottled;
    for (let i = 0; i < 3000; i++) ctrl.publish('oktopus/usp/v1/agent/os::Q-2', 'x', { qos: 0 });
    await eventually(
      'controller messages handled',
      () => (broker.engine.counters.messagesReceived - received >= 3000 ? true : undefined),
      10_000,
    );
    expect(broker.engine.counters.publishThrottled - ctrlBefore).toBe(0);
    const dev1 = await open('dev1');
    const throttledBefore = broker.engine.counters.publishThrottled;
    // 400 PUBLISHes at once: 200 in the burst, the rest wait for tokens at 100/s.
    for (let i = 0; i < 400; i++) dev1.publish(`lab/dev1/r${i}`, 'x', { qos: 0 });
    await eventually(
      'device throttled',
      () => (broker.engine.counters.publishThrottled - throttledBefore > 150 ? true : undefined),
      10_000,
    );
    await othersStillServed();
  }, 30_000);
});

describe('per source address', () => {
  let broker: TestBroker;

  afterEach(async () => {
    await broker.stop();
  });

  const connectRaw = (clientId: string) =>
    rawConnectWith(broker.port, {
      protocolVersion: 5,
      clientId,
      clean: true,
      keepalive: 60,
      username: 'ctrl',
      password: Buffer.from('pwc'),
    });

  test('past its open connections an address gets CONNACK 0x97; a connection closing frees a slot', async () => {
    broker = await startTestBroker(accounts, { limits: { maxConnectionsPerAddress: 3 } });
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await connectRaw(`c${i}`));
    for (const raw of held) expect(raw.connack.reasonCode).toBe(0);
    const refused = await connectRaw('c3');
    expect(refused.connack.reasonCode).toBe(0x97);
    held[0]!.socket.destroy();
    await eventually('slot freed', () => (broker.engine.openConnections <= 3 ? true : undefined));
    expect((await connectRaw('c4')).connack.reasonCode).toBe(0);
  });

  test('past its connect rate an address gets CONNACK 0x9F (3.1.1: 3, server unavailable)', async () => {
    broker = await startTestBroker(accounts, {
      limits: { connectRatePerAddress: 1, connectBurstPerAddress: 5 },
    });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const raw = await connectRaw(`r${i}`);
      codes.push(raw.connack.reasonCode!);
      raw.socket.destroy();
    }
    expect(codes.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(codes[5]).toBe(0x9f);
    const v3 = await rawConnectWith(broker.port, {
      protocolVersion: 4,
      clientId: 'r-v3',
      clean: true,
      keepalive: 60,
      username: 'ctrl',
      password: Buffer.from('pwc'),
    });
    expect(v3.connack.returnCode).toBe(3);
  });
});
