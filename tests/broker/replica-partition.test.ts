// One replica cut off from NATS while the others stay: they take it for gone and take its
// persistent sessions over, storing what is published for them meanwhile. When it comes back it
// claims its connected clients' sessions again: the adopter drops its copy, and the messages it
// stored reach the client that never left, once. NATS is reached by replica c through a TCP
// proxy the test can cut (a partition, not a NATS restart: a stays connected throughout).
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { Roles } from '@octomesh/contracts';
import type { ServiceProcess } from '@octomesh/service-kit';
import { freePort, startSecuredBus, type TestBus } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import {
  awaitPeers,
  mqttUrlOf,
  serviceMetric,
  startAuthAndAcl,
  startBrokerReplica,
} from '../support/mesh.ts';

/** A TCP proxy to NATS that can be cut (every connection dropped, none accepted) and restored. */
class CuttableProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  async open(port: number): Promise<void> {
    this.port = port;
    this.#server = createServer((client) => {
      const upstream = tcpConnect(this.#target.port, this.#target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.#sockets.delete(s));
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('a replica cut off from NATS and back', () => {
  let bus: TestBus;
  let proxy: CuttableProxy;
  const services: ServiceProcess[] = [];
  const brokers: ServiceProcess[] = [];
  const urls: string[] = [];
  const clients: MqttClient[] = [];

  const metric = (replica: number, name: string): Promise<number> =>
    serviceMetric(brokers[replica]!, name);

  beforeAll(async () => {
    bus = await startSecuredBus();
    services.push(
      ...(await startAuthAndAcl(bus, [{ username: 'adm', password: 'pw-a', role: Roles.admin }])),
    );
    const natsUrl = new URL(bus.url);
    proxy = new CuttableProxy({ host: natsUrl.hostname, port: Number(natsUrl.port) });
    await proxy.open(await freePort());
    for (const [name, nats] of [
      ['a', bus.url],
      ['c', `nats://127.0.0.1:${proxy.port}`],
    ] as const) {
      const broker = await startBrokerReplica(bus, name, { NATS_URL: nats });
      brokers.push(broker);
      services.push(broker);
      urls.push(mqttUrlOf(broker));
    }
    await awaitPeers(brokers);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await Promise.all(services.map((s) => s.stop()));
    await proxy?.cut();
    await bus?.stop();
  });

  test('its connected client gets what was published for it while it was away, once; the adopter lets go', async () => {
    const sub = await connectClient(urls[1]!, {
      protocolVersion: 5,
      clientId: 'partitioned-1',
      username: 'adm',
      password: 'pw-a',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    clients.push(sub);
    const box = collect(sub);
    await sub.subscribeAsync('part/#', { qos: 1 });
    const pub = await connectClient(urls[0]!, {
      protocolVersion: 5,
      clientId: 'partition-pub',
      username: 'adm',
      password: 'pw-a',
    });
    clients.push(pub);
    await eventually(
      'a probe from a to c',
      async () => {
        await pub.publishAsync('part/m', 'probe', { qos: 0 });
        await new Promise((resolve) => setTimeout(resolve, 25));
        return box.messages.some((m) => m.topic === 'part/m') ? true : undefined;
      },
      10_000,
    );
    const port = proxy.port;
    await proxy.cut();
    // a takes c for gone (7 beats) and takes its session over.
    await eventually(
      'a adopts c’s session',
      async () =>
        (await metric(0, 'octomesh_broker_sessions_adopted_total')) >= 1 ? true : undefined,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 5; i++) await pub.publishAsync('part/m', `away-${i}`, { qos: 1 });
    await eventually(
      'a stores them for the adopted session',
      async () =>
        (await metric(0, 'octomesh_broker_session_messages_stored_total')) >= 5 ? true : undefined,
      10_000,
    );
    // The client stayed connected to c all along, and got none of them.
    expect(box.messages.filter((m) => m.payload.startsWith('away-'))).toHaveLength(0);
    await proxy.open(port);
    await eventually(
      'the 5 messages reach the client once c is back',
      () =>
        box.messages.filter((m) => m.payload.startsWith('away-')).length >= 5 ? true : undefined,
      15_000,
    );
    // The adopter let go: a later message is delivered once (by c), not stored again by a.
    const storedBefore = await metric(0, 'octomesh_broker_session_messages_stored_total');
    await eventually(
      'a message after c is back',
      async () => {
        await pub.publishAsync('part/m', 'after', { qos: 1 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        return box.messages.some((m) => m.payload === 'after') ? true : undefined;
      },
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(box.messages.filter((m) => m.payload.startsWith('away-')).map((m) => m.payload)).toEqual(
      ['away-0', 'away-1', 'away-2', 'away-3', 'away-4'],
    );
    expect(await metric(0, 'octomesh_broker_session_messages_stored_total')).toBe(storedBefore);
    expect(sub.connected).toBe(true);
  }, 90_000);
});
