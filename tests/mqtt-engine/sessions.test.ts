// Persistent sessions (in memory for now): queued QoS 1 messages survive a disconnect and are
// delivered on reconnect; clean start discards them; session expiry ends them.
import { MemorySessionStore } from '@octomesh/mqtt-engine';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

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
