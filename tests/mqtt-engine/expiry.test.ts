// Message expiry and will delay, end to end with MQTT.js v5.
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

describe('engine expiry and delays', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });
  const admin = (
    extra: Parameters<typeof connectClient>[1] = {},
    before?: Parameters<typeof connectClient>[2],
  ) =>
    connectClient(
      broker.url,
      { protocolVersion: 5, username: 'adm', password: 'pwa', ...extra },
      before,
    );

  test('the remaining message expiry is forwarded to subscribers [MQTT-3.3.2-6]', async () => {
    const watcher = await admin();
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/expiry', { qos: 1 });
    const publisher = await admin();
    await publisher.publishAsync('lab/expiry', 'x', {
      qos: 1,
      properties: { messageExpiryInterval: 60 },
    });
    const message = await eventually('message', () => box.messages[0]);
    const remaining = message.packet.properties?.messageExpiryInterval ?? 0;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(60);
    await end(publisher);
    await end(watcher);
  });

  test('a message that expires while its subscriber is offline is not delivered [MQTT-3.3.2-5]', async () => {
    const sleeper = await admin({
      clientId: 'sleeper',
      clean: true,
      properties: { sessionExpiryInterval: 60 },
    });
    await sleeper.subscribeAsync('lab/expiring', { qos: 1 });
    await end(sleeper);
    const publisher = await admin();
    await publisher.publishAsync('lab/expiring', 'short', {
      qos: 1,
      properties: { messageExpiryInterval: 1 },
    });
    await publisher.publishAsync('lab/expiring', 'long', {
      qos: 1,
      properties: { messageExpiryInterval: 60 },
    });
    await end(publisher);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    let box: ReturnType<typeof collect> | undefined;
    const awake = await admin(
      { clientId: 'sleeper', clean: false, properties: { sessionExpiryInterval: 60 } },
      (c) => {
        box = collect(c);
      },
    );
    await eventually('long-lived message', () => box!.messages.find((m) => m.payload === 'long'));
    expect(box!.messages.some((m) => m.payload === 'short')).toBe(false);
    await end(awake);
  });

  test('a will with a delay is cancelled when the client comes back in time [MQTT-3.1.3-9]', async () => {
    const watcher = await admin();
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/delayed-will', { qos: 1 });
    const flaky = await admin({
      clientId: 'flaky',
      properties: { sessionExpiryInterval: 60 },
      will: {
        topic: 'lab/delayed-will',
        payload: Buffer.from('gone for good'),
        qos: 1,
        retain: false,
        properties: { willDelayInterval: 2 },
      },
    });
    (flaky as unknown as { stream: { destroy(): void } }).stream.destroy();
    const back = await admin({
      clientId: 'flaky',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(box.messages).toHaveLength(0);
    await end(back);
    await end(watcher);
  });
});
