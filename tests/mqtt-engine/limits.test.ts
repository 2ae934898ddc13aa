// $SYS statistics and the per-client publish rate.
import { MemoryGuard } from '@octomesh/mqtt-engine';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const accounts = {
  adm: { password: 'pwa', role: 'admin' },
  dev: { password: 'pwd', role: 'device', endpointId: 'os::D' },
};

describe('engine limits and statistics', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      // receiveMaximum: MQTT.js sends all 120 QoS 1 PUBLISHes at once (it ignores ours).
      limits: { sysIntervalSeconds: 1, maxPublishRate: 200, publishBurst: 20, receiveMaximum: 200 },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('an admin reads $SYS statistics; they are retained and refreshed', async () => {
    const admin = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(admin);
    await admin.subscribeAsync('$SYS/#', { qos: 0 });
    // The retained copy arrives on subscribe with the retain flag [MQTT-3.3.1-8]...
    const retained = await eventually('retained statistic', () =>
      box.messages.find((m) => m.topic === '$SYS/broker/clients/connected'),
    );
    expect(retained.packet.retain).toBe(true);
    // ...and the next refresh counts this admin.
    await eventually('refreshed statistic', () =>
      box.messages.find(
        (m) =>
          m.topic === '$SYS/broker/clients/connected' && !m.packet.retain && Number(m.payload) >= 1,
      ),
    );
    await end(admin);
  });

  test('$SYS is not reachable with a leading wildcard, and devices cannot subscribe to it [MQTT-4.7.2-1]', async () => {
    const admin = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(admin);
    await admin.subscribeAsync('#', { qos: 0 });
    const device = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'dev',
      password: 'pwd',
    });
    const error = await device.subscribeAsync('$SYS/#', { qos: 0 }).catch((e: unknown) => e);
    expect((error as { packet: { granted: number[] } }).packet.granted).toEqual([0x87]);
    await admin.publishAsync('lab/marker', 'm', { qos: 1 });
    await eventually('marker', () => box.messages.find((m) => m.topic === 'lab/marker'));
    expect(box.messages.some((m) => m.topic.startsWith('$SYS'))).toBe(false);
    await end(device);
    await end(admin);
  });

  test('a client over its publish rate is held to it: handled no faster than burst + rate × time, nothing lost', async () => {
    // Limits of this suite: 200 PUBLISHes/s after a burst of 20.
    const watcher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(watcher);
    await watcher.subscribeAsync('lab/rate', { qos: 1 });
    const publisher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const before = broker.engine.counters.publishThrottled;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        publisher.publishAsync('lab/rate', `r${i}`, { qos: 1 }),
      ),
    );
    await eventually('all 120', () => (box.messages.length >= 120 ? true : undefined), 10_000);
    const elapsedMs = Date.now() - started;
    // 120 messages = 20 from the burst + 100 at 200/s: at least 500 ms, whatever the timing
    // of the client's writes (a burst in one TCP segment included).
    expect(elapsedMs).toBeGreaterThanOrEqual(480);
    // How many waited depends on how the client's writes spread over time; some must have.
    expect(broker.engine.counters.publishThrottled).toBeGreaterThan(before);
    expect(new Set(box.messages.map((m) => m.payload)).size).toBe(120);
    await end(publisher);
    await end(watcher);
  });
});

describe('engine memory guard', () => {
  test('under memory pressure new CONNECTs get 0x89 and QoS 0 is shed while QoS 1 still flows', async () => {
    let used = 0;
    const guard = new MemoryGuard(1000, () => used);
    const broker = await startTestBroker(accounts, { memoryGuard: guard });
    try {
      const watcher = await connectClient(broker.url, {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
      });
      const box = collect(watcher);
      await watcher.subscribeAsync('lab/pressure', { qos: 1 });
      const publisher = await connectClient(broker.url, {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
      });
      used = 2000;
      guard.sample();
      await expect(
        connectClient(broker.url, { protocolVersion: 5, username: 'adm', password: 'pwa' }),
      ).rejects.toMatchObject({ code: 0x89 });
      await publisher.publishAsync('lab/pressure', 'shed', { qos: 0 });
      await publisher.publishAsync('lab/pressure', 'kept', { qos: 1 });
      await eventually('qos 1 message', () => box.messages.find((m) => m.payload === 'kept'));
      expect(box.messages.some((m) => m.payload === 'shed')).toBe(false);
      expect(broker.engine.counters.droppedUnderMemoryPressure).toBe(1);
      used = 0;
      guard.sample();
      const later = await connectClient(broker.url, {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
      });
      await end(later);
      await end(publisher);
      await end(watcher);
    } finally {
      await broker.stop();
    }
  });
});
