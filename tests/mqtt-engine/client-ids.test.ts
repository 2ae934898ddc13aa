// Client ids belong to identities (issue 9 §4): a device uses an empty id, its username or its
// endpoint id, anything else is refused with 0x85; the rightful owner always wins its id from a
// squatter (another identity's offline session or live connection), and nobody else takes an
// id its owner holds.
import { DEFAULT_CLIENT_ID_POLICY } from '@octomesh/mqtt-engine';
import { connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { closedWith, rawConnectWith } from './raw-client.ts';

const accounts = {
  adm: { password: 'pwa', role: 'admin' },
  dev: { password: 'pwd', role: 'device', endpointId: 'os::CID-1' },
};

describe('client ids belong to identities', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: { maxPublishRate: 0 },
      clientIdPolicy: DEFAULT_CLIENT_ID_POLICY,
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  const device = (clientId: string, version: 4 | 5 = 5, extra = {}) =>
    rawConnectWith(broker.port, {
      protocolVersion: version,
      clientId,
      clean: true,
      keepalive: 60,
      username: 'dev',
      password: Buffer.from('pwd'),
      ...extra,
    });

  test.each([5, 4] as const)(
    'MQTT %i: a device with an id that is neither its username nor its endpoint id is refused (0x85; 3.1.1: 2)',
    async (version) => {
      const refused = await device('someone-else', version);
      if (version === 5) expect(refused.connack.reasonCode).toBe(0x85);
      else expect(refused.connack.returnCode).toBe(2);
      await closedWith(refused);
    },
  );

  test.each(['dev', 'os::CID-1', ''])('a device may use the id %j', async (clientId) => {
    const accepted = await device(clientId);
    expect(accepted.connack.reasonCode).toBe(0);
    accepted.socket.destroy();
    await eventually('gone', () => (broker.engine.connections.size === 0 ? true : undefined));
  });

  test('the owner wins its id from a squatter: the squatter’s offline session is discarded', async () => {
    const squatter = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
      clientId: 'dev',
      properties: { sessionExpiryInterval: 7 * 24 * 3600 },
    });
    await squatter.subscribeAsync('lab/squat/#', { qos: 1 });
    await end(squatter);
    const reclaimedBefore = broker.engine.counters.clientIdsReclaimed;
    const owner = await device('dev', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    expect(owner.connack.reasonCode).toBe(0);
    expect(owner.connack.sessionPresent).toBe(false);
    expect(broker.engine.index.subscriptionsOf('dev')).toEqual([]);
    expect(broker.engine.counters.clientIdsReclaimed - reclaimedBefore).toBe(1);
    owner.socket.destroy();
  });

  test('the owner wins its id from a live squatter, which is disconnected with 0x8E', async () => {
    const squatter = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
      clientId: 'os::CID-1',
    });
    const disconnected = new Promise<number | undefined>((resolve) =>
      squatter.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const owner = await device('os::CID-1');
    expect(owner.connack.reasonCode).toBe(0);
    expect(await disconnected).toBe(0x8e);
    owner.socket.destroy();
    await end(squatter).catch(() => undefined);
  });

  test('nobody else takes an id its owner holds (0x87)', async () => {
    const owner = await device('dev', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    await expect(
      connectClient(broker.url, {
        protocolVersion: 5,
        username: 'adm',
        password: 'pwa',
        clientId: 'dev',
      }),
    ).rejects.toMatchObject({ code: 0x87 });
    expect(owner.socket.closed).toBe(false);
    owner.socket.destroy();
  });
});
