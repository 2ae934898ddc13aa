// The NATS fabric passes the same contract as the local one (libs/mqtt-engine), as two broker
// replicas on a real NATS with the broker role's permissions: interest announced and learned,
// overlapping subscriptions kept once, shared groups through queue groups.
import { NatsFabric } from '../../services/broker/src/fabric.ts';
import { messageFabricContract } from '../../libs/mqtt-engine/src/message-fabric.contract.ts';
import { createLogger } from '@octomesh/service-kit';
import type { NatsConnection } from '@octomesh/nats-kit';
import { connectNats, readSeedFile } from '@octomesh/nats-kit';
import { inboxPrefixOf } from '@octomesh/contracts';
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
