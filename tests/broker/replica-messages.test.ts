// Messages between broker replicas are input: a forged or malformed interest announcement or
// client id claim on the bus is dropped whole and counted, never applied in part.
import { encodeKvKey, inboxPrefixOf } from '@octomesh/contracts';
import { SubscriptionIndex } from '@octomesh/mqtt-engine';
import { connectNats, readSeedFile, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startSecuredBus, type TestBus } from '@octomesh/testing';
import { ClientIdClaims } from '../../services/broker/src/client-claims.ts';
import { ReplicaInterest } from '../../services/broker/src/replica-interest.ts';
import { eventually } from '../mqtt-engine/clients.ts';

const logger = createLogger('replica-messages-test', 'silent');

describe('messages between broker replicas are validated', () => {
  let bus: TestBus;
  let nc: NatsConnection;
  let forger: NatsConnection;
  const gate = new SubscriptionIndex();
  let interest: ReplicaInterest;
  let claims: ClientIdClaims;
  const released: string[] = [];

  beforeAll(async () => {
    bus = await startSecuredBus();
    const connect = (name: string) =>
      connectNats({
        servers: bus.url,
        name,
        logger,
        nkeySeed: readSeedFile(bus.seedFile('broker')),
        inboxPrefix: inboxPrefixOf('broker'),
      });
    nc = await connect('replica-under-test');
    forger = await connect('forger');
    interest = new ReplicaInterest({ nc, replica: 'victim/1', logger, gate, heartbeatMs: 60_000 });
    interest.start();
    claims = new ClientIdClaims({ nc, replica: 'victim/1', logger, peers: () => [] });
    claims.answer({
      release: (clientId) => {
        released.push(clientId);
        return Promise.resolve(true);
      },
    });
    await nc.flush();
  });
  afterAll(async () => {
    interest?.close();
    claims?.close();
    await nc?.close();
    await forger?.close();
    await bus?.stop();
  });

  const announce = async (body: unknown): Promise<void> => {
    forger.publish(
      `mqtt.interest.v1.r.${encodeKvKey('forged/1')}`,
      typeof body === 'string' ? body : JSON.stringify(body),
    );
    await forger.flush();
  };

  test('a valid snapshot is applied; an announcement with one bad key is dropped whole', async () => {
    await announce({ seq: 1, reset: true, add: ['ok/+'] });
    await eventually('the snapshot applied', () =>
      gate.match('ok/x').length > 0 ? true : undefined,
    );
    const before = interest.counters.invalid;
    // A share group holding '+' is no MQTT share name; the good key beside it is not applied.
    await announce({ seq: 2, add: ['good/1', '$share/g+x/f'] });
    await announce({ seq: 2, add: 'not a list' });
    await announce('{not json');
    await eventually('3 invalid counted', () =>
      interest.counters.invalid >= before + 3 ? true : undefined,
    );
    expect(gate.match('good/1')).toHaveLength(0);
    expect(gate.match('f')).toHaveLength(0);
  });

  test('a claim without its fields is dropped and counted; nothing is released', async () => {
    const before = claims.counters.invalid;
    const answers = await forger.requestMany(
      'mqtt.client.v1.claim',
      JSON.stringify({ clientId: 'x' }),
      {
        strategy: 'timer',
        maxWait: 300,
      },
    );
    const replies: unknown[] = [];
    for await (const answer of answers) replies.push(answer.data);
    await eventually('the claim counted invalid', () =>
      claims.counters.invalid > before ? true : undefined,
    );
    expect(replies).toEqual([]);
    expect(released).toEqual([]);
  });
});
