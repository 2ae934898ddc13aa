// Persistent sessions (in memory for now): queued QoS 1 messages survive a disconnect and are
// delivered on reconnect; clean start discards them; session expiry ends them.
import { MemorySessionMessageStore, MemorySessionStore } from '@octomesh/mqtt-engine';
import type mqttPacket from 'mqtt-packet';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { closedWith, rawConnectWith, send } from './raw-client.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

describe('engine sessions', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  const connect = (
    clientId: string,
    clean: boolean,
    sessionExpiryInterval: number,
    before?: Parameters<typeof connectClient>[2],
  ) =>
    connectClient(
      broker.url,
      {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
        clientId,
        clean,
        properties: { sessionExpiryInterval },
      },
      before,
    );

  test('a session with expiry keeps its subscriptions and queued QoS 1 messages across a reconnect [MQTT-3.1.2-4, MQTT-4.4.0-1]', async () => {
    const first = await connect('keeper', true, 60);
    await first.subscribeAsync('lab/queued', { qos: 1 });
    await end(first);
    const publisher = await connect('pub-1', true, 0);
    for (let i = 0; i < 3; i++) await publisher.publishAsync('lab/queued', `q${i}`, { qos: 1 });
    await end(publisher);
    let box: ReturnType<typeof collect> | undefined;
    const resumed = await connect('keeper', false, 60, (c) => {
      box = collect(c);
    });
    const connack = (resumed as unknown as { connackPacket?: { sessionPresent?: boolean } })
      .connackPacket;
    expect(connack?.sessionPresent).toBe(true);
    await eventually('queued messages', () => (box!.messages.length >= 3 ? true : undefined));
    expect(box!.messages.map((m) => m.payload)).toEqual(['q0', 'q1', 'q2']);
    await end(resumed);
  });

  test('clean start discards the previous session [MQTT-3.1.2-4]', async () => {
    const first = await connect('cleaner', true, 60);
    await first.subscribeAsync('lab/clean', { qos: 1 });
    await end(first);
    const fresh = await connect('cleaner', true, 60);
    const connack = (fresh as unknown as { connackPacket?: { sessionPresent?: boolean } })
      .connackPacket;
    expect(connack?.sessionPresent).toBe(false);
    expect(broker.engine.index.subscriptionsOf('cleaner')).toHaveLength(0);
    await end(fresh);
  });

  test('a session without expiry ends with its connection [MQTT-3.1.2-10]', async () => {
    const client = await connect('short', true, 0);
    await client.subscribeAsync('lab/short', { qos: 1 });
    await end(client);
    await eventually('session gone', () =>
      broker.engine.sessions.has('short') ? undefined : true,
    );
    expect(broker.engine.index.subscriptionsOf('short')).toHaveLength(0);
  });
});

describe('takeover, clean start and wills', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });
  const rnd = (): string => Math.random().toString(16).slice(2, 10);
  const raw = (
    protocolVersion: 3 | 4 | 5,
    clientId: string,
    clean: boolean,
    extra: Partial<mqttPacket.IConnectPacket> = {},
  ) =>
    rawConnectWith(broker.port, {
      protocolVersion,
      ...(protocolVersion === 3 ? { protocolId: 'MQIsdp' as const } : {}),
      clientId,
      clean,
      keepalive: 60,
      username: 'adm',
      password: Buffer.from('pwa'),
      ...extra,
    });
  const watch = async (topic: string) => {
    const watcher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync(topic, { qos: 1 });
    return { watcher, box };
  };
  const willOf = (topic: string, delay?: number) => ({
    topic,
    payload: Buffer.from('gone'),
    qos: 1 as const,
    retain: false,
    ...(delay !== undefined ? { properties: { willDelayInterval: delay } } : {}),
  });

  test.each([4, 5] as const)(
    'MQTT %i: a Clean Session 1 connection taken over by Clean Session 0 gives Session Present 0: the old session ended with its connection [MQTT-3.1.2-6, MQTT-3.2.2-2]',
    async (version) => {
      const id = `takeover-${rnd()}`;
      const first = await raw(version, id, true);
      expect(first.connack.sessionPresent).toBe(false);
      const second = await raw(version, id, false, {
        ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
      });
      expect(second.connack.sessionPresent).toBe(false);
      const goodbye = await closedWith(first);
      if (version === 5) expect(goodbye?.reasonCode).toBe(0x8e);
      // The next takeover finds the persistent session the second connection made.
      const third = await raw(version, id, false, {
        ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
      });
      expect(third.connack.sessionPresent).toBe(true);
      third.socket.destroy();
      second.socket.destroy();
    },
  );

  test('a delayed will is sent when a Clean Start reconnect ends its session before the delay passes (MQTT 5 §3.1.3.2.2)', async () => {
    const topic = `lab/will/${rnd()}`;
    const { watcher, box } = await watch(topic);
    const id = `will-clean-${rnd()}`;
    const first = await raw(5, id, true, {
      properties: { sessionExpiryInterval: 300 },
      will: willOf(topic, 60),
    });
    first.socket.destroy();
    await eventually('will pending', () => (broker.engine.connections.has(id) ? undefined : true));
    const started = Date.now();
    const second = await raw(5, id, true);
    const will = await eventually('will', () => box.messages[0]);
    expect(will.payload).toBe('gone');
    // Sent as the session ended, not after the 60 s delay.
    expect(Date.now() - started).toBeLessThan(5000);
    second.socket.destroy();
    await end(watcher);
  });

  test('a delayed will is not sent when the session is resumed in time, even by a takeover [MQTT-3.1.3-9]', async () => {
    const topic = `lab/will/${rnd()}`;
    const { watcher, box } = await watch(topic);
    const id = `will-resume-${rnd()}`;
    const first = await raw(5, id, true, {
      properties: { sessionExpiryInterval: 300 },
      will: willOf(topic, 1),
    });
    const second = await raw(5, id, false, { properties: { sessionExpiryInterval: 300 } });
    expect(second.connack.sessionPresent).toBe(true);
    expect((await closedWith(first))?.reasonCode).toBe(0x8e);
    // Past the 1 s delay, a marker published after it arrives alone.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const marker = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    await marker.publishAsync(topic, 'marker', { qos: 1 });
    await eventually('marker', () => box.messages.find((m) => m.payload === 'marker'));
    expect(box.messages.map((m) => m.payload)).toEqual(['marker']);
    second.socket.destroy();
    await end(marker);
    await end(watcher);
  });

  test.each([4, 5] as const)(
    "MQTT %i: a takeover sends the old connection's will when it has no delay (MQTT 5 §3.1.3.2.2 note)",
    async (version) => {
      const topic = `lab/will/${rnd()}`;
      const { watcher, box } = await watch(topic);
      const id = `will-takeover-${rnd()}`;
      const first = await raw(version, id, false, {
        ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
        will: willOf(topic),
      });
      const second = await raw(version, id, false, {
        ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
      });
      expect(second.connack.sessionPresent).toBe(true);
      expect((await eventually('will', () => box.messages[0])).payload).toBe('gone');
      first.socket.destroy();
      second.socket.destroy();
      await end(watcher);
    },
  );

  test("MQTT 3.1 (MQIsdp): CONNACK's first byte is reserved and 0, also when the session is resumed", async () => {
    const id = `v31-${rnd()}`;
    const first = await raw(3, id, false);
    expect(first.connack.sessionPresent).toBe(false);
    first.socket.destroy();
    await eventually('detached', () => (broker.engine.connections.has(id) ? undefined : true));
    const second = await raw(3, id, false);
    expect(broker.engine.sessions.get(id)).toBeDefined();
    expect(second.connack.sessionPresent).toBe(false);
    expect(second.connack.returnCode).toBe(0);
    second.socket.destroy();
  });
});

describe('sessions in a session store', () => {
  test('a session saved by one engine resumes on another with its subscriptions (restart or other replica)', async () => {
    const store = new MemorySessionStore();
    const first = await startTestBroker(accounts, { sessionStore: store });
    const client = await connectClient(first.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
      clientId: 'roamer',
      clean: true,
      properties: { sessionExpiryInterval: 300 },
    });
    await client.subscribeAsync('lab/roam', { qos: 1 });
    await end(client);
    await eventually('session saved', () => (store.size === 1 ? true : undefined));
    await first.stop();
    const second = await startTestBroker(accounts, { sessionStore: store });
    try {
      let box: ReturnType<typeof collect> | undefined;
      const resumed = await connectClient(
        second.url,
        {
          protocolVersion: 5,
          username: 'adm',
          password: 'pwa',
          clientId: 'roamer',
          clean: false,
          properties: { sessionExpiryInterval: 300 },
        },
        (c) => {
          box = collect(c);
        },
      );
      expect(
        (resumed as unknown as { connackPacket?: { sessionPresent?: boolean } }).connackPacket
          ?.sessionPresent,
      ).toBe(true);
      const publisher = await connectClient(second.url, {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
      });
      await publisher.publishAsync('lab/roam', 'found you', { qos: 1 });
      expect((await eventually('message', () => box!.messages[0])).payload).toBe('found you');
      await end(publisher);
      await end(resumed);
    } finally {
      await second.stop();
    }
  });

  test('QoS 2 deliveries half done resume on another engine through the shared stores: PUBREL for the one PUBRECed, the other again with DUP, none twice', async () => {
    const store = new MemorySessionStore();
    const messages = new MemorySessionMessageStore();
    const first = await startTestBroker(accounts, {
      sessionStore: store,
      sessionMessages: messages,
    });
    const second = await startTestBroker(accounts, {
      sessionStore: store,
      sessionMessages: messages,
    });
    try {
      const connect = {
        protocolVersion: 5 as const,
        protocolId: 'MQTT' as const,
        clientId: 'qos2-roamer',
        clean: false,
        keepalive: 60,
        username: 'adm',
        password: Buffer.from('pwa'),
        properties: { sessionExpiryInterval: 300 },
      };
      const before = await rawConnectWith(first.port, connect);
      send(before.socket, {
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: 'lab/q2', qos: 2 }],
      });
      await eventually('SUBACK', () => before.packets.find((p) => p.cmd === 'suback'));
      const publisher = await connectClient(first.url, {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
      });
      await publisher.publishAsync('lab/q2', 'one', { qos: 2 });
      await publisher.publishAsync('lab/q2', 'two', { qos: 2 });
      await end(publisher);
      const publishes = await eventually('two PUBLISHes', () => {
        const got = before.packets.filter(
          (p) => p.cmd === 'publish',
        ) as mqttPacket.IPublishPacket[];
        return got.length === 2 ? got : undefined;
      });
      const [one, two] = publishes;
      // The first is acknowledged as received (PUBREC), the second not at all; then the
      // connection drops before PUBCOMP.
      send(before.socket, { cmd: 'pubrec', messageId: one!.messageId! });
      await eventually('PUBREL', () => before.packets.find((p) => p.cmd === 'pubrel'));
      before.socket.destroy();
      await eventually('both stored for the offline session', () =>
        messages.count('qos2-roamer') === 2 ? true : undefined,
      );
      await first.stop();

      const after = await rawConnectWith(second.port, connect);
      expect(after.connack.sessionPresent).toBe(true);
      const resent = await eventually('PUBREL and PUBLISH again', () => {
        const pubrel = after.packets.find((p) => p.cmd === 'pubrel');
        const publish = after.packets.find((p) => p.cmd === 'publish');
        return pubrel !== undefined && publish !== undefined ? { pubrel, publish } : undefined;
      });
      expect(resent.pubrel.messageId).toBe(one!.messageId);
      const again = resent.publish as mqttPacket.IPublishPacket;
      expect(again.messageId).toBe(two!.messageId);
      expect(again.dup).toBe(true);
      expect(again.payload.toString()).toBe('two');
      // Completing both leaves nothing more to send: 'one' is never published again.
      send(after.socket, { cmd: 'pubcomp', messageId: one!.messageId! });
      send(after.socket, { cmd: 'pubrec', messageId: two!.messageId! });
      await eventually('PUBREL of the second', () =>
        after.packets.find((p) => p.cmd === 'pubrel' && p.messageId === two!.messageId),
      );
      send(after.socket, { cmd: 'pubcomp', messageId: two!.messageId! });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(after.packets.filter((p) => p.cmd === 'publish')).toHaveLength(1);
      expect(messages.count('qos2-roamer')).toBe(0);
      after.socket.destroy();
    } finally {
      await first.stop().catch(() => undefined);
      await second.stop();
    }
  });

  test('another identity cannot resume a stored session by reusing its client id', async () => {
    const store = new MemorySessionStore();
    await store.save({
      clientId: 'owned',
      identitySubject: 'user:someone-else',
      expirySeconds: 300,
      subscriptions: [],
      disconnectedAt: Date.now(),
    });
    const broker = await startTestBroker(accounts, { sessionStore: store });
    try {
      await expect(
        connectClient(broker.url, {
          protocolVersion: 5,
          username: 'adm',
          password: 'pwa',
          clientId: 'owned',
          clean: false,
        }),
      ).rejects.toMatchObject({ code: 0x87 });
    } finally {
      await broker.stop();
    }
  });
});
