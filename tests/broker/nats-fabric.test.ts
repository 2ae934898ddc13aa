// The NATS fabric passes the same contract as the local one (libs/mqtt-engine), as two broker
// replicas on a real NATS with the broker role's permissions: interest announced and learned,
// overlapping subscriptions kept once, shared groups through queue groups.
import { NatsFabric } from '../../services/broker/src/fabric.ts';
import { messageFabricContract } from '../../libs/mqtt-engine/src/message-fabric.contract.ts';
import { createLogger } from '@octomesh/service-kit';
import type { NatsConnection } from '@octomesh/nats-kit';
import { connectNats, headersOf, readSeedFile } from '@octomesh/nats-kit';
import { createHash } from 'node:crypto';
import { encodeFabricHeaders, inboxPrefixOf } from '@octomesh/contracts';
import { startSecuredBus, type TestBus } from '@octomesh/testing';
import type { MessageFabric } from '@octomesh/mqtt-engine';

let bus: TestBus;
let replicas = 0;
/** Every replica a test made, closed after it even when the test failed. */
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  bus = await startSecuredBus();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await bus?.stop();
});

const logger = createLogger('nats-fabric-test', 'silent');

async function brokerConnection(noEcho: boolean): Promise<NatsConnection> {
  return connectNats({
    servers: bus.url,
    name: 'nats-fabric-test',
    logger,
    nkeySeed: readSeedFile(bus.seedFile('broker')),
    inboxPrefix: inboxPrefixOf('broker'),
    noEcho,
  });
}

async function replica(): Promise<{ fabric: NatsFabric; close(): Promise<void> }> {
  const nc = await brokerConnection(true);
  const sharedNc = await brokerConnection(false);
  const fabric = new NatsFabric({
    nc,
    sharedNc,
    replica: `test-${++replicas}`,
    logger,
    exportFilters: [],
    heartbeatMs: 200,
  });
  let closed = false;
  const handle = {
    fabric,
    async close() {
      if (closed) return;
      closed = true;
      await fabric.close();
      await nc.close();
      await sharedNc.close();
    },
  };
  open.push(handle);
  return handle;
}

messageFabricContract('NATS', async () => {
  const a = await replica();
  const b = await replica();
  return {
    a: a.fabric,
    b: b.fabric,
    async interestKnown(from: MessageFabric, topic: string) {
      const deadline = Date.now() + 5000;
      while (!(from as NatsFabric).wants(topic)) {
        if (Date.now() > deadline)
          throw new Error(`interest in ${topic} never reached the publisher`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async dispose() {
      await a.close();
      await b.close();
    },
  };
});

test('a shared message whose replica has no member left goes to a member on another replica, once', async () => {
  const a = await replica();
  const b = await replica();
  const publisher = await replica();
  const atA: string[] = [];
  const atB: string[] = [];
  a.fabric.subscribe((m, shared) => (shared === undefined ? undefined : atA.push(m.topic)));
  // b's engine answers as one whose last member has just left: the group's interest is withdrawn
  // at the first message, and every message that reaches b is refused, as Engine.#routeShared
  // does for those already on their way.
  b.fabric.subscribe((m, shared) => {
    if (shared === undefined) return undefined;
    if (atB.length === 0) b.fabric.interest('jobs/+', 'workers', false);
    atB.push(m.topic);
    return false;
  });
  a.fabric.interest('jobs/+', 'workers', true);
  b.fabric.interest('jobs/+', 'workers', true);
  const deadline = Date.now() + 5000;
  while (!publisher.fabric.interestOfPeers.peersShare('jobs/+', 'workers')) {
    if (Date.now() > deadline) throw new Error('the group never reached the publisher');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Both queue subscriptions at the server before the first message.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const total = 40;
  // One burst: NATS hands b its share before b's withdrawal reaches the server.
  for (let i = 0; i < total; i++) {
    void publisher.fabric.publish({
      topic: `jobs/${i}`,
      payload: Buffer.from(String(i)),
      qos: 1,
      retain: false,
      properties: {},
      expiresAt: undefined,
      publisherClientId: 'p',
    });
  }
  const until = Date.now() + 5000;
  while (atA.length < total && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  // NATS handed some to b (which refused them); every message reached a exactly once.
  expect(atB.length).toBeGreaterThan(0);
  expect(a.fabric.counters.invalid).toBe(0);
  expect([...atA].sort()).toEqual(Array.from({ length: total }, (_, i) => `jobs/${i}`).sort());
  expect(b.fabric.counters.sharedRedirected).toBe(atB.length);
});

test('a hand-over whose topic is outside the group, or whose hop count is bad, is dropped and counted', async () => {
  const a = await replica();
  const sender = await brokerConnection(true);
  open.push({ close: () => sender.close() });
  const handed: string[] = [];
  a.fabric.subscribe((m, shared) => (shared === undefined ? undefined : handed.push(m.topic)));
  a.fabric.interest('jobs/+', 'workers', true);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // The queue group (and redirect subject) the fabric derives from the group and filter.
  const queue = `mqtt-share-${createHash('sha256').update('workers\njobs/+').digest('hex').slice(0, 32)}`;
  const forge = (topic: string, redirects: string): void => {
    sender.publish(`mqtt.share.v1.${queue}`, 'x', {
      headers: headersOf([
        ...encodeFabricHeaders({ qos: 1, retain: false, replica: 'test-forger' }),
        ['Octomesh-Topic', encodeURIComponent(topic)],
        ['Octomesh-Redirects', redirects],
      ]),
    });
  };
  forge('other/1', '1'); // outside the group's filter
  forge('jobs/1/deeper', '1'); // outside too: one level only
  forge('jobs/2', '9'); // past the hop limit
  forge('jobs/3', 'x'); // not a number
  forge('jobs/ok', '1'); // a valid one, last: once it arrives, the others have been judged
  await sender.flush();
  const deadline = Date.now() + 5000;
  while (handed.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(handed).toEqual(['jobs/ok']);
  expect(a.fabric.counters.invalid).toBe(4);
});
