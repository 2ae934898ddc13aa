// The stream of offline sessions' messages (issue 11) on a real nats-server with the bus
// permissions, connected as role broker: what goes in comes out once, in order, with everything
// a resumed delivery needs; what another hand wrote on the subject is validated; a session's
// bound drops its oldest; the end of a session drops the rest.
import { SessionMessageStream, encodeKvKey } from '@octomesh/contracts';
import type { PendingDelivery } from '@octomesh/mqtt-engine';
import { headersOf, jetstream, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startSecuredBus, type TestBus } from '@octomesh/testing';
import { NatsSessionMessages } from '../../services/broker/src/nats-session-messages.ts';

const logger = createLogger('nats-session-messages-test', 'silent');
let bus: TestBus;
let nc: NatsConnection;
let store: NatsSessionMessages;

beforeAll(async () => {
  bus = await startSecuredBus();
  nc = await bus.connect('broker', 'session-messages-test');
  store = await NatsSessionMessages.open(nc, {
    logger,
    replica: 'r/1',
    maxPerSession: 5,
    maxBytes: 1 << 20,
    maxAgeSeconds: 3600,
  });
});
afterAll(async () => {
  await nc?.close();
  await bus?.stop();
});

function pending(
  topic: string,
  payload: string,
  extra: Partial<PendingDelivery> = {},
): PendingDelivery {
  return {
    delivery: {
      message: {
        topic,
        payload: Buffer.from(payload),
        qos: 2,
        retain: false,
        properties: {
          responseTopic: 'r/t',
          correlationData: Buffer.from([1, 2]),
          userProperties: { k: ['1', '2'] },
        },
        publisherClientId: 'pub-1',
        expiresAt: Date.now() + 60_000,
      },
      qos: extra.delivery?.qos ?? 1,
      retain: false,
      subscriptionIds: [7],
    },
    ...extra,
  };
}

test('what is appended is taken once, in order, with packet ids, PUBREL state and properties', async () => {
  await store.append('dev/1 ü', [
    pending('a/b', 'in flight', { packetId: 12 }),
    {
      ...pending('a/b', 'released', { packetId: 13, state: 'pubrel' }),
      delivery: { ...pending('a/b', 'released').delivery, qos: 2 },
    },
  ]);
  await store.append('dev/1 ü', [pending('a/c', 'queued')]);
  const taken = await store.take('dev/1 ü');
  expect(taken.map((p) => p.delivery.message.payload.toString())).toEqual([
    'in flight',
    'released',
    'queued',
  ]);
  expect(taken.map((p) => [p.packetId, p.state, p.delivery.qos])).toEqual([
    [12, undefined, 1],
    [13, 'pubrel', 2],
    [undefined, undefined, 1],
  ]);
  const first = taken[0]!.delivery;
  expect(first.message.topic).toBe('a/b');
  expect(first.subscriptionIds).toEqual([7]);
  expect(first.message.properties.responseTopic).toBe('r/t');
  expect(Buffer.from(first.message.properties.correlationData!)).toEqual(Buffer.from([1, 2]));
  expect(first.message.properties.userProperties).toEqual({ k: ['1', '2'] });
  expect(first.message.expiresAt).toBeGreaterThan(Date.now());
  // Taken means gone.
  expect(await store.take('dev/1 ü')).toEqual([]);
});

test('an empty subject costs one lookup and gives nothing', async () => {
  expect(await store.take('never-stored')).toEqual([]);
});

test('past the per-session bound the oldest go first', async () => {
  for (let i = 0; i < 8; i++) await store.append('bounded', [pending('b/x', String(i))]);
  const taken = await store.take('bounded');
  expect(taken.map((p) => p.delivery.message.payload.toString())).toEqual([
    '3',
    '4',
    '5',
    '6',
    '7',
  ]);
});

test('drop removes everything of one client id and nothing of another', async () => {
  await store.append('ended', [pending('c/x', '1'), pending('c/x', '2')]);
  await store.append('kept', [pending('c/x', '3')]);
  await store.drop('ended');
  expect(await store.take('ended')).toEqual([]);
  expect((await store.take('kept')).map((p) => p.delivery.message.payload.toString())).toEqual([
    '3',
  ]);
});

test('a message another hand wrote on the subject is dropped and counted, the valid ones kept', async () => {
  const subject = `${SessionMessageStream.subjectPrefix}.${encodeKvKey('forged')}`;
  const invalidBefore = store.counters.invalid;
  const bad: [string, string][][] = [
    [], // no headers at all
    [
      ['Octomesh-Topic', 'd%2F%23'],
      ['Octomesh-Delivery', '{"q":1,"r":false}'],
    ], // a filter
    [
      ['Octomesh-Topic', 'd%2Fx'],
      ['Octomesh-Delivery', '{"q":0,"r":false}'],
    ], // QoS 0
    [
      ['Octomesh-Topic', 'd%2Fx'],
      ['Octomesh-Delivery', '{"q":1,"r":false,"p":70000}'],
    ],
    [
      ['Octomesh-Topic', 'd%2Fx'],
      ['Octomesh-Delivery', '{"q":1,"r":false,"st":"pubrel","p":1}'],
    ],
  ];
  const js = jetstream(nc);
  // In rounds of three: with the valid ones on both sides, a round is the bound of 5.
  for (let round = 0; round < bad.length; round += 3) {
    await store.append('forged', [pending('d/x', 'before')]);
    for (const headers of bad.slice(round, round + 3)) {
      await js.publish(
        subject,
        'forged',
        headers.length > 0 ? { headers: headersOf(headers) } : {},
      );
    }
    await store.append('forged', [pending('d/x', 'after')]);
    const taken = await store.take('forged');
    expect(taken.map((p) => p.delivery.message.payload.toString())).toEqual(['before', 'after']);
  }
  expect(store.counters.invalid).toBe(invalidBefore + bad.length);
});
