// The whole mesh as separate processes on a real nats-server: broker, auth and acl, with
// accounts and rules made by the real CLI, driven by MQTT.js (v5 and 3.1.1) and mosquitto.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mesh, brokerEventsWildcard } from '@octomesh/contracts';
import type { NatsConnection } from '@octomesh/nats-kit';
import type { ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, waitFor, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { octomesh } from '../support/cli.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';

const run = promisify(execFile);
const p = 'oktopus/usp/v1';

describe('broker with auth and acl over NATS', () => {
  let server: TestBus;
  let nc: NatsConnection;
  let auth: ServiceProcess;
  let acl: ServiceProcess;
  let broker: ServiceProcess;
  let url: string;
  let port: number;
  const clients: MqttClient[] = [];
  const events: { kind: string; clientId: string; role: string; endpointId: string }[] = [];

  const client = async (
    username: string,
    password: string,
    extra: Parameters<typeof connectClient>[1] = {},
  ) => {
    const c = await connectClient(url, {
      protocolVersion: 5,
      username,
      password,
      // The broker assigns the id: a device may use only an empty id, its username or its
      // endpoint id, and several clients of one account run at once here.
      clientId: '',
      ...extra,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startSecuredBus();
    // Broker events are read by the usp-router: the test watches them with its identity.
    nc = await server.connect('usp-router', 'broker-e2e');
    nc.subscribe(brokerEventsWildcard, {
      callback: (_e, m) => {
        const kind = m.subject.split('.').pop()!;
        const decoded =
          kind === 'connected'
            ? mesh.broker.v1.ClientConnected.decode(m.data)
            : mesh.broker.v1.ClientDisconnected.decode(m.data);
        events.push({
          kind,
          clientId: decoded.clientId,
          role: decoded.identity?.role ?? '',
          endpointId: decoded.identity?.endpointId ?? '',
        });
      },
    });
    for (const [name, args, pw] of [
      ['router-1', ['--role', 'device', '--endpoint-id', 'os::R-1'], 'r1-secret'],
      ['ctrl', ['--role', 'controller', '--endpoint-id', 'ctrl'], 'c-secret'],
    ] as const) {
      const added = await octomesh(['user', 'add', name, ...args], server, `${pw}\n`);
      expect(added.code).toBe(0);
    }
    auth = await startService('auth', server);
    acl = await startService('acl', server);
    broker = await startService('broker', server, {
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      MQTT_DECIDER_TIMEOUT_MS: '1000',
    });
    port = broker.listenerPorts['mqtt']!;
    url = `mqtt://127.0.0.1:${port}`;
  }, 90_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
  });

  afterAll(async () => {
    await Promise.all([broker, auth, acl].map((s) => s?.stop()));
    await nc?.close();
    await server?.stop();
  });

  test('an agent and a controller talk through the broker with credentials checked by auth', async () => {
    const agent = await client('router-1', 'r1-secret', {
      properties: { userProperties: { 'usp-endpoint-id': 'os::R-1' } },
    });
    const connack = (
      agent as unknown as {
        connackPacket?: { properties?: { userProperties?: Record<string, string> } };
      }
    ).connackPacket;
    expect(connack?.properties?.userProperties?.['subscribe-topic']).toBe(`${p}/agent/os::R-1`);
    const box = collect(agent);
    await agent.subscribeAsync(`${p}/agent/os::R-1`, { qos: 1 });
    const controller = await client('ctrl', 'c-secret');
    await controller.publishAsync(`${p}/agent/os::R-1`, 'hello', { qos: 1 });
    expect((await eventually('delivery', () => box.messages[0])).payload).toBe('hello');
    await waitFor('connected events', () =>
      events.filter((e) => e.kind === 'connected').length >= 2 ? true : undefined,
    );
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'connected', role: 'device', endpointId: 'os::R-1' }),
    );
  });

  test('a wrong password gets CONNACK 0x86 from the auth service', async () => {
    await expect(
      connectClient(url, { protocolVersion: 5, username: 'router-1', password: 'nope' }),
    ).rejects.toMatchObject({ code: 0x86 });
  });

  test('mosquitto clients (MQTT 3.1.1) work with the same accounts and ACLs', async () => {
    const received = run('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-V',
      'mqttv311',
      '-u',
      'router-1',
      '-P',
      'r1-secret',
      '-t',
      `${p}/agent/os::R-1`,
      '-C',
      '1',
      '-W',
      '10',
      '-q',
      '1',
    ]);
    // mosquitto_sub has subscribed once the broker counts its subscription.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-V',
      'mqttv311',
      '-u',
      'ctrl',
      '-P',
      'c-secret',
      '-t',
      `${p}/agent/os::R-1`,
      '-m',
      'from-mosquitto',
      '-q',
      '1',
    ]);
    const { stdout } = await received;
    expect(stdout.trim()).toBe('from-mosquitto');
  });

  test('a rule change reaches the broker and the next PUBLISH is denied with PUBACK 0x87', async () => {
    const agent = await client('router-1', 'r1-secret');
    await agent.publishAsync(`${p}/controller/os::R-1`, 'ok', { qos: 1 });
    const added = await octomesh(
      [
        'acl',
        'add',
        'quarantine',
        '--subject',
        'user:router-1',
        '--action',
        'publish',
        '--topic',
        `${p}/controller/%e`,
        '--effect',
        'deny',
      ],
      server,
    );
    expect(added.code).toBe(0);
    await waitFor('deny in force', async () => {
      const error = await agent
        .publishAsync(`${p}/controller/os::R-1`, 'x', { qos: 1 })
        .catch((e: unknown) => e);
      return (error as { code?: number } | undefined)?.code === 0x87 ? true : undefined;
    });
    expect((await octomesh(['acl', 'rm', 'quarantine'], server)).code).toBe(0);
  });

  test('with acl down, SUBSCRIBE fails closed with 0x87; with auth down, CONNECT fails with 0x88', async () => {
    await acl.stop();
    const agent = await client('router-1', 'r1-secret');
    const error = await agent
      .subscribeAsync(`${p}/agent/os::R-1`, { qos: 1 })
      .catch((e: unknown) => e);
    expect((error as { packet: { granted: number[] } }).packet.granted).toEqual([0x87]);
    await auth.stop();
    await expect(
      connectClient(url, { protocolVersion: 5, username: 'router-1', password: 'r1-secret' }),
    ).rejects.toMatchObject({ code: 0x88 });
  });
});
