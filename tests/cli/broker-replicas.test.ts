// `octomesh up --broker-replicas 2` (issue 11): two broker processes behind the same MQTT port
// (SO_REUSEPORT), the kernel spreading clients over them, each with its own replica name and
// health port; a message crosses from one to the other through the NATS fabric; SIGTERM stops
// everything. Linux only: elsewhere the broker refuses MQTT_REUSE_PORT.
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brokerEventsWildcard, inboxPrefixOf, mesh } from '@octomesh/contracts';
import { connectNats, readSeedFile, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import type { MqttClient } from 'mqtt';
import { reusePortSupported } from '../../services/broker/src/listeners/index.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import {
  killOctomeshUp,
  refuses,
  startOctomeshUp,
  stopOctomeshUp,
  type RunningMesh,
} from '../support/octomesh-up.ts';

const CLIENTS = 40;
const describeWhereSupported = reusePortSupported() ? describe : describe.skip;

/** One sample of a broker's /metrics, NaN when absent. */
async function metric(healthPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

/** The replica each client connected to, from the brokers' connected events (usp-router's view). */
async function watchConnections(
  running: RunningMesh,
): Promise<{ nc: NatsConnection; replicaOf: Map<string, string> }> {
  const nc = await connectNats({
    servers: running.natsUrl,
    name: 'replicas-events',
    logger: createLogger('t', 'silent'),
    nkeySeed: readSeedFile(join(running.dataDir, 'nats-credentials', 'usp-router.nk')),
    inboxPrefix: inboxPrefixOf('usp-router'),
  });
  const replicaOf = new Map<string, string>();
  nc.subscribe(brokerEventsWildcard, {
    callback: (_error, msg) => {
      if (!msg.subject.endsWith('.connected')) return;
      const event = mesh.broker.v1.ClientConnected.decode(msg.data);
      replicaOf.set(event.clientId, event.replica);
    },
  });
  await nc.flush();
  return { nc, replicaOf };
}

describeWhereSupported('octomesh up --broker-replicas', () => {
  test('two broker processes share the MQTT port, each gets clients, a message crosses between them, and SIGTERM stops all', async () => {
    const running = await startOctomeshUp(['--broker-replicas', '2', '--allow-anonymous']);
    const clients: MqttClient[] = [];
    let events: NatsConnection | undefined;
    try {
      expect([...running.healthPorts.keys()]).toEqual([
        'auth',
        'acl',
        'broker-1',
        'broker-2',
        'usp-router',
      ]);
      const brokerHealth = [
        running.healthPorts.get('broker-1')!,
        running.healthPorts.get('broker-2')!,
      ];
      // --mqtt-port 0: the first replica picked the port and the second joined it.
      const port = running.listenerPorts.get('mqtt')!;
      expect(running.output()).toMatch(/\[broker-1\] .*"listener started"/);
      expect(running.output()).toMatch(/\[broker-2\] .*"listener started"/);
      const watched = await watchConnections(running);
      events = watched.nc;

      clients.push(
        ...(await Promise.all(
          Array.from({ length: CLIENTS }, (_, i) =>
            connectClient(`mqtt://127.0.0.1:${port}`, {
              protocolVersion: 5,
              clientId: `spread-${i}`,
            }),
          ),
        )),
      );
      // Each broker counts its own connections; the kernel gave both some (a 40-0 split has
      // odds of 2^-39 with Linux's hash of addresses and ports).
      const counts = await Promise.all(
        brokerHealth.map((h) => metric(h, 'octomesh_broker_connections')),
      );
      expect(counts[0]! + counts[1]!).toBe(CLIENTS);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);
      // Two replica names, <host>-1 and <host>-2.
      const replicaOf = await eventually('a connected event per client', () =>
        watched.replicaOf.size === CLIENTS ? watched.replicaOf : undefined,
      );
      const names = [...new Set(replicaOf.values())].sort();
      expect(names).toHaveLength(2);
      expect(names[0]).toMatch(/-1$/);
      expect(names[1]).toMatch(/-2$/);

      // A subscriber on one replica, a publisher on the other.
      const clientOn = (name: string) =>
        clients.find((c) => replicaOf.get(c.options.clientId!) === name)!;
      const subscriber = clientOn(names[0]!);
      const publisher = clientOn(names[1]!);
      const box = collect(subscriber);
      await subscriber.subscribeAsync('replicas/#', { qos: 1 });
      // The publisher's replica learns of the subscription one NATS hop after the SUBACK.
      await eventually(
        'a probe across replicas',
        async () => {
          await publisher.publishAsync('replicas/probe', 'probe', { qos: 0 });
          await new Promise((resolve) => setTimeout(resolve, 25));
          return box.messages.some((m) => m.topic === 'replicas/probe') ? true : undefined;
        },
        10_000,
      );
      await publisher.publishAsync('replicas/cross', 'from the other replica', { qos: 1 });
      const crossed = await eventually('the message across replicas', () =>
        box.messages.find((m) => m.topic === 'replicas/cross'),
      );
      expect(crossed.payload).toBe('from the other replica');
      expect(crossed.packet.qos).toBe(1);

      await Promise.all(clients.splice(0).map((c) => end(c)));
      await events.close();
      events = undefined;
      expect(await stopOctomeshUp(running)).toBe(0);
      expect(running.output()).toContain('octomesh stopped');
      // Nothing is left behind: NATS, the shared MQTT port and every health port refuse.
      const natsPort = Number(/:(\d+)$/.exec(running.natsUrl)?.[1]);
      for (const p of [natsPort, port, ...running.healthPorts.values()])
        expect(await refuses(p)).toBe(true);
    } finally {
      for (const client of clients) client.end(true);
      await events?.close();
      await killOctomeshUp(running);
    }
  }, 120_000);

  test('refuses to start when something already listens on the MQTT port, even with SO_REUSEPORT', async () => {
    // Another mesh's replica, as far as the kernel can tell: same user, SO_REUSEPORT set.
    const other = createServer();
    await new Promise<void>((resolve) =>
      other.listen({ host: '127.0.0.1', port: 0, reusePort: true }, resolve),
    );
    const taken = (other.address() as AddressInfo).port;
    try {
      await expect(
        startOctomeshUp([
          '--broker-replicas',
          '2',
          '--allow-anonymous',
          '--mqtt-port',
          String(taken),
        ]),
      ).rejects.toThrow(`--broker-replicas: port ${taken} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test('a replica count outside 1-64 is a usage error', async () => {
    await expect(startOctomeshUp(['--broker-replicas', '65'])).rejects.toThrow(
      /--broker-replicas must be between 1 and 64/,
    );
  });
});
