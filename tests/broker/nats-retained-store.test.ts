// Retained messages in the `mqtt-retained` bucket pass the same contract as the engine's memory
// store (libs/mqtt-engine), on a real NATS with the broker role's permissions, and are shared by
// replicas: each store here has its own connection, as each broker replica would.
import { BucketSpecs } from '@octomesh/contracts';
import { orderedPairs, userPropertiesOf, type RetainedStore } from '@octomesh/mqtt-engine';
import { openBucket, purgeBucket, type KV, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startSecuredBus, waitFor, type TestBus } from '@octomesh/testing';
import { retainedStoreContract } from '../../libs/mqtt-engine/src/retained-store.contract.ts';
import {
  LOOKUP_MIN,
  MATCH_SLACK,
  NatsRetainedStore,
  RetainedStoreUnavailableError,
  type NatsRetainedStoreOptions,
} from '../../services/broker/src/nats-retained-store.ts';

const logger = createLogger('nats-retained-store-test', 'silent');
let bus: TestBus;
let nc: NatsConnection;
let bucket: KV;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  bus = await startSecuredBus();
  nc = await bus.connect('broker', 'retained-test');
  bucket = await openBucket(nc, BucketSpecs.retained);
}, 90_000);

afterAll(async () => {
  for (const connection of connections.splice(0)) await connection.close();
  await nc?.close();
  await bus?.stop();
});

/** A store on an emptied bucket, with its own connection (one broker replica). */
async function replica(
  options: Partial<NatsRetainedStoreOptions> = {},
): Promise<NatsRetainedStore> {
  const own = await bus.connect('broker', 'retained-replica');
  connections.push(own);
  return NatsRetainedStore.open(own, { logger, ...options });
}

async function emptyBucket(): Promise<void> {
  await purgeBucket(nc, BucketSpecs.retained.name);
}

retainedStoreContract(
  'NatsRetainedStore',
  async ({ limits, now }) => {
    await emptyBucket();
    return NatsRetainedStore.open(nc, { logger, ...limits, now });
  },
  { dispose: (store: RetainedStore) => (store as NatsRetainedStore).close() },
);

describe('NatsRetainedStore across replicas', () => {
  const open: NatsRetainedStore[] = [];
  async function twoReplicas(
    options: Partial<NatsRetainedStoreOptions> = {},
  ): Promise<[NatsRetainedStore, NatsRetainedStore]> {
    await emptyBucket();
    const a = await replica(options);
    const b = await replica(options);
    open.push(a, b);
    return [a, b];
  }

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });

  test('a message set on one replica is returned and counted by another', async () => {
    const [a, b] = await twoReplicas();
    await a.set({ topic: 'site/1/status', payload: Buffer.from('online'), qos: 1 });

    expect((await b.get('site/1/status'))?.payload.toString()).toBe('online');
    expect((await b.match('site/+/status')).map((m) => m.topic)).toEqual(['site/1/status']);
    await waitFor('the other replica counts it', () => (b.size === 1 ? true : undefined));
    expect(b.bytes).toBe('site/1/status'.length + 'online'.length);
  });

  test('an empty payload on one replica deletes the message for every replica [MQTT-3.3.1-6]', async () => {
    const [a, b] = await twoReplicas();
    await a.set({ topic: 'x', payload: Buffer.from('1'), qos: 0 });
    await b.set({ topic: 'x', payload: Buffer.alloc(0), qos: 0 });

    expect(await a.get('x')).toBeUndefined();
    expect(await a.match('#')).toEqual([]);
    await waitFor('the first replica forgets it', () => (a.size === 0 ? true : undefined));
  });

  test('a replica refuses a new topic once other replicas filled the bucket to maxMessages', async () => {
    const [a, b] = await twoReplicas({ maxMessages: 2 });
    await a.set({ topic: 'a', payload: Buffer.from('1'), qos: 0 });
    await a.set({ topic: 'b', payload: Buffer.from('1'), qos: 0 });
    await waitFor('the other replica counts both', () => (b.size === 2 ? true : undefined));

    await expect(b.set({ topic: 'c', payload: Buffer.from('1'), qos: 0 })).rejects.toMatchObject({
      code: 'RETAINED_STORE_FULL',
      limit: 'maxMessages',
    });
    await b.set({ topic: 'a', payload: Buffer.from('replaced'), qos: 0 });
    expect((await a.get('a'))?.payload.toString()).toBe('replaced');
  });

  test('keeps payload bytes and every property exactly, user properties in wire order', async () => {
    const [a, b] = await twoReplicas();
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const userProperties = userPropertiesOf([
      ['k', '1'],
      ['other', 'é ✓'],
      ['k', '2'],
      ['', ''],
    ]);
    const properties = {
      payloadFormatIndicator: false,
      contentType: 'application/octet-stream',
      responseTopic: 'reply/here',
      correlationData: Buffer.from([0, 1, 0xfe, 0xff]),
      userProperties,
    };
    await a.set({ topic: 'bin/€', payload, qos: 2, properties, expiresAt: Date.now() + 60_000 });

    const held = await b.get('bin/€');
    expect(held?.payload.equals(payload)).toBe(true);
    expect(held?.properties).toEqual(properties);
    expect(Buffer.isBuffer(held?.properties?.['correlationData'])).toBe(true);
    expect(orderedPairs(held?.properties?.['userProperties'])).toEqual([
      ['k', '1'],
      ['other', 'é ✓'],
      ['k', '2'],
      ['', ''],
    ]);
    expect(held?.qos).toBe(2);
  });

  test('answers a literal filter with one lookup, and a narrow wildcard with lookups of its keys', async () => {
    const [a] = await twoReplicas();
    for (const topic of ['a', 'a/b', 'a/c', 'z/b']) {
      await a.set({ topic, payload: Buffer.from(topic), qos: 0 });
    }
    const before = { ...a.counters };

    expect((await a.match('a/b')).map((m) => m.topic)).toEqual(['a/b']);
    expect(a.counters.lookups - before.lookups).toBe(1);

    // 'a/#' is the parent 'a' plus the keys the index holds under 'a.>'; 'z/b' is not read.
    expect((await a.match('a/#')).map((m) => m.topic).sort()).toEqual(['a', 'a/b', 'a/c']);
    expect(a.counters.lookups - before.lookups).toBe(4);
    expect(a.counters.indexed - before.indexed).toBe(1);
    expect(a.counters.scans - before.scans).toBe(0);
  });

  test('reads a wildcard matching more keys than it looks up with one consumer per key filter', async () => {
    const [a, b] = await twoReplicas();
    const topics = Array.from({ length: LOOKUP_MIN + 1 }, (_, i) => `wide/${i}`);
    await Promise.all(topics.map((topic) => a.set({ topic, payload: Buffer.from('1'), qos: 0 })));
    await a.set({ topic: 'narrow/1', payload: Buffer.from('1'), qos: 0 });

    expect(await b.match('wide/+')).toHaveLength(topics.length);
    expect(b.counters.scans).toBe(1);
    expect(await b.match('narrow/#')).toHaveLength(1);
    expect(b.counters.scans).toBe(1);
  });

  test('skips and counts bucket entries that are not retained messages, and keeps working', async () => {
    const [a] = await twoReplicas();
    await a.set({ topic: 'good', payload: Buffer.from('1'), qos: 0 });
    // Written as any client with the bucket's write permission could: a bad value under a
    // valid key, a key our encoding never makes, and a value with a forged properties length.
    await bucket.put('bad', Buffer.from('not an envelope'));
    await bucket.put('x.=ZZ', Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x41]));
    const forged = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x41]);
    await bucket.put('forged', forged);

    expect(await a.get('bad')).toBeUndefined();
    expect(await a.get('forged')).toBeUndefined();
    expect((await a.match('#')).map((m) => m.topic)).toEqual(['good']);
    expect(a.counters.invalid).toBeGreaterThanOrEqual(3);
    await a.set({ topic: 'bad', payload: Buffer.alloc(0), qos: 0 });
    expect(await bucket.get('bad')).toMatchObject({ operation: 'DEL' });
  });

  test('deletes an expired message it reads, for every replica', async () => {
    let clock = Date.now();
    const [a, b] = await twoReplicas({ now: () => clock });
    await a.set({ topic: 'soon', payload: Buffer.from('1'), qos: 0, expiresAt: clock + 1000 });
    await waitFor('the other replica counts it', () => (b.size === 1 ? true : undefined));
    clock += 1000;

    expect(await a.get('soon')).toBeUndefined();
    await waitFor('the reader deletes it', () =>
      a.counters.expiredDeleted === 1 ? true : undefined,
    );
    await waitFor('both forget it', () => (a.size === 0 && b.size === 0 ? true : undefined));
    expect(await bucket.get('soon')).toMatchObject({ operation: 'DEL' });
  });

  test('fails a match that would return more than maxMessages plus slack rather than buffer it', async () => {
    const [writer] = await twoReplicas();
    const small = await replica({ maxMessages: 1 });
    open.push(small);
    const topics = Array.from({ length: MATCH_SLACK + 2 }, (_, i) => `many/${i}`);
    for (let i = 0; i < topics.length; i += 100) {
      await Promise.all(
        topics
          .slice(i, i + 100)
          .map((topic) => writer.set({ topic, payload: Buffer.from('1'), qos: 0 })),
      );
    }

    await expect(small.match('many/+')).rejects.toBeInstanceOf(RetainedStoreUnavailableError);
    expect(await writer.match('many/+')).toHaveLength(topics.length);
  });
});
