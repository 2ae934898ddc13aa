// Reconnect storm: 10,000 distinct devices log in again at once, as after a broker restart,
// against the auth service running as its own process on a local nats-server. The requirement
// is 2,000 logins per second or more on this machine; the baseline is an echo micro service
// answering a fixed allow over the same NATS, hammered with the same requests in the same run.
//
// Run: npm run bench:auth-storm   (options: BENCH_* variables, see the spec below or bench/README.md)
import { Buckets, encodeKvKey, type mesh } from '@octomesh/contracts';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  newCredentialRecord,
  type PasswordHash,
} from '@octomesh/credentials';
import { openExistingBucket } from '@octomesh/nats-kit';
import { env } from '@octomesh/service-kit';
import { authenticateAt, EchoSubjects, ServiceSubjects, type Target } from './support/clients.ts';
import { runClosedLoop, type Operation } from './support/load.ts';
import { runBench, type BenchMesh } from './support/mesh.ts';
import { describeOptions, loadBenchOptions, SERVICE_LOG_LEVELS } from './support/options.ts';
import { formatRatio, printHeader, printNote, printPhase, printSection } from './support/report.ts';
import { median, percentile, requestRate, type PhaseResult } from './support/stats.ts';

const options = loadBenchOptions('auth-storm', {
  BENCH_DEVICES: env.int('distinct device accounts', 10_000, 2, 100_000),
  BENCH_CONCURRENCY: env.int('logins in flight during warm-up and storm', 256, 1, 5000),
  BENCH_COLD_SAMPLE: env.int('devices whose first (scrypt) login is measured', 300, 1, 100_000),
  BENCH_COLD_CONCURRENCY: env.int('logins in flight during the cold sample', 8, 1, 5000),
  BENCH_ROUNDS: env.int('storm rounds, each next to an echo round', 3, 1, 20),
  BENCH_PASSWORDS: env.int('distinct passwords (scrypt hashes) the accounts share', 16, 1, 1000),
  BENCH_WARMUP_HASH: env.oneOf(
    'scrypt cost of accounts outside the cold sample: fast (N=1024) or default',
    ['fast', 'default'],
    'fast',
  ),
  BENCH_TARGET_RATE: env.int('storm logins per second required', 2000, 1, 10_000_000),
  BENCH_LOG_LEVEL: env.oneOf(
    'LOG_LEVEL of the services (auth logs every login at info)',
    SERVICE_LOG_LEVELS,
    'warn',
  ),
});
if (options.BENCH_COLD_SAMPLE > options.BENCH_DEVICES) {
  process.stderr.write('auth-storm: BENCH_COLD_SAMPLE must not exceed BENCH_DEVICES\n');
  process.exit(2);
}

const devices = options.BENCH_DEVICES;
const coldSample = options.BENCH_COLD_SAMPLE;
const KV_WRITE_CONCURRENCY = 64;
// Unmeasured requests that let the echo service's JIT warm up as the warm-up pass does for auth.
const ECHO_WARMUP_REQUESTS = 2000;
// The cheapest cost verification accepts (SCRYPT_LIMITS.minN), for warm-up accounts only.
const FAST_SCRYPT = { ...DEFAULT_SCRYPT_PARAMS, N: 1024 };

const username = (n: number): string => `bench-device-${n}`;
const endpointId = (n: number): string => `os::BENCH-${n}`;
const password = (n: number): string => `bench-password-${n % options.BENCH_PASSWORDS}`;
// A distinct address per device: the storm comes from many places, so the per-address
// brute-force limiter never groups devices. These are strings in the request only.
const sourceAddress = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function loginRequest(n: number): mesh.auth.v1.IAuthenticateRequest {
  return {
    clientId: `bench-client-${n}`,
    username: username(n),
    hasUsername: true,
    password: Buffer.from(password(n)),
    hasPassword: true,
    sourceAddress: sourceAddress(n),
    mqttVersion: 5,
    endpointIdHint: endpointId(n),
  };
}

// The real service must let the device in as itself; the echo only has to say allow.
function checkAuthReply(reply: mesh.auth.v1.AuthenticateReply, n: number): string | undefined {
  if (!reply.allow) return `denied with 0x${reply.reasonCode.toString(16)}: ${reply.reason}`;
  if (reply.identity?.username !== username(n) || reply.identity.endpointId !== endpointId(n)) {
    return 'allowed with the wrong identity';
  }
  return undefined;
}

function checkEchoReply(reply: mesh.auth.v1.AuthenticateReply): string | undefined {
  return reply.allow ? undefined : 'echo denied';
}

function loginOperation(bench: BenchMesh, target: Target, first = 0): Operation {
  const check = target.subject === EchoSubjects.auth ? checkEchoReply : checkAuthReply;
  return async (index) => {
    const n = (first + index) % devices;
    return check(await authenticateAt(bench.nc, target.subject, loginRequest(n)), n);
  };
}

async function hashSet(params: typeof DEFAULT_SCRYPT_PARAMS): Promise<PasswordHash[]> {
  return Promise.all(
    Array.from({ length: options.BENCH_PASSWORDS }, (_, k) =>
      hashPassword(`bench-password-${k}`, params),
    ),
  );
}

async function writeAccounts(bench: BenchMesh): Promise<PhaseResult> {
  const slow = await hashSet(DEFAULT_SCRYPT_PARAMS);
  const fast = options.BENCH_WARMUP_HASH === 'fast' ? await hashSet(FAST_SCRYPT) : slow;
  const kv = await openExistingBucket(bench.nc, Buckets.credentials);
  if (kv === undefined)
    throw new Error(`the auth service did not create bucket ${Buckets.credentials}`);
  return runClosedLoop(
    'set-up: write accounts to KV',
    { signal: bench.signal, requests: devices, concurrency: KV_WRITE_CONCURRENCY },
    async (n) => {
      const hashes = n < coldSample ? slow : fast;
      const record = newCredentialRecord({
        username: username(n),
        role: 'device',
        endpointId: endpointId(n),
        password: hashes[n % options.BENCH_PASSWORDS]!,
      });
      await kv.put(encodeKvKey(username(n)), JSON.stringify(record));
      return undefined;
    },
  );
}

async function main(bench: BenchMesh): Promise<boolean> {
  const auth: Target = { name: 'auth', subject: ServiceSubjects.auth };
  const echo: Target = { name: 'echo', subject: EchoSubjects.auth };
  await bench.startService('auth');
  await bench.startEcho('auth');

  printSection('set-up');
  printNote(
    `${devices} distinct device accounts; they share ${options.BENCH_PASSWORDS} passwords (one scrypt hash each), ` +
      `so set-up does not hash ${devices} times; every account has its own username, endpoint id and record`,
  );
  printNote(
    options.BENCH_WARMUP_HASH === 'fast'
      ? `the ${coldSample} cold-sample accounts use the default scrypt cost (N=${DEFAULT_SCRYPT_PARAMS.N}); the other ` +
          `${devices - coldSample} use N=${FAST_SCRYPT.N} so the warm-up fits the time budget. The storm is answered ` +
          'from the verification cache and runs no scrypt, so this does not change the storm figure'
      : `every account uses the default scrypt cost (N=${DEFAULT_SCRYPT_PARAMS.N}); the warm-up will take minutes`,
  );
  printHeader('logins');
  const setup = await writeAccounts(bench);
  printPhase(setup);

  printSection('cold: first login of each device (scrypt verification)');
  printHeader('logins');
  const cold = await runClosedLoop(
    `cold sample, ${options.BENCH_COLD_CONCURRENCY} in flight`,
    { signal: bench.signal, requests: coldSample, concurrency: options.BENCH_COLD_CONCURRENCY },
    loginOperation(bench, auth),
  );
  printPhase(cold);
  const warmup = await runClosedLoop(
    `warm-up rest (N=${options.BENCH_WARMUP_HASH === 'fast' ? FAST_SCRYPT.N : DEFAULT_SCRYPT_PARAMS.N}), ${options.BENCH_CONCURRENCY} in flight`,
    {
      signal: bench.signal,
      requests: devices - coldSample,
      concurrency: options.BENCH_CONCURRENCY,
    },
    loginOperation(bench, auth, coldSample),
  );
  printPhase(warmup);
  const echoWarmup = await runClosedLoop(
    'echo warm-up (not counted)',
    {
      signal: bench.signal,
      requests: Math.min(devices, ECHO_WARMUP_REQUESTS),
      concurrency: options.BENCH_CONCURRENCY,
    },
    loginOperation(bench, echo),
  );

  printSection(`warm storm: every device logs in again, ${options.BENCH_CONCURRENCY} in flight`);
  printHeader('logins');
  const storms: PhaseResult[] = [];
  const echoes: PhaseResult[] = [];
  for (let round = 1; round <= options.BENCH_ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a warmer or busier machine.
    const order = round % 2 === 1 ? [echo, auth] : [auth, echo];
    for (const target of order) {
      const result = await runClosedLoop(
        `round ${round}: ${target === auth ? 'auth storm' : 'NATS echo baseline'}`,
        { signal: bench.signal, requests: devices, concurrency: options.BENCH_CONCURRENCY },
        loginOperation(bench, target),
      );
      printPhase(result);
      (target === auth ? storms : echoes).push(result);
    }
    printNote(
      `round ${round}: auth / echo = ${formatRatio(requestRate(storms.at(-1)!), requestRate(echoes.at(-1)!))}`,
    );
  }

  printSection('services');
  const expectedAuth = coldSample + (devices - coldSample) + options.BENCH_ROUNDS * devices;
  const authStats = await bench.serviceStats('octomesh-auth');
  const echoStats = await bench.serviceStats('bench-echo-auth');
  printNote(
    `auth: ${authStats.requests} requests counted (sent ${expectedAuth}), ${authStats.errors} errors`,
  );
  printNote(
    `echo: ${echoStats.requests} requests counted (sent ${echoWarmup.requests + options.BENCH_ROUNDS * devices}), ${echoStats.errors} errors`,
  );
  const problems = bench.serviceProblems();
  printNote(
    problems.length === 0
      ? 'no warnings or errors in the service logs'
      : 'service log warnings and errors:',
  );
  for (const problem of problems) printNote(`  ${problem}`);

  const stormRate = median(storms.map(requestRate));
  const echoRate = median(echoes.map(requestRate));
  const p50 = median(storms.map((s) => percentile(s.latenciesMs, 50)));
  const p99 = median(storms.map((s) => percentile(s.latenciesMs, 99)));
  const failures = [setup, cold, warmup, echoWarmup, ...storms, ...echoes].reduce(
    (sum, r) => sum + r.failures,
    0,
  );
  const met = stormRate >= options.BENCH_TARGET_RATE;

  printSection('summary (medians over rounds)');
  printNote(`settings: ${describeOptions(options)}`);
  printNote(
    `cold first login: ${requestRate(cold).toFixed(0)}/s, p50 ${percentile(cold.latenciesMs, 50).toFixed(1)} ms (scrypt, ${coldSample} sampled)`,
  );
  printNote(
    `storm p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; echo ${echoRate.toFixed(0)}/s`,
  );
  printNote(`failures: ${failures}; auth service errors: ${authStats.errors}`);
  process.stdout.write(
    `\nauth storm: ${devices} devices, ${stormRate.toFixed(0)}/s ` +
      `(target ${options.BENCH_TARGET_RATE}/s: ${met ? 'met' : 'MISSED'}), ratio to NATS echo ${formatRatio(stormRate, echoRate)}\n`,
  );
  return failures === 0 && authStats.errors === 0;
}

await runBench('auth-storm', options.BENCH_LOG_LEVEL, main);
