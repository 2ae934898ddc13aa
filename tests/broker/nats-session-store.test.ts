// The NATS KV session store (issue 11) on a real nats-server with the bus permissions, connected
// as role broker: the contract every SessionStore passes, then what only a store that several
// replicas share must get right (ownership races, input from NATS, the bound, the sweeper).
import { createServer, type Server } from 'node:net';
import { BucketSpecs, encodeKvKey } from '@octomesh/contracts';
import type { StoredSession } from '@octomesh/mqtt-engine';
import { connectNats, openBucket, type KV, type NatsConnection } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startSecuredBus, type TestBus } from '@octomesh/testing';
import { sessionStoreContract } from '../../libs/mqtt-engine/src/session-store.contract.ts';
import {
  NatsSessionStore,
  type NatsSessionStoreOptions,
} from '../../services/broker/src/nats-session-store.ts';
import { startSessionSweeper } from '../../services/broker/src/session-sweeper.ts';
import { eventually } from '../mqtt-engine/clients.ts';

const logger = createLogger('nats-session-store-test', 'silent');
let bus: TestBus;
let nc: NatsConnection;
let kv: KV;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  bus = await startSecuredBus();
  nc = await bus.connect('broker', 'session-store-test');
  kv = await openBucket(nc, BucketSpecs.sessions);
});
afterAll(async () => {
  for (const c of connections) await c.close();
  await nc?.close();
  await bus?.stop();
});

// Each test starts from an empty bucket: the bound counts every value in it.
async function emptyBucket(): Promise<void> {
  const reply = await nc.request(`$JS.API.STREAM.PURGE.KV_${BucketSpecs.sessions.name}`, '{}', {
    timeout: 2000,
  });
  expect(reply.json<{ success?: boolean }>().success).toBe(true);
}

// A broker replica: its own connection and store.
async function replica(
  name: string,
  options: Partial<NatsSessionStoreOptions> = {},
): Promise<NatsSessionStore> {
  const connection = await bus.connect('broker', name);
  connections.push(connection);
  return NatsSessionStore.open(connection, {
    maxSessions: 100,
    replica: name,
    logger,
    ...options,
  });
}

function session(clientId: string, filter = 'a/+', disconnectedAt = Date.now()): StoredSession {
  return {
    clientId,
    identitySubject: `user:${clientId}`,
    expirySeconds: 600,
    disconnectedAt,
    subscriptions: [
      {
        clientId,
        filter,
        options: { qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      },
    ],
  };
}

async function values(): Promise<number> {
  return (await kv.status()).values;
}

sessionStoreContract('NATS KV', async ({ maxSessions }) => {
  await emptyBucket();
  const store = await replica('contract', { maxSessions });
  return { store, dispose: () => Promise.resolve() };
});

describe('sessions shared by broker replicas', () => {
  // One wall clock for every replica, moved by the test: attach order is what decides.
  let now = 1_000_000;
  const clock = (): number => now;
  // The client's connection attaches on `store` (the engine loads the session first).
  const attach = async (store: NatsSessionStore, clientId: string) => {
    now += 1000;
    return store.load(clientId);
  };

  beforeEach(emptyBucket);

  test('a session saved on one replica resumes on another, whose later save replaces it', async () => {
    const a = await replica('ra', { clock });
    const b = await replica('rb', { clock });
    await attach(a, 'c1');
    await a.save(session('c1', 'old/+', now));
    expect((await attach(b, 'c1'))?.subscriptions[0]?.filter).toBe('old/+');
    await b.save(session('c1', 'new/+', now));
    const c = await replica('rc', { clock });
    expect((await attach(c, 'c1'))?.subscriptions[0]?.filter).toBe('new/+');
  });

  test('a late save from an older connection does not resurrect a session a newer connection ended', async () => {
    const a = await replica('ra', { clock });
    const b = await replica('rb', { clock });
    await attach(a, 'c2');
    await a.save(session('c2', 'first/+', now));
    // The client comes back on b with a clean start while a has not noticed its connection died.
    expect(await attach(b, 'c2')).toBeDefined();
    await b.delete('c2');
    await a.save(session('c2', 'stale/+', now));
    expect(a.counters.superseded).toBe(1);
    expect(await attach(await replica('rc', { clock }), 'c2')).toBeUndefined();
  });

  test('the same holds when nothing was stored before the newer connection attached', async () => {
    const a = await replica('ra', { clock });
    const b = await replica('rb', { clock });
    await attach(a, 'c3');
    await attach(b, 'c3');
    await b.save(session('c3', 'b/+', now));
    await b.delete('c3');
    await a.save(session('c3', 'stale/+', now));
    expect(a.counters.superseded).toBe(1);
    expect(await attach(await replica('rc', { clock }), 'c3')).toBeUndefined();
  });

  test('the save of the connection that attached last wins, whichever save arrives last', async () => {
    const a = await replica('ra', { clock });
    const b = await replica('rb', { clock });
    for (const [clientId, order] of [
      ['older-first', [a, b]],
      ['newer-first', [b, a]],
    ] as const) {
      await attach(a, clientId);
      await attach(b, clientId);
      for (const store of order) {
        await store.save(session(clientId, store === a ? 'from/a' : 'from/b', now));
      }
      expect(
        (await attach(await replica('rc', { clock }), clientId))?.subscriptions[0]?.filter,
      ).toBe('from/b');
    }
    expect(a.counters.superseded).toBe(1);
    expect(b.counters.superseded).toBe(0);
  });

  test('a session resumed elsewhere survives the old replica ending its copy', async () => {
    const a = await replica('ra', { clock });
    const b = await replica('rb', { clock });
    await attach(a, 'c4');
    await a.save(session('c4', 'a/+', now));
    expect(await attach(b, 'c4')).toBeDefined();
    // a's copy in memory expires while the client is connected to b.
    await a.delete('c4');
    await b.save(session('c4', 'b/+', now));
    expect((await attach(await replica('rc', { clock }), 'c4'))?.subscriptions[0]?.filter).toBe(
      'b/+',
    );
  });

  test('a replica that never saw the client id cannot delete its session', async () => {
    const a = await replica('ra', { clock });
    const b = await replica('rb', { clock });
    await attach(b, 'c5');
    await b.save(session('c5', 'b/+', now));
    await a.delete('c5');
    expect(a.counters.superseded).toBe(1);
    expect(await attach(b, 'c5')).toBeDefined();
  });

  test("one replica's operations on a client id apply in the order they were called", async () => {
    const a = await replica('ra', { clock });
    await attach(a, 'c6');
    const calls = [
      a.save(session('c6', 'x/+', now)),
      a.delete('c6'),
      a.save(session('c6', 'y/+', now)),
      a.delete('c6'),
    ];
    await Promise.all(calls);
    expect(await attach(a, 'c6')).toBeUndefined();
  });

  test('the end of a session that never stored anything costs no write', async () => {
    const a = await replica('ra', { clock });
    await attach(a, 'c7');
    await a.delete('c7');
    expect(a.counters.ended).toBe(0);
    expect(await values()).toBe(0);
  });
});

describe('what the store reads from NATS', () => {
  beforeEach(emptyBucket);

  test('a value that is not JSON loads as no session, is counted, and a save replaces it', async () => {
    const store = await replica('r-json');
    await kv.put(encodeKvKey('bad/json'), 'not json');
    expect(await store.load('bad/json')).toBeUndefined();
    expect(store.counters.invalid).toBe(1);
    await store.save(session('bad/json'));
    expect(await store.load('bad/json')).toEqual(session('bad/json', 'a/+', expect.any(Number)));
  });

  test('a record filed under another client id is not handed out', async () => {
    const store = await replica('r-key');
    await store.load('other');
    await store.save(session('other'));
    const entry = await kv.get(encodeKvKey('other'));
    await kv.put(encodeKvKey('victim'), entry!.value);
    expect(await store.load('victim')).toBeUndefined();
    expect(store.counters.invalid).toBe(1);
  });

  test('a subscription the engine could not index never reaches it', async () => {
    const store = await replica('r-sub');
    const bad = session('bad-sub', 'a/#/b');
    await kv.put(
      encodeKvKey('bad-sub'),
      JSON.stringify({ v: 1, owner: 'x', since: 1, session: { ...bad, subscriptions: [] } }),
    );
    expect(await store.load('bad-sub')).toBeDefined();
    await kv.put(
      encodeKvKey('bad-sub'),
      JSON.stringify({
        v: 1,
        owner: 'x',
        since: 1,
        session: {
          ...bad,
          subscriptions: [{ filter: 'a/#/b', options: bad.subscriptions[0]!.options }],
        },
      }),
    );
    expect(await store.load('bad-sub')).toBeUndefined();
    expect(store.counters.invalid).toBe(1);
  });
});

describe('the bound and expiry', () => {
  beforeEach(emptyBucket);

  test('a full bucket refuses a new session but lets a stored one be saved again', async () => {
    const store = await replica('r-full', { maxSessions: 2 });
    await store.save(session('k1'));
    await store.save(session('k2'));
    await store.save(session('k1', 'again/+'));
    await expect(store.save(session('k3'))).rejects.toMatchObject({ code: 'SESSION_STORE_FULL' });
    expect(store.counters.refusedFull).toBe(1);
  });

  test('an expired session found by load is removed from the bucket, leaving no marker', async () => {
    const store = await replica('r-exp');
    await store.save({ ...session('e1'), expirySeconds: 1, disconnectedAt: 0 });
    expect(await values()).toBe(1);
    expect(await store.load('e1')).toBeUndefined();
    expect(await values()).toBe(0);
  });

  test('the sweeper removes expired sessions and old end marks in bounded passes, and keeps the rest', async () => {
    let now = Date.now();
    const store = await replica('r-sweep', { clock: () => now, endedRetentionMs: 60_000 });
    for (let i = 0; i < 7; i++) {
      await store.save({
        ...session(`expired-${i}`),
        expirySeconds: 1,
        disconnectedAt: now - 2000,
      });
    }
    for (let i = 0; i < 3; i++) await store.save(session(`live-${i}`, 'a/+', now));
    await store.load('ended');
    await store.save(session('ended', 'a/+', now));
    await store.delete('ended');
    await kv.put(encodeKvKey('garbage'), '{');
    expect(await values()).toBe(12);

    // Not old enough yet: the end mark and the garbage stay, the expired sessions go.
    const passes = [];
    do passes.push(await store.sweepExpired(now, { maxScanned: 4, batchSize: 2 }));
    while (!passes.at(-1)!.complete);
    expect(passes.length).toBe(3);
    expect(passes.every((p) => p.scanned <= 4)).toBe(true);
    expect(passes.reduce((n, p) => n + p.expiredRemoved, 0)).toBe(7);
    expect(await values()).toBe(5);

    now += 61_000;
    expect(await store.sweepExpired(now)).toMatchObject({ discardedRemoved: 2, complete: true });
    expect(await values()).toBe(3);
    for (let i = 0; i < 3; i++) expect(await store.load(`live-${i}`, now - 61_000)).toBeDefined();
  });

  test('a session saved as connected outlives its expiry until its replica is gone; then its expiry starts', async () => {
    let now = Date.now();
    const clock = (): number => now;
    const dead = await replica('r-dead', { clock });
    // Saved while connected, long ago: a replica that then died leaves it so.
    await dead.load('held-1');
    await dead.save({
      ...session('held-1'),
      expirySeconds: 10,
      disconnectedAt: now,
      connected: true,
    });
    await dead.load('held-2');
    await dead.save({
      ...session('held-2'),
      expirySeconds: 10,
      disconnectedAt: now,
      connected: true,
    });
    now += 60_000;
    // Another replica that still hears r-dead sweeps: nothing happens.
    const alive = new Set(['r-dead', 'r-survivor']);
    const survivor = await replica('r-survivor', { clock, isLive: (r) => alive.has(r) });
    expect(await survivor.sweepExpired(now)).toMatchObject({ expiredRemoved: 0, complete: true });
    expect(survivor.counters.orphansReleased).toBe(0);
    // Found by a resume meanwhile: not expired, though its expiry passed since its last save.
    expect(await survivor.load('held-1', now)).toMatchObject({
      clientId: 'held-1',
      connected: true,
    });
    // r-dead is gone: the sweep marks held-2 disconnected from now on.
    alive.delete('r-dead');
    await survivor.sweepExpired(now);
    expect(survivor.counters.orphansReleased).toBeGreaterThanOrEqual(1);
    const released = await kv.get(encodeKvKey('held-2'));
    const record = JSON.parse(new TextDecoder().decode(released!.value)) as {
      owner: string;
      session: { connected?: boolean; disconnectedAt: number };
    };
    expect(record.owner).toBe('r-dead');
    expect(record.session.connected).toBeUndefined();
    expect(record.session.disconnectedAt).toBe(now);
    // Its expiry now runs: within it the session resumes, past it the sweeper removes it.
    const other = await replica('r-later', { clock });
    expect(await other.load('held-2', now + 5_000)).toBeDefined();
    now += 11_000;
    await survivor.sweepExpired(now);
    expect(await kv.get(encodeKvKey('held-2'))).toBeNull();
  });

  test('the sessions of a dead replica are taken over once among survivors, its own only', async () => {
    const now = Date.now();
    const dead = await replica('r-died');
    const other = await replica('r-other');
    for (let i = 0; i < 6; i++) {
      await dead.load(`mine-${i}`);
      await dead.save({
        ...session(`mine-${i}`),
        disconnectedAt: now - 1000,
        ...(i % 2 === 0 ? { connected: true } : {}),
      });
    }
    await dead.load('expired-1');
    await dead.save({ ...session('expired-1'), expirySeconds: 1, disconnectedAt: now - 5000 });
    await other.load('theirs-1');
    await other.save(session('theirs-1'));
    const s1 = await replica('r-s1');
    const s2 = await replica('r-s2');
    const [won1, won2] = await Promise.all([s1.adoptFrom('r-died'), s2.adoptFrom('r-died')]);
    const won = [...won1, ...won2].map((x) => x.clientId).sort();
    // Each of r-died's live sessions exactly once; not the expired one, not another's.
    expect(won).toEqual(Array.from({ length: 6 }, (_, i) => `mine-${i}`));
    // One saved while connected now counts as disconnected, from the adoption on.
    const wasConnected = [...won1, ...won2].find((x) => x.clientId === 'mine-0')!;
    expect(wasConnected.connected).toBeUndefined();
    expect(wasConnected.disconnectedAt).toBeGreaterThanOrEqual(now);
    // The winner is the owner in KV now; a client resuming elsewhere still takes it over.
    const winner = won1.some((x) => x.clientId === 'mine-1') ? 'r-s1' : 'r-s2';
    expect((await s1.holder('mine-1'))?.owner).toBe(winner);
    const later = await replica('r-later-2');
    expect(await later.load('mine-1')).toBeDefined();
    await later.save(session('mine-1', 'b/+'));
    expect((await s1.holder('mine-1'))?.owner).toBe('r-later-2');
  });

  test('the sweeper started on a replica removes expired sessions by itself', async () => {
    const store = await replica('r-sweeper');
    await store.save({ ...session('gone'), expirySeconds: 1, disconnectedAt: 0 });
    await store.save(session('kept'));
    const sweeper = startSessionSweeper(store, { intervalMs: 50, logger });
    try {
      await eventually('the expired session swept', async () =>
        (await values()) === 1 ? true : undefined,
      );
    } finally {
      await sweeper.stop();
    }
    expect(await store.load('kept')).toBeDefined();
  });
});

describe('deadlines', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a NATS that never answers JetStream fails the store within its deadline instead of hanging', async () => {
    // Speaks just enough of the protocol to be connected to, then answers nothing.
    server = createServer((socket) => {
      socket.write(
        'INFO {"server_id":"mute","version":"2.9.10","proto":1,"headers":true,"max_payload":1048576,"jetstream":true}\r\n',
      );
      socket.on('data', (data) => {
        if (data.toString().includes('PING')) socket.write('PONG\r\n');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const mute = await connectNats({ servers: `127.0.0.1:${port}`, name: 'mute', logger });
    const started = Date.now();
    await expect(
      NatsSessionStore.open(mute, { maxSessions: 1, replica: 'r-mute', logger, timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(2000);
    await mute.close();
  });
});
