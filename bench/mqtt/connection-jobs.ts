// Jobs about connections rather than messages, inside a generator process: the
// connect+subscribe rate (closed loop), and a crowd of idle connections held open while the
// runner reads the broker's memory.
import type {
  ConnectJob,
  ConnectResult,
  IdleCloseResult,
  IdleOpenJob,
  IdleOpenResult,
  ReasonCounts,
} from './jobs.ts';
import { accountIdentity } from './jobs.ts';
import { MqttClientError, RawClient } from './raw-client.ts';

const STEP_TIMEOUT_MS = 15_000;

function reasonOf(error: unknown): string {
  if (error instanceof MqttClientError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

function count(counts: ReasonCounts, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}

/** Runs `count` connect → subscribe → disconnect cycles with `concurrency` in flight. */
export async function runConnectJob(job: ConnectJob): Promise<ConnectResult> {
  const failures: ReasonCounts = {};
  const latencies: number[] = [];
  const connacks: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.count) {
      const i = job.first + next++;
      const identity = accountIdentity(job.accounts, job.clientIdPrefix, i);
      const started = performance.now();
      let client: RawClient | undefined;
      try {
        client = await RawClient.open(job.endpoint, job.version, identity, {
          keepAliveSeconds: 60,
          timeoutMs: STEP_TIMEOUT_MS,
        });
        const connack = performance.now() - started;
        await client.subscribe(identity.topic, 1, STEP_TIMEOUT_MS);
        latencies.push(performance.now() - started);
        connacks.push(connack);
        client.disconnect();
      } catch (error) {
        count(failures, reasonOf(error));
        client?.destroy();
      }
    }
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(job.concurrency, job.count)) }, worker),
  );
  return {
    completed: latencies.length,
    failures,
    seconds: (performance.now() - started) / 1000,
    latenciesMs: latencies,
    connackMs: connacks,
  };
}

/** Idle connections held by this generator until {@link closeIdle}. */
let idle: RawClient[] = [];
let pinger: NodeJS.Timeout | undefined;

/** Opens the job's connections (and subscriptions) and keeps them, pinging within keep alive. */
export async function openIdle(job: IdleOpenJob): Promise<IdleOpenResult> {
  const failures: ReasonCounts = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.count) {
      const i = job.first + next++;
      const identity = accountIdentity(job.accounts, job.clientIdPrefix, i);
      try {
        const client = await RawClient.open(job.endpoint, job.version, identity, {
          keepAliveSeconds: job.keepAliveSeconds,
          timeoutMs: STEP_TIMEOUT_MS,
        });
        idle.push(client);
        if (job.subscribe) await client.subscribe(identity.topic, 1, STEP_TIMEOUT_MS);
      } catch (error) {
        count(failures, reasonOf(error));
      }
    }
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(job.concurrency, job.count)) }, worker),
  );
  // Keep alive: every connection sends PINGREQ at half its keep-alive period.
  pinger = setInterval(
    () => {
      for (const client of idle) client.ping();
    },
    (job.keepAliveSeconds * 1000) / 2,
  );
  return {
    opened: idle.filter((c) => !c.closed).length,
    failures,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Closes every idle connection; reports how many the broker had closed already. */
export async function closeIdle(): Promise<IdleCloseResult> {
  clearInterval(pinger);
  const clients = idle;
  idle = [];
  const closedByBroker = clients.filter((c) => c.closed && !c.closing).length;
  for (const client of clients) client.disconnect();
  await Promise.all(clients.map((client) => client.whenClosed(10_000)));
  return { closedByBroker };
}
