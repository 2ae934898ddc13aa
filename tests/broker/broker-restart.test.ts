// A broker restarted (SIGTERM, then a new process) loses no persistent session: the session's
// subscriptions are in KV and its unacknowledged and queued QoS 1 messages in the session
// message stream, so the client resuming on the new process gets every message, in order, the
// unacknowledged one again with DUP.
import { Roles } from '@octomesh/contracts';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { startAuthAndAcl } from '../support/mesh.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';

describe('a broker restart', () => {
  let bus: TestBus;
  const services: ServiceProcess[] = [];
  let broker: ServiceProcess | undefined;
  const clients: MqttClient[] = [];

  const startBroker = async (): Promise<ServiceProcess> =>
    startService('broker', bus, { LISTENERS: 'mqtt', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1' });
  const url = (): string => `mqtt://127.0.0.1:${broker!.listenerPorts['mqtt']!}`;

  beforeAll(async () => {
    bus = await startSecuredBus();
    services.push(
      ...(await startAuthAndAcl(bus, [{ username: 'adm', password: 'pw-a', role: Roles.admin }])),
    );
    broker = await startBroker();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await broker?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await bus?.stop();
  });

  test('loses no persistent session: unacknowledged and queued QoS 1 messages arrive after it', async () => {
    const session = {
      protocolVersion: 5 as const,
      username: 'adm',
      password: 'pw-a',
      clientId: 'restart-sleeper',
      clean: false,
      properties: { sessionExpiryInterval: 300, receiveMaximum: 1 },
    };
    // A subscriber that never acknowledges: with Receive Maximum 1 the broker has one message
    // in flight and queues the rest.
    const seenBefore: string[] = [];
    const stuck = await connectClient(url(), {
      ...session,
      customHandleAcks: (_topic, payload) => void seenBefore.push(payload.toString()),
    });
    clients.push(stuck);
    await stuck.subscribeAsync('restart/#', { qos: 1 });
    const pub = await connectClient(url(), {
      protocolVersion: 5,
      username: 'adm',
      password: 'pw-a',
      clientId: 'restart-pub',
    });
    clients.push(pub);
    for (let i = 0; i < 10; i++) await pub.publishAsync('restart/m', String(i), { qos: 1 });
    await eventually('the first message in flight', () =>
      seenBefore.length > 0 ? true : undefined,
    );
    expect(seenBefore).toEqual(['0']);

    await broker!.stop();
    broker = await startBroker();

    let box!: ReturnType<typeof collect>;
    let present: boolean | undefined;
    const resumed = await connectClient(
      url(),
      { ...session, properties: { sessionExpiryInterval: 300 } },
      (client) => {
        box = collect(client);
        client.once('connect', (connack) => (present = connack.sessionPresent));
      },
    );
    clients.push(resumed);
    expect(present).toBe(true);
    await eventually('the 10 messages after the restart', () =>
      box.messages.filter((m) => m.topic === 'restart/m').length >= 10 ? true : undefined,
    );
    const got = box.messages.filter((m) => m.topic === 'restart/m');
    expect(got.map((m) => m.payload)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    // The one sent before the restart and never acknowledged comes again marked DUP.
    expect(got[0]!.packet.dup).toBe(true);
    expect(got.slice(1).every((m) => !m.packet.dup)).toBe(true);
    // Its subscription came back too: a new message reaches it.
    const pub2 = await connectClient(url(), {
      protocolVersion: 5,
      username: 'adm',
      password: 'pw-a',
      clientId: 'restart-pub-2',
    });
    clients.push(pub2);
    await pub2.publishAsync('restart/m', 'after', { qos: 1 });
    await eventually('a message after the restart', () =>
      box.messages.find((m) => m.payload === 'after'),
    );
  }, 90_000);
});
