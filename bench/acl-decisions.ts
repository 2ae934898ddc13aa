// ACL decisions over NATS: the acl service as its own process, asked as a broker asks it, for
// 1,000 distinct devices and a mix of allowed and denied checks under the built-in USP policy.
// Three phases, each next to an echo micro service answering a fixed allow in the same run:
// (a) single checks at bounded concurrency, (b) latency at a fixed rate, sent open-loop,
// (c) batches of checks per request. Every verdict is compared with the expected one.
//
// Run: npm run bench:acl   (options: BENCH_ACL_* variables, see the spec below or bench/README.md)
import { DEFAULT_TOPIC_PREFIX, mesh, ReasonCodes, uspTopics } from '@octomesh/contracts';
import { env } from '@octomesh/service-kit';
import { authorizeAt, EchoSubjects, ServiceSubjects, type Target } from './support/clients.ts';
import { runClosedLoop, runOpenLoop, type Operation } from './support/load.ts';
import { runBench, type BenchMesh } from './support/mesh.ts';
import { describeOptions, loadBenchOptions, SERVICE_LOG_LEVELS } from './support/options.ts';
import { formatRatio, printHeader, printNote, printPhase, printSection } from './support/report.ts';
import { median, percentile, requestRate, unitRate, type PhaseResult } from './support/stats.ts';

const options = loadBenchOptions('acl-decisions', {
  BENCH_ACL_DEVICES: env.int('distinct device identities', 1000, 2, 1_000_000),
  BENCH_ACL_REQUESTS: env.int(
    'single-check requests per round of phase (a)',
    20_000,
    1,
    10_000_000,
  ),
  BENCH_ACL_CONCURRENCY: env.int('requests in flight in phases (a) and (c)', 64, 1, 5000),
  BENCH_ACL_RATE: env.int('requests per second sent in phase (b)', 1000, 1, 100_000),
  BENCH_ACL_SECONDS: env.int('seconds of phase (b) per round', 5, 1, 600),
  BENCH_ACL_BATCH: env.int('checks per request in phase (c)', 10, 1, 256),
  BENCH_ACL_BATCH_REQUESTS: env.int('batch requests per round of phase (c)', 10_000, 1, 10_000_000),
  BENCH_ACL_ROUNDS: env.int('rounds of every phase, each next to an echo round', 3, 1, 20),
  BENCH_LOG_LEVEL: env.oneOf(
    'LOG_LEVEL of the services (acl logs denials at debug)',
    SERVICE_LOG_LEVELS,
    'warn',
  ),
});

const devices = options.BENCH_ACL_DEVICES;
const topics = uspTopics(DEFAULT_TOPIC_PREFIX);
const WARMUP_REQUESTS = 2000;
// Open loop: beyond this many unanswered requests the run is broken, not slow.
const MAX_OUTSTANDING = 10_000;
const { ACTION_PUBLISH, ACTION_SUBSCRIBE } = mesh.acl.v1.Action;

const endpointId = (d: number): string => `os::BENCH-${d}`;

function identity(d: number): mesh.auth.v1.IIdentity {
  return {
    subject: `user:bench-device-${d}`,
    username: `bench-device-${d}`,
    role: 'device',
    endpointId: endpointId(d),
    clientId: `bench-client-${d}`,
  };
}

/** The check mix, in rotation: what a USP agent does, plus the cross-device attempt policy must refuse. */
const CHECK_KINDS = [
  {
    name: 'publish own controller reply topic',
    action: ACTION_PUBLISH,
    topic: (d: number) => topics.controllerFor(endpointId(d)),
    allow: true,
  },
  {
    name: "publish another device's controller reply topic",
    action: ACTION_PUBLISH,
    topic: (d: number) => topics.controllerFor(endpointId((d + 1) % devices)),
    allow: false,
  },
  {
    name: 'subscribe own agent topic',
    action: ACTION_SUBSCRIBE,
    topic: (d: number) => topics.agent(endpointId(d)),
    allow: true,
  },
] as const;

type CheckKind = (typeof CHECK_KINDS)[number];

interface Request {
  readonly body: mesh.acl.v1.IAuthorizeRequest;
  readonly kinds: readonly CheckKind[];
}

// Request i is one device's (i mod devices); its checks continue the kind rotation.
function request(i: number, checks: number): Request {
  const d = i % devices;
  const kinds = Array.from(
    { length: checks },
    (_, j) => CHECK_KINDS[(i * checks + j) % CHECK_KINDS.length]!,
  );
  return {
    body: {
      identity: identity(d),
      checks: kinds.map((k) => ({ action: k.action, topic: k.topic(d) })),
      explain: false,
    },
    kinds,
  };
}

// The echo answers allow to everything, so only the number of its verdicts is checked.
function checkVerdicts(
  reply: mesh.acl.v1.AuthorizeReply,
  kinds: readonly CheckKind[],
  echo: boolean,
): string | undefined {
  if (reply.verdicts.length !== kinds.length)
    return `${reply.verdicts.length} verdicts for ${kinds.length} checks`;
  if (echo) return undefined;
  for (const [j, verdict] of reply.verdicts.entries()) {
    const kind = kinds[j]!;
    const code = kind.allow ? ReasonCodes.success : ReasonCodes.notAuthorized;
    if (verdict.allow !== kind.allow || verdict.reasonCode !== code) {
      return `${kind.name}: expected ${kind.allow ? 'allow' : 'deny'} (0x${code.toString(16)}), got ${verdict.allow ? 'allow' : 'deny'} (0x${(verdict.reasonCode ?? 0).toString(16)})`;
    }
  }
  return undefined;
}

function authorizeOperation(bench: BenchMesh, target: Target, checks: number): Operation {
  const echo = target.subject === EchoSubjects.acl;
  return async (i) => {
    const { body, kinds } = request(i, checks);
    return checkVerdicts(await authorizeAt(bench.nc, target.subject, body), kinds, echo);
  };
}

/** Runs one phase for both targets, `rounds` times, alternating which goes first. */
async function compare(
  rounds: number,
  run: (target: Target, round: number) => Promise<PhaseResult>,
  targets: { acl: Target; echo: Target },
): Promise<{ acl: PhaseResult[]; echo: PhaseResult[] }> {
  const results = { acl: [] as PhaseResult[], echo: [] as PhaseResult[] };
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [targets.echo, targets.acl] : [targets.acl, targets.echo];
    for (const target of order) {
      const result = await run(target, round);
      printPhase(result);
      (target === targets.acl ? results.acl : results.echo).push(result);
    }
  }
  return results;
}

const p = (results: PhaseResult[], q: number): number =>
  median(results.map((r) => percentile(r.latenciesMs, q)));
const label = (target: Target, round: number, what: string): string =>
  `round ${round}: ${target.name === 'acl' ? 'acl' : 'NATS echo baseline'} ${what}`;

async function main(bench: BenchMesh): Promise<boolean> {
  const targets = {
    acl: { name: 'acl', subject: ServiceSubjects.acl },
    echo: { name: 'echo', subject: EchoSubjects.acl },
  };
  await bench.startService('acl');
  await bench.startEcho('acl');
  const concurrency = options.BENCH_ACL_CONCURRENCY;
  const batch = options.BENCH_ACL_BATCH;

  printSection('set-up');
  printNote(
    `${devices} device identities under the built-in USP policy (prefix ${DEFAULT_TOPIC_PREFIX}); check mix in rotation:`,
  );
  for (const kind of CHECK_KINDS) printNote(`  ${kind.name} → ${kind.allow ? 'allow' : 'deny'}`);
  printHeader('decisions');
  const warmups: PhaseResult[] = [];
  for (const target of [targets.acl, targets.echo]) {
    warmups.push(
      await runClosedLoop(
        `warm-up ${target.name} (not counted)`,
        { signal: bench.signal, requests: WARMUP_REQUESTS, concurrency },
        authorizeOperation(bench, target, 1),
      ),
    );
    printPhase(warmups.at(-1)!);
  }

  printSection(`(a) single checks, ${concurrency} in flight`);
  printHeader('decisions');
  const single = await compare(
    options.BENCH_ACL_ROUNDS,
    (target, round) =>
      runClosedLoop(
        label(target, round, 'single'),
        { signal: bench.signal, requests: options.BENCH_ACL_REQUESTS, concurrency },
        authorizeOperation(bench, target, 1),
      ),
    targets,
  );

  const openLoop = {
    ratePerSecond: options.BENCH_ACL_RATE,
    seconds: options.BENCH_ACL_SECONDS,
    maxOutstanding: MAX_OUTSTANDING,
    signal: bench.signal,
  };
  printSection(
    `(b) latency at ${options.BENCH_ACL_RATE} requests/s for ${options.BENCH_ACL_SECONDS} s, open loop (from scheduled send time)`,
  );
  printHeader('decisions');
  const fixedRate = await compare(
    options.BENCH_ACL_ROUNDS,
    (target, round) =>
      runOpenLoop(
        label(target, round, `@${options.BENCH_ACL_RATE}/s`),
        openLoop,
        authorizeOperation(bench, target, 1),
      ),
    targets,
  );

  printSection(`(c) batches of ${batch} checks per request, ${concurrency} in flight`);
  printHeader('decisions');
  const batched = await compare(
    options.BENCH_ACL_ROUNDS,
    (target, round) =>
      runClosedLoop(
        label(target, round, `×${batch}`),
        {
          signal: bench.signal,
          requests: options.BENCH_ACL_BATCH_REQUESTS,
          concurrency,
          unitsPerRequest: batch,
        },
        authorizeOperation(bench, target, batch),
      ),
    targets,
  );

  printSection('services');
  const rounds = options.BENCH_ACL_ROUNDS;
  const sent =
    WARMUP_REQUESTS +
    rounds *
      (options.BENCH_ACL_REQUESTS +
        Math.round(options.BENCH_ACL_RATE * options.BENCH_ACL_SECONDS) +
        options.BENCH_ACL_BATCH_REQUESTS);
  const aclStats = await bench.serviceStats('octomesh-acl');
  const echoStats = await bench.serviceStats('bench-echo-acl');
  printNote(`acl: ${aclStats.requests} requests counted (sent ${sent}), ${aclStats.errors} errors`);
  printNote(
    `echo: ${echoStats.requests} requests counted (sent ${sent}), ${echoStats.errors} errors`,
  );
  const problems = bench.serviceProblems();
  printNote(
    problems.length === 0
      ? 'no warnings or errors in the service logs'
      : 'service log warnings and errors:',
  );
  for (const problem of problems) printNote(`  ${problem}`);

  const all = [
    ...warmups,
    ...single.acl,
    ...single.echo,
    ...fixedRate.acl,
    ...fixedRate.echo,
    ...batched.acl,
    ...batched.echo,
  ];
  const failures = all.reduce((sum, r) => sum + r.failures, 0);
  const singleRate = median(single.acl.map(unitRate));
  const singleEcho = median(single.echo.map(unitRate));
  const batchRate = median(batched.acl.map(unitRate));
  const batchEcho = median(batched.echo.map(unitRate));

  printSection('summary (medians over rounds)');
  printNote(`settings: ${describeOptions(options)}`);
  printNote(
    `(a) single: acl ${singleRate.toFixed(0)} decisions/s, echo ${singleEcho.toFixed(0)}/s, ratio ${formatRatio(singleRate, singleEcho)}; acl p50 ${p(single.acl, 50).toFixed(2)} ms p99 ${p(single.acl, 99).toFixed(2)} ms`,
  );
  printNote(
    `(b) @${options.BENCH_ACL_RATE}/s: acl p50 ${p(fixedRate.acl, 50).toFixed(2)} ms p99 ${p(fixedRate.acl, 99).toFixed(2)} ms; ` +
      `echo p50 ${p(fixedRate.echo, 50).toFixed(2)} ms p99 ${p(fixedRate.echo, 99).toFixed(2)} ms; ` +
      `p99 ratio ${formatRatio(p(fixedRate.acl, 99), p(fixedRate.echo, 99))}`,
  );
  printNote(
    `(c) ×${batch}: acl ${batchRate.toFixed(0)} decisions/s (${median(batched.acl.map(requestRate)).toFixed(0)} req/s), echo ${batchEcho.toFixed(0)}/s, ratio ${formatRatio(batchRate, batchEcho)}`,
  );
  printNote(
    `failures (wrong verdicts included): ${failures}; acl service errors: ${aclStats.errors}`,
  );
  process.stdout.write(
    `\nacl decisions: ${singleRate.toFixed(0)}/s single (ratio to NATS echo ${formatRatio(singleRate, singleEcho)}), ` +
      `${batchRate.toFixed(0)}/s in batches of ${batch} (ratio ${formatRatio(batchRate, batchEcho)}), ` +
      `p99 ${p(fixedRate.acl, 99).toFixed(2)} ms at ${options.BENCH_ACL_RATE}/s (echo ${p(fixedRate.echo, 99).toFixed(2)} ms)\n`,
  );
  return failures === 0 && aclStats.errors === 0;
}

await runBench('acl-decisions', options.BENCH_LOG_LEVEL, main);
