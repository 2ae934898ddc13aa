// The kit's bucket reads against a real nats-server: current values under a wildcard key, read
// once and bounded, watches replaying every revision, and emptying a bucket.
import {
  BucketReadError,
  connectNats,
  openBucket,
  purgeBucket,
  readBucketEntries,
  watchBucket,
  type KV,
  type NatsConnection,
} from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startNatsServer, type TestNatsServer } from '@octomesh/testing';

const BUCKET = 'kit-reads';
let server: TestNatsServer;
let nc: NatsConnection;
let kv: KV;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({
    servers: server.url,
    name: 'bucket-reads',
    logger: createLogger('test', 'silent'),
  });
  kv = await openBucket(nc, { name: BUCKET, history: 1, description: 'reads' }, 1, {
    timeoutMs: 2000,
  });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

beforeEach(async () => {
  await purgeBucket(nc, BUCKET);
});

const read = (key: string, maxEntries = 100) =>
  readBucketEntries(nc, BUCKET, key, { timeoutMs: 5000, maxEntries });

test('reads the last value of each key under a wildcard key, deleted keys and others left out', async () => {
  await kv.put('a.x', 'old');
  await kv.put('a.x', 'new');
  await kv.put('a.y', '1');
  await kv.put('a.z', '1');
  await kv.delete('a.z');
  await kv.put('b.x', '1');

  const entries = await read('a.*');

  expect(entries.map((e) => [e.key, Buffer.from(e.value).toString()]).sort()).toEqual([
    ['a.x', 'new'],
    ['a.y', '1'],
  ]);
  const revision = (await kv.get('a.x'))?.revision;
  expect(entries.find((e) => e.key === 'a.x')?.revision).toBe(revision);
});

test('keeps the last revision of each key in a bucket that keeps several', async () => {
  const kept = await openBucket(nc, { name: 'kit-reads-history', history: 5, description: 'h' });
  await kept.put('a.x', 'first');
  await kept.put('a.x', 'second');
  await kept.put('a.y', '1');
  await kept.delete('a.y');

  const entries = await readBucketEntries(nc, 'kit-reads-history', 'a.>', {
    timeoutMs: 5000,
    maxEntries: 2,
  });

  expect(entries.map((e) => [e.key, Buffer.from(e.value).toString()])).toEqual([['a.x', 'second']]);
});

test('a watch of every revision replays them in order before its initial done', async () => {
  const kept = await openBucket(nc, { name: 'kit-watch-history', history: 5, description: 'h' });
  await kept.put('k', '1');
  await kept.put('k', '2');
  await kept.delete('k');
  await kept.put('j', '3');
  const seen: string[] = [];
  let done!: () => void;
  const initial = new Promise<void>((resolve) => (done = resolve));

  const watch = await watchBucket(
    kept,
    (entry) => seen.push(`${entry.operation} ${entry.key}=${entry.string()}`),
    { everyRevision: true, onInitialDone: () => done() },
  );
  await initial;
  watch.stop();

  expect(seen).toEqual(['PUT k=1', 'PUT k=2', 'DEL k=', 'PUT j=3']);
});

test('returns at once when no key matches', async () => {
  await kv.put('a.x', '1');

  expect(await read('b.>')).toEqual([]);
});

test('fails with BucketReadError rather than hold more than maxEntries values', async () => {
  await Promise.all(['a.1', 'a.2', 'a.3'].map((key) => kv.put(key, '1')));

  await expect(read('a.*', 2)).rejects.toMatchObject({ kind: 'too-many' });
  await expect(read('a.*', 2)).rejects.toBeInstanceOf(BucketReadError);
  expect(await read('a.*', 3)).toHaveLength(3);
});

test('purgeBucket removes every value and delete marker', async () => {
  await kv.put('a.1', '1');
  await kv.put('a.2', '1');
  await kv.delete('a.2');

  expect(await purgeBucket(nc, BUCKET)).toBe(2);
  expect((await kv.status()).values).toBe(0);
});
