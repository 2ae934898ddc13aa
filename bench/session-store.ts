// The NATS KV session store (services/broker/src/nats-session-store.ts) next to the memory store
// in the same run: what one broker operation on a session costs (first save of a client id,
// saving again, resuming on a replica, ending it), one at a time and with several in flight,
// and how many bytes a stored session takes in the bucket.
//
// Run: node bench/session-store.ts   (options: BENCH_SESSIONS_* variables below)
import { MemorySessionStore, type SessionStore, type StoredSession } from '@octomesh/mqtt-engine';
import { createLogger, env } from '@octomesh/service-kit';
import { NatsSessionStore } from '../services/broker/src/nats-session-store.ts';
import { encodeSessionRecord } from '../services/broker/src/session-record.ts';
import { runClosedLoop, type Operation } from './support/load.ts';
import { runBench } from './support/mesh.ts';
import { describeOptions, loadBenchOptions } from './support/options.ts';
import { printHeader, printNote, printPhase, printSection } from './support/report.ts';

const options = loadBenchOptions('session-store', {
  BENCH_SESSIONS_COUNT: env.int('client ids per phase', 2000, 10, 1_000_000),
  BENCH_SESSIONS_CONCURRENCY: env.int('operations in flight in the concurrent phases', 32, 2, 1000),
  BENCH_SESSIONS_SUBSCRIPTIONS: env.int('subscriptions per stored session', 2, 0, 10_000),
});
const count = options.BENCH_SESSIONS_COUNT;

function session(clientId: string, subscriptions: number): StoredSession {
  return {
    clientId,
    identitySubject: `user:${clientId}`,
    expirySeconds: 3600,
    disconnectedAt: Date.now(),
    subscriptions: Array.from({ length: subscriptions }, (_, i) => ({
      clientId,
      filter: `oktopus/usp/v1/agent/${clientId}/${i}/+`,
      options: { qos: 1 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 },
    })),
  };
}

const done =
  (work: () => Promise<unknown>): (() => Promise<undefined>) =>
  async () => {
    await work();
    return undefined;
  };

// Every phase of one store, on its own client ids (`prefix`).
async function phases(name: string, store: SessionStore, prefix: string, concurrency: number) {
  const id = (i: number): string => `${prefix}-${i}`;
  const subscriptions = options.BENCH_SESSIONS_SUBSCRIPTIONS;
  const run = (label: string, operation: Operation) =>
    runClosedLoop(`${name} ${label} ×${concurrency}`, { requests: count, concurrency }, operation);
  return [
    // A client's first connection: the engine loads (nothing there), then saves when it ends.
    await run('attach (nothing stored)', (i) => done(() => store.load(id(i)))()),
    await run('first save', (i) => done(() => store.save(session(id(i), subscriptions)))()),
    await run('save again', (i) => done(() => store.save(session(id(i), subscriptions)))()),
    await run('attach (resume)', (i) => done(() => store.load(id(i)))()),
    await run('end (delete)', (i) => done(() => store.delete(id(i)))()),
  ];
}

await runBench('session-store', 'warn', async (bench) => {
  printSection(`session store (${describeOptions(options)})`);
  const logger = createLogger('bench-session-store', 'silent');
  const nats = await NatsSessionStore.open(bench.nc, {
    maxSessions: 10_000_000,
    replica: 'bench',
    logger,
    timeoutMs: 10_000,
  });
  const memory = new MemorySessionStore(10_000_000);
  printHeader('ops');
  for (const concurrency of [1, options.BENCH_SESSIONS_CONCURRENCY]) {
    for (const [name, store] of [
      ['memory', memory],
      ['nats-kv', nats],
    ] as const) {
      for (const result of await phases(name, store, `${name}-${concurrency}`, concurrency)) {
        printPhase(result);
        if (result.failures > 0) return false;
      }
    }
  }

  // Bytes in the bucket per stored session, for a few subscription counts.
  printSection('bucket bytes per stored session');
  const sweepAll = async (): Promise<void> => {
    while (!(await nats.sweepExpired(Date.now() + 86_400_000)).complete);
  };
  for (const subscriptions of [0, 2, 10, 100]) {
    await sweepAll();
    const ids = Array.from({ length: 500 }, (_, i) => `bytes-${subscriptions}-${i}`);
    const before = await bench.nc.request(`$JS.API.STREAM.INFO.KV_mqtt-sessions`, '', {
      timeout: 5000,
    });
    const bytesBefore = before.json<{ state: { bytes: number } }>().state.bytes;
    for (const clientId of ids) await nats.save(session(clientId, subscriptions));
    const after = await bench.nc.request(`$JS.API.STREAM.INFO.KV_mqtt-sessions`, '', {
      timeout: 5000,
    });
    const state = after.json<{ state: { bytes: number; messages: number } }>().state;
    const value = encodeSessionRecord({
      kind: 'session',
      owner: 'bench',
      since: Date.now(),
      session: session(ids[0]!, subscriptions),
    }).length;
    printNote(
      `${String(subscriptions).padStart(3)} subscriptions: ${((state.bytes - bytesBefore) / ids.length).toFixed(0)} bytes stored per session (its value alone: ${value} bytes)`,
    );
  }
  await sweepAll();
  printNote(`nats-kv counters: ${JSON.stringify(nats.counters)}`);
  return true;
});
