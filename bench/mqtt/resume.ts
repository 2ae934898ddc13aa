// Time to resume persistent sessions after a broker replica dies (issue 11). Two replicas on one
// mesh (nats-server, auth, acl). N devices hold persistent sessions (Clean Start 0, Session
// Expiry 600 s, one subscription each) on replica a; a is killed with SIGKILL; every device
// reconnects to replica b with Clean Start 0 and retries what b refuses (0x88 while a is only
// suspect: b's claim of the client id waits on a) until b resumes its session. The figure is the
// time from the kill to the last resumed session, and how many sessions came back without their
// state (Session Present 0: lost). The baseline from the same run is N fresh connects (clean
// sessions, the same accounts and concurrency) to b between the set-up and the kill: the ratio says what a
// resume costs over a plain connect. Then a message to a sample of the resumed devices checks
// that their subscriptions came back with them.
//
// Run: node bench/mqtt/resume.ts   (options: BENCH_RESUME_* variables, see bench/README.md)
import { setTimeout as sleep } from 'node:timers/promises';
import { env } from '@octomesh/service-kit';
import { runClosedLoop } from '../support/load.ts';
import { runBench } from '../support/mesh.ts';
import { describeOptions, loadBenchOptions, SERVICE_LOG_LEVELS } from '../support/options.ts';
import { formatRatio, printNote, printSection } from '../support/report.ts';
import { agentTopicPrefix, devicePattern, roleClient, SHARED_PASSWORDS } from './accounts.ts';
import { OPEN_LIMITS, startOctomeshBroker, startOctomeshHelpers } from './brokers.ts';
import type { ClientIdentity } from './jobs.ts';
import { MqttClientError, RawClient } from './raw-client.ts';

const o = loadBenchOptions('resume', {
  BENCH_RESUME_SESSIONS: env.int(
    'persistent sessions on the replica that dies',
    10_000,
    1,
    200_000,
  ),
  BENCH_RESUME_CONCURRENCY: env.int('connects in flight', 200, 1, 10_000),
  BENCH_RESUME_RETRY_MS: env.int(
    'pause before a refused resume is tried again (ms)',
    250,
    10,
    10_000,
  ),
  BENCH_RESUME_TIMEOUT_S: env.int('give up on the resume after (s)', 300, 10, 3600),
  BENCH_RESUME_HEARTBEAT_MS: env.int('MQTT_REPLICA_HEARTBEAT_MS of the replicas', 1000, 50, 60_000),
  BENCH_RESUME_SAMPLE: env.int('resumed devices sent a message afterwards', 500, 0, 200_000),
  BENCH_LOG_LEVEL: env.oneOf('LOG_LEVEL of the Octomesh services', SERVICE_LOG_LEVELS, 'warn'),
});
const N = o.BENCH_RESUME_SESSIONS;
const TIMEOUT_MS = 10_000;
const pattern = devicePattern(N, true);

function device(n: number, clientId: string): ClientIdentity {
  return {
    clientId,
    username: `${pattern.usernamePrefix}${n}`,
    password: `${pattern.passwordPrefix}${n % SHARED_PASSWORDS}`,
    endpointId: `${pattern.endpointPrefix}${n}`,
  };
}

function reasons(failures: ReadonlyMap<string, number>): string {
  return failures.size === 0 ? '' : `: ${[...failures].map(([r, c]) => `${r} ×${c}`).join(', ')}`;
}

const topicOf = (n: number): string => `${agentTopicPrefix}${pattern.endpointPrefix}${n}`;

await runBench('resume', o.BENCH_LOG_LEVEL, async (bench) => {
  printSection(`resume ${N} persistent sessions after a replica dies`);
  printNote(describeOptions(o));
  const helpers = await startOctomeshHelpers(bench, N);
  const env = { ...OPEN_LIMITS, MQTT_REPLICA_HEARTBEAT_MS: String(o.BENCH_RESUME_HEARTBEAT_MS) };
  const a = await startOctomeshBroker(bench, helpers, env);
  const b = await startOctomeshBroker(bench, helpers, env);
  const peers = async (broker: typeof a): Promise<number> =>
    (await broker.counters()).get('octomesh_broker_peer_replicas') ?? 0;
  for (let i = 0; i < 100 && ((await peers(a)) < 1 || (await peers(b)) < 1); i++) await sleep(100);
  const open = { keepAliveSeconds: 600, timeoutMs: TIMEOUT_MS };

  // The sessions on a.
  const held: RawClient[] = new Array<RawClient>(N);
  const setUp = await runClosedLoop(
    'persistent sessions on a',
    { requests: N, concurrency: o.BENCH_RESUME_CONCURRENCY, signal: bench.signal },
    async (n) => {
      const client = await RawClient.open(a.open, 5, device(n, `sess-${n}`), {
        ...open,
        clean: false,
        sessionExpirySeconds: 600,
      });
      client.onClose = () => undefined;
      await client.subscribe(topicOf(n), 1, TIMEOUT_MS);
      held[n] = client;
      return undefined;
    },
  );
  printNote(
    `set-up: ${N - setUp.failures} sessions with a subscription on a in ${setUp.seconds.toFixed(2)} s${reasons(setUp.failureReasons)}`,
  );
  // Baseline: fresh clean connects to b, after the set-up warmed the services' caches.
  const baseline = await runClosedLoop(
    'fresh connects to b',
    { requests: N, concurrency: o.BENCH_RESUME_CONCURRENCY, signal: bench.signal },
    async (n) => {
      const client = await RawClient.open(b.open, 5, device(n, `fresh-${n}`), open);
      // Closed at once: the bench process holds the N sessions' sockets already.
      client.disconnect();
      await client.whenClosed(5000);
      return undefined;
    },
  );
  const baselineS = baseline.seconds;
  printNote(
    `baseline: ${N} clean connects to b in ${baselineS.toFixed(2)} s (${baseline.failures} failed${reasons(baseline.failureReasons)})`,
  );

  // Their session records land in KV as they subscribe; give the last writes a moment.
  await sleep(1000);

  // The kill, and the storm of resumes on b.
  const killedAt = performance.now();
  process.kill(a.pid, 'SIGKILL');
  const refusals = new Map<string, number>();
  let samplesReceived = 0;
  let lost = 0;
  let attempts = 0;
  const resumed: RawClient[] = new Array<RawClient>(N);
  const deadline = killedAt + o.BENCH_RESUME_TIMEOUT_S * 1000;
  const storm = await runClosedLoop(
    'resumes on b',
    { requests: N, concurrency: o.BENCH_RESUME_CONCURRENCY, signal: bench.signal },
    async (n) => {
      for (;;) {
        attempts++;
        try {
          const client = await RawClient.open(b.open, 5, device(n, `sess-${n}`), {
            ...open,
            clean: false,
            sessionExpirySeconds: 600,
          });
          client.onPublish = () => {
            samplesReceived++;
          };
          if (!client.sessionPresent) lost++;
          resumed[n] = client;
          return undefined;
        } catch (error) {
          const reason = error instanceof MqttClientError ? error.reason : String(error);
          refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
          if (performance.now() > deadline) return `gave up: ${reason}`;
          await sleep(o.BENCH_RESUME_RETRY_MS);
        }
      }
    },
  );
  const resumeS = (performance.now() - killedAt) / 1000;
  for (const client of held) client?.destroy();

  // The subscriptions came back: a message to a sample of the resumed devices.
  const sample = Math.min(o.BENCH_RESUME_SAMPLE, N);
  if (sample > 0) {
    const controller = await RawClient.open(
      b.open,
      5,
      roleClient('controller', 'resume-ctl', true),
      open,
    );
    for (let k = 0; k < sample; k++) {
      const n = Math.floor((k * N) / sample);
      controller.write({
        cmd: 'publish',
        topic: topicOf(n),
        payload: Buffer.from('after'),
        qos: 0,
        retain: false,
        dup: false,
      });
    }
    for (let i = 0; i < 50 && samplesReceived < sample; i++) await sleep(100);
    controller.disconnect();
  }
  for (const client of resumed) client?.disconnect();

  printSection('figures');
  printNote(
    `resume: ${N - storm.failures}/${N} sessions back on b ${resumeS.toFixed(2)} s after the SIGKILL of a; ${lost} came back without their state (Session Present 0); ${attempts} CONNECTs`,
  );
  printNote(
    `refused on the way: ${[...refusals].map(([r, c]) => `${r} ×${c}`).join(', ') || 'none'}`,
  );
  printNote(
    `ratio resume after a death / clean connects (same run, same concurrency): ${formatRatio(resumeS, baselineS)}`,
  );
  // The takeover runs once b declares a gone (7 beats): give it time to finish before counting.
  await sleep(o.BENCH_RESUME_HEARTBEAT_MS * 8);
  const counters = await b.counters();
  printNote(
    `b: a declared gone ${counters.get('octomesh_broker_peer_replicas_gone_total') ?? 0}×; ${counters.get('octomesh_broker_sessions_adopted_total') ?? 0} of a's sessions taken over by b (only those whose clients had not resumed yet)`,
  );
  for (const problem of bench.serviceProblems()) printNote(`logged: ${problem}`);
  if (sample > 0)
    printNote(
      `subscriptions: ${samplesReceived}/${sample} sampled devices got a message after resuming`,
    );
  return setUp.failures === 0 && storm.failures === 0 && lost === 0 && samplesReceived === sample;
});
