// NATS restarted in the middle of a QoS 1 stream between two broker replicas: the publisher on
// replica a keeps getting its PUBACKs while NATS is away (a holds what b's subscriber wants),
// and once NATS is back every message reaches the subscriber on b, in order and once. NATS is a
// local nats-server on a port chosen up front, so it can come back on it after a SIGKILL; its
// store directory keeps the KV buckets (accounts) across the restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Roles } from '@octomesh/contracts';
import {
  spawnNatsServer,
  type NatsServerProcess,
  type ServiceProcess,
} from '@octomesh/service-kit';
import { freePort } from '@octomesh/testing';
import type { MqttClient } from 'mqtt';
import { awaitPeers, serviceMetric, startAuthAndAcl, startBrokerReplica } from '../support/mesh.ts';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';

describe('NATS restarted in the middle of a QoS 1 stream between replicas', () => {
  let storeDir: string;
  let port: number;
  let nats: NatsServerProcess | undefined;
  const services: ServiceProcess[] = [];
  const brokers: ServiceProcess[] = [];
  const clients: MqttClient[] = [];

  const metric = (replica: number, name: string): Promise<number> =>
    serviceMetric(brokers[replica]!, name);

  const client = async (replica: number, clientId: string): Promise<MqttClient> => {
    const c = await connectClient(`mqtt://127.0.0.1:${brokers[replica]!.listenerPorts['mqtt']!}`, {
      protocolVersion: 5,
      clientId,
      username: 'adm',
      password: 'pw-a',
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'octomesh-restart-'));
    port = await freePort();
    nats = await spawnNatsServer({ storeDir, port });
    const url = `nats://127.0.0.1:${port}`;
    services.push(
      ...(await startAuthAndAcl(url, [{ username: 'adm', password: 'pw-a', role: Roles.admin }])),
    );
    for (const name of ['a', 'b']) {
      // Small enough for the second test to fill, large enough for the first never to.
      const broker = await startBrokerReplica(url, name, { MQTT_FABRIC_HOLD_MESSAGES: '400' });
      brokers.push(broker);
      services.push(broker);
    }
    await awaitPeers(brokers);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => end(c)));
    await Promise.all(services.map((s) => s.stop()));
    await nats?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  test('every message published before, during and after the restart arrives in order, once', async () => {
    const sub = await client(1, 'restart-sub');
    const box = collect(sub);
    await sub.subscribeAsync('stream/#', { qos: 1 });
    const pub = await client(0, 'restart-pub');
    // a knows b's interest once a probe gets through.
    await eventually(
      'a probe from a to b',
      async () => {
        await pub.publishAsync('stream/probe', 'probe', { qos: 0 });
        await new Promise((resolve) => setTimeout(resolve, 25));
        return box.messages.some((m) => m.topic === 'stream/probe') ? true : undefined;
      },
      10_000,
    );
    const total = 300;
    let acknowledged = 0;
    let restarted: Promise<void> | undefined;
    for (let i = 0; i < total; i++) {
      // One at a time: every PUBACK comes while NATS is wherever the test has put it.
      await pub.publishAsync('stream/m', String(i), { qos: 1 });
      acknowledged++;
      if (i === 100) {
        nats!.child.kill('SIGKILL');
        await new Promise((resolve) => nats!.child.once('exit', resolve));
        // Down for a second, then back on the same port and store while a keeps publishing.
        restarted = new Promise<void>((resolve, reject) => {
          setTimeout(() => {
            spawnNatsServer({ storeDir, port }).then((server) => {
              nats = server;
              resolve();
            }, reject);
          }, 1000);
        });
      }
      if (i > 100 && i < 200) await new Promise((resolve) => setTimeout(resolve, 10));
      if (i === 199) {
        // The last 100 go once a has sent what it held: after the recovery.
        await restarted;
        await eventually(
          'a has sent what it held',
          async () => ((await metric(0, 'octomesh_broker_fabric_held')) === 0 ? true : undefined),
          20_000,
        );
      }
    }
    expect(acknowledged).toBe(total);
    await eventually(
      `all ${total} messages on b`,
      () => (box.messages.filter((m) => m.topic === 'stream/m').length >= total ? true : undefined),
      30_000,
    );
    // Let any late second copy arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const received = box.messages
      .filter((m) => m.topic === 'stream/m')
      .map((m) => Number(m.payload));
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(await metric(0, 'octomesh_broker_fabric_outages_total')).toBeGreaterThanOrEqual(1);
    const heldSent = await metric(0, 'octomesh_broker_fabric_held_sent_total');
    expect(heldSent).toBeGreaterThan(0);
    expect(await metric(0, 'octomesh_broker_fabric_held')).toBe(0);
    // Neither replica took the other for dead: NATS being away says nothing about the peer.
    expect(await metric(0, 'octomesh_broker_peer_replicas_gone_total')).toBe(0);
    expect(await metric(1, 'octomesh_broker_peer_replicas_gone_total')).toBe(0);
    process.stderr.write(`NATS restart mid-stream: ${heldSent} messages held and sent by a\n`);
  }, 90_000);

  test('past its bound the hold refuses QoS 1 with 0x97; what it accepted arrives once NATS is back', async () => {
    const sub = await client(1, 'bound-sub');
    const box = collect(sub);
    await sub.subscribeAsync('bound/#', { qos: 1 });
    const pub = await client(0, 'bound-pub');
    await eventually(
      'a probe from a to b',
      async () => {
        // On the topic the test uses: its authorization (cached) cannot be asked while NATS is away.
        await pub.publishAsync('bound/m', 'probe', { qos: 0 });
        await new Promise((resolve) => setTimeout(resolve, 25));
        return box.messages.some((m) => m.topic === 'bound/m') ? true : undefined;
      },
      10_000,
    );
    // Nothing sent lately: the hold starts empty (no replay).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const refusedBefore = await metric(0, 'octomesh_broker_fabric_held_refused_total');
    nats!.child.kill('SIGKILL');
    await new Promise((resolve) => nats!.child.once('exit', resolve));
    await eventually(
      'a notices the outage',
      async () =>
        (await metric(0, 'octomesh_broker_fabric_outages_total')) >= 2 ? true : undefined,
      10_000,
    );
    let accepted = 0;
    let refusal: unknown;
    for (let i = 0; i < 1000 && refusal === undefined; i++) {
      try {
        await pub.publishAsync('bound/m', String(i), { qos: 1 });
        accepted++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(accepted).toBe(400);
    expect((refusal as { code?: number }).code).toBe(0x97);
    expect(await metric(0, 'octomesh_broker_fabric_held_refused_total')).toBe(refusedBefore + 1);
    nats = await spawnNatsServer({ storeDir, port });
    await eventually(
      `the ${accepted} accepted messages on b`,
      () =>
        box.messages.filter((m) => m.topic === 'bound/m' && m.payload !== 'probe').length >=
        accepted
          ? true
          : undefined,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const received = box.messages
      .filter((m) => m.topic === 'bound/m' && m.payload !== 'probe')
      .map((m) => Number(m.payload));
    // The refused one never reached anyone.
    expect(received).toEqual(Array.from({ length: accepted }, (_, i) => i));
  }, 90_000);
});
