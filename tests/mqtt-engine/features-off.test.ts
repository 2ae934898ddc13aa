// Every feature CONNACK advertises can be turned off, and a client that uses one anyway gets
// the reason code the spec names.
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { rawConnect, send } from './raw-client.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };

describe('features turned off', () => {
  let broker: TestBroker;
  let n = 0;
  const client = () => rawConnect(broker.port, { clientId: `off-${n++}` });

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: {
        maximumQoS: 1,
        retainAvailable: false,
        wildcardSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: false,
      },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  async function disconnectReason(packet: mqttPacket.Packet): Promise<number | undefined> {
    const c = await client();
    const closed = new Promise<void>((resolve) => c.socket.once('close', () => resolve()));
    send(c.socket, packet);
    await closed;
    return (
      c.packets.find((p) => p.cmd === 'disconnect') as mqttPacket.IDisconnectPacket | undefined
    )?.reasonCode;
  }

  test('CONNACK advertises Maximum QoS 1 and every feature off [MQTT-3.2.2-9]', async () => {
    const c = await client();
    expect(c.connack.properties).toMatchObject({
      maximumQoS: 1,
      retainAvailable: false,
      wildcardSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
    });
    c.socket.destroy();
  });

  test('subscriptions: QoS 2 is granted as 1, wildcards get 0xA2, shared subscriptions 0x9E', async () => {
    const c = await client();
    send(c.socket, {
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [
        { topic: 'lab/q2', qos: 2 },
        { topic: 'lab/+', qos: 1 },
        { topic: '$share/g/lab/s', qos: 1 },
      ],
    });
    const suback = await eventually(
      'SUBACK',
      () => c.packets.find((p) => p.cmd === 'suback') as mqttPacket.ISubackPacket | undefined,
    );
    expect(suback.granted).toEqual([1, 0xa2, 0x9e]);
    c.socket.destroy();
  });

  test('a SUBSCRIBE with a subscription identifier ends the connection with 0xA1', async () => {
    expect(
      await disconnectReason({
        cmd: 'subscribe',
        messageId: 4,
        properties: { subscriptionIdentifier: 7 },
        subscriptions: [{ topic: 'lab/id', qos: 1 }],
      }),
    ).toBe(0xa1);
  });

  test('a QoS 2 PUBLISH ends the connection with 0x9B [MQTT-3.2.2-11]', async () => {
    expect(
      await disconnectReason({
        cmd: 'publish',
        topic: 'lab/q',
        payload: Buffer.from('x'),
        qos: 2,
        messageId: 5,
        retain: false,
        dup: false,
      }),
    ).toBe(0x9b);
  });

  test('a retained PUBLISH ends the connection with 0x9A [MQTT-3.2.2-14]', async () => {
    expect(
      await disconnectReason({
        cmd: 'publish',
        topic: 'lab/r',
        payload: Buffer.from('x'),
        qos: 1,
        messageId: 6,
        retain: true,
        dup: false,
      }),
    ).toBe(0x9a);
    expect(await broker.engine.retained.match('lab/r')).toHaveLength(0);
  });

  test.each([
    ['a QoS 2 will gets CONNACK 0x9B [MQTT-3.2.2-12]', { qos: 2 as const, retain: false }, 0x9b],
    ['a retained will gets CONNACK 0x9A [MQTT-3.2.2-13]', { qos: 0 as const, retain: true }, 0x9a],
  ])('%s', async (_title, will, code) => {
    const socket = await new Promise<Socket>((resolve) => {
      const s = tcpConnect(broker.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
    });
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const packets: mqttPacket.Packet[] = [];
    parser.on('packet', (p) => packets.push(p));
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'connect',
          protocolVersion: 5,
          clientId: `will-${code}`,
          clean: true,
          keepalive: 30,
          username: 'adm',
          password: Buffer.from('pwa'),
          will: { topic: 'lab/will', payload: Buffer.from('bye'), ...will },
        },
        { protocolVersion: 5 },
      ),
    );
    const connack = await eventually(
      'CONNACK',
      () => packets.find((p) => p.cmd === 'connack') as mqttPacket.IConnackPacket | undefined,
    );
    expect(connack.reasonCode).toBe(code);
    socket.destroy();
  });
});
