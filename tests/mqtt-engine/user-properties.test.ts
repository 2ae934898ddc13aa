// User properties travel unchanged and in order from publisher to subscriber
// [MQTT-3.3.2-17, MQTT-3.3.2-18], also when names interleave (a, b, a) — which mqtt-packet's
// object form alone would regroup. Raw sockets: MQTT.js itself cannot send interleaved names.
import type { Socket } from 'node:net';
import { eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { rawConnect, send } from './raw-client.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

function pair(name: string, value: string): Buffer {
  const n = Buffer.from(name);
  const v = Buffer.from(value);
  return Buffer.concat([Buffer.from([0x26, 0, n.length]), n, Buffer.from([0, v.length]), v]);
}

describe('user properties in order', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts);
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('interleaved names and an empty value reach the subscriber exactly in the order sent', async () => {
    const subscriber = await rawConnect(broker.port, { clientId: 'up-sub' });
    const received: Buffer[] = [];
    subscriber.socket.on('data', (chunk: Buffer) => received.push(chunk));
    send(subscriber.socket, {
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 'lab/props', qos: 1 }],
    });
    await eventually('SUBACK', () => subscriber.packets.find((p) => p.cmd === 'suback'));

    const publisher = await rawConnect(broker.port, { clientId: 'up-pub' });
    const pairs = [pair('a', '1'), pair('b', '2'), pair('a', ''), pair('c', 'ü'), pair('a', '3')];
    const properties = Buffer.concat(pairs);
    const topic = Buffer.from('lab/props');
    const body = Buffer.concat([
      Buffer.from([0, topic.length]),
      topic,
      Buffer.from([0x00, 0x05, properties.length]),
      properties,
      Buffer.from('payload'),
    ]);
    (publisher.socket as Socket).write(Buffer.concat([Buffer.from([0x32, body.length]), body]));
    await eventually('PUBACK', () => publisher.packets.find((p) => p.cmd === 'puback'));
    await eventually('PUBLISH at the subscriber', () =>
      subscriber.packets.find((p) => p.cmd === 'publish'),
    );
    const bytes = Buffer.concat(received);
    // The same pairs, contiguous and in the same order, in the delivered PUBLISH.
    expect(bytes.indexOf(properties)).toBeGreaterThan(0);
    subscriber.socket.destroy();
    publisher.socket.destroy();
  });
});
