// USP request/response through the whole mesh: simulated agents (their own process) connect to
// the broker; a controller sends Get requests to random agents through the usp-router's NATS
// API (usp.v1.send) and waits for each answer. Measured: latency p50/p99 at a fixed rate
// (open loop, from the scheduled send time) and the highest sustained rate (closed loop).
//
// Peer in the same run: mosquitto with a controller that talks MQTT to the same agents directly
// (request on the agent topic, answer on the Response Topic, matched by msg_id), which is what
// a controller does without a USP tier. Ratios are Octomesh / mosquitto-direct.
//
// Run: npm run bench:usp   (options: BENCH_USP_* variables below, or bench/README.md)
import { fork, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BucketSpecs,
  decodeUspMsg,
  decodeUspRecord,
  DEFAULT_TOPIC_PREFIX,
  encodeKvKey,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  Subjects,
  usp,
} from '@octomesh/contracts';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, newCredentialRecord } from '@octomesh/credentials';
import { call, MeshCodecs, openBucket, type NatsConnection } from '@octomesh/nats-kit';
import { env, stopChild } from '@octomesh/service-kit';
import { MqttClient } from '@octomesh/usp-sim';
import { startMosquitto, mosquittoProblem } from '../mqtt/brokers.ts';
import { runClosedLoop, runOpenLoop, type Operation } from '../support/load.ts';
import { runBench, type BenchMesh } from '../support/mesh.ts';
import { describeOptions, loadBenchOptions, SERVICE_LOG_LEVELS } from '../support/options.ts';
import {
  formatRatio,
  printHeader,
  printNote,
  printPhase,
  printSection,
} from '../support/report.ts';
import { percentile, requestRate, type PhaseResult } from '../support/stats.ts';

const options = loadBenchOptions('usp', {
  BENCH_USP_AGENTS: env.int('simulated agents', 1000, 1, 20_000),
  BENCH_USP_RATE: env.int('requests per second of the latency phase', 1000, 1, 100_000),
  BENCH_USP_SECONDS: env.int('seconds of the latency phase', 10, 1, 600),
  BENCH_USP_REQUESTS: env.int('requests of the maximum-rate phase', 20_000, 100, 10_000_000),
  BENCH_USP_CONCURRENCY: env.int('requests in flight in the maximum-rate phase', 256, 1, 10_000),
  BENCH_USP_TIMEOUT_MS: env.int('answer deadline of one request', 10_000, 100, 600_000),
  BENCH_USP_PEER: env.bool('also measure mosquitto with a direct MQTT controller', true),
  BENCH_LOG_LEVEL: env.oneOf('LOG_LEVEL of the services', SERVICE_LOG_LEVELS, 'warn'),
});

const prefix = DEFAULT_TOPIC_PREFIX;
const CONTROLLER = 'oktopusController';
const PASSWORD = 'bench-usp-password';
const MAX_OUTSTANDING = 20_000;
const agentId = (n: number): string => `os::BENCH-${n}`;
const randomAgent = (): string => agentId(randomInt(1, options.BENCH_USP_AGENTS + 1));

function getMsg(msgId: string): Uint8Array {
  return encodeUspMsg({
    header: { msgId, msgType: usp.Header.MsgType.GET },
    body: { request: { get: { paramPaths: ['Device.DeviceInfo.SerialNumber'] } } },
  });
}

/** Checks an answer: a GetResp to our msg_id with the agent's serial number. */
function checkAnswer(msg: usp.Msg, msgId: string): string | undefined {
  if (msg.header?.msgId !== msgId) return 'answer to another msg_id';
  const result = msg.body?.response?.getResp?.reqPathResults?.[0];
  if (result === undefined) return 'no GetResp';
  if ((result.errCode ?? 0) !== 0) return `USP error ${result.errCode}`;
  return undefined;
}

async function writeAccounts(nc: NatsConnection): Promise<void> {
  const kv = await openBucket(nc, BucketSpecs.credentials);
  const hash = await hashPassword(PASSWORD, { ...DEFAULT_SCRYPT_PARAMS, N: 1024 });
  for (let start = 1; start <= options.BENCH_USP_AGENTS; start += 200) {
    const batch = [];
    for (let n = start; n < Math.min(start + 200, options.BENCH_USP_AGENTS + 1); n++) {
      const record = newCredentialRecord({
        username: `bench-usp-${n}`,
        role: Roles.device,
        endpointId: agentId(n),
        password: hash,
      });
      batch.push(kv.put(encodeKvKey(`bench-usp-${n}`), JSON.stringify(record)));
    }
    await Promise.all(batch);
  }
}

/** Starts the agent fleet process and waits until every agent is up. */
async function startAgents(url: string, credentials: boolean): Promise<ChildProcess> {
  const child = fork(join(import.meta.dirname, 'agents.ts'), [], {
    env: {
      ...process.env,
      BROKER_URL: url,
      AGENTS: String(options.BENCH_USP_AGENTS),
      ...(credentials ? { USERNAME_PATTERN: 'bench-usp-%d', PASSWORD } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{
    connected: number;
    failed: number;
    ratePerSecond: number;
    failures: Record<string, number>;
  }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as never));
    child.once('exit', (code) => reject(new Error(`agent process exited (${code})`)));
  });
  printNote(
    `${ready.connected} of ${options.BENCH_USP_AGENTS} agents connected (${Math.round(ready.ratePerSecond)}/s)${
      ready.failed > 0 ? `; failed: ${JSON.stringify(ready.failures)}` : ''
    }`,
  );
  if (ready.connected < options.BENCH_USP_AGENTS) {
    await stopChild(child, 5000);
    throw new Error('not every agent connected');
  }
  return child;
}

/** Octomesh: the usp-router's controller API. */
function octomeshOperation(nc: NatsConnection): Operation {
  let next = 0;
  return async () => {
    const msgId = `bench-${++next}`;
    const reply = await call(
      nc,
      Subjects.uspSend,
      { endpointId: randomAgent(), msg: getMsg(msgId), timeoutMs: options.BENCH_USP_TIMEOUT_MS },
      {
        timeoutMs: options.BENCH_USP_TIMEOUT_MS + 2000,
        request: MeshCodecs.uspSendRequest,
        reply: MeshCodecs.uspSendReply,
      },
    );
    return checkAnswer(decodeUspMsg(reply.msg), msgId);
  };
}

/** mosquitto: a controller speaking MQTT 5 to the agents directly. */
async function directController(
  port: number,
): Promise<{ operation: Operation; close: () => Promise<void> }> {
  const client = await MqttClient.connect({
    url: `mqtt://127.0.0.1:${port}`,
    protocolVersion: 5,
    clientId: 'bench-usp-controller',
  });
  const pending = new Map<string, (msg: usp.Msg) => void>();
  client.onMessage = (message) => {
    try {
      const record = decodeUspRecord(message.payload);
      const msg = decodeUspMsg(record.noSessionContext?.payload ?? new Uint8Array());
      const msgId = msg.header?.msgId ?? '';
      pending.get(msgId)?.(msg);
      pending.delete(msgId);
    } catch {
      // Not an answer of ours.
    }
  };
  await client.subscribe([{ topic: `${prefix}/api/+`, qos: 1 }]);
  let next = 0;
  const operation: Operation = async () => {
    const msgId = `bench-${++next}`;
    const endpointId = randomAgent();
    const answer = new Promise<usp.Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(msgId);
        reject(new Error('timeout'));
      }, options.BENCH_USP_TIMEOUT_MS);
      pending.set(msgId, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
    const record = encodeUspRecord({
      version: '1.4',
      toId: endpointId,
      fromId: CONTROLLER,
      noSessionContext: { payload: getMsg(msgId) },
    });
    await client.publish(`${prefix}/agent/${endpointId}`, record, {
      qos: 1,
      contentType: 'usp.msg',
      responseTopic: `${prefix}/api/${endpointId}`,
      correlationData: Buffer.from(msgId),
    });
    return checkAnswer(await answer, msgId);
  };
  return { operation, close: () => client.disconnect() };
}

interface Figures {
  latency: PhaseResult;
  max: PhaseResult;
}

async function measure(name: string, operation: Operation, signal: AbortSignal): Promise<Figures> {
  // Warm-up: every code path and connection in use before anything counts.
  await runClosedLoop(`${name} warm-up`, { requests: 2000, concurrency: 64, signal }, operation);
  const latency = await runOpenLoop(
    `${name} at ${options.BENCH_USP_RATE}/s`,
    {
      ratePerSecond: options.BENCH_USP_RATE,
      seconds: options.BENCH_USP_SECONDS,
      maxOutstanding: MAX_OUTSTANDING,
      signal,
    },
    operation,
  );
  printPhase(latency);
  const max = await runClosedLoop(
    `${name} max rate, ${options.BENCH_USP_CONCURRENCY} in flight`,
    { requests: options.BENCH_USP_REQUESTS, concurrency: options.BENCH_USP_CONCURRENCY, signal },
    operation,
  );
  printPhase(max);
  return { latency, max };
}

await runBench('usp', options.BENCH_LOG_LEVEL, async (bench: BenchMesh) => {
  printSection('settings');
  printNote(describeOptions(options));
  const results = new Map<string, Figures>();

  printSection(`octomesh: ${options.BENCH_USP_AGENTS} agents, Get through usp.v1.send`);
  await bench.startService('auth');
  await bench.startService('acl');
  const broker = await bench.startService('broker', {
    LISTENERS: 'mqtt',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    MQTT_MAX_CONNECTIONS: String(options.BENCH_USP_AGENTS + 1000),
    // Every simulated agent connects from 127.0.0.1 at once: no per-address limits here.
    MQTT_MAX_CONNECTIONS_PER_ADDRESS: '0',
    MQTT_CONNECT_RATE_PER_ADDRESS: '0',
  });
  await bench.startService('usp-router', {
    USP_MAX_PENDING: String(MAX_OUTSTANDING + options.BENCH_USP_CONCURRENCY),
  });
  await writeAccounts(bench.nc);
  const agents = await startAgents(`mqtt://127.0.0.1:${broker.listenerPorts['mqtt']!}`, true);
  printHeader('requests/s');
  try {
    results.set('octomesh', await measure('octomesh', octomeshOperation(bench.nc), bench.signal));
  } finally {
    await stopChild(agents, 10_000);
  }

  if (options.BENCH_USP_PEER) {
    const problem = mosquittoProblem();
    if (problem !== undefined) throw new Error(problem);
    printSection(`mosquitto: the same agents, a controller speaking MQTT to them directly`);
    const dir = mkdtempSync(join(tmpdir(), 'octomesh-bench-usp-'));
    const mosquitto = await startMosquitto(dir, 0);
    try {
      const peerAgents = await startAgents(`mqtt://127.0.0.1:${mosquitto.open.port}`, false);
      const controller = await directController(mosquitto.open.port);
      printHeader('requests/s');
      try {
        results.set('mosquitto', await measure('mosquitto', controller.operation, bench.signal));
      } finally {
        await controller.close().catch(() => undefined);
        await stopChild(peerAgents, 10_000);
      }
    } finally {
      await mosquitto.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  printSection('summary');
  const o = results.get('octomesh')!;
  const m = results.get('mosquitto');
  const line = (label: string, ours: number, peer: number | undefined, unit: string) =>
    printNote(
      `${label.padEnd(34)} octomesh ${ours.toFixed(unit === 'ms' ? 2 : 0).padStart(9)} ${unit}` +
        (peer === undefined
          ? ''
          : `   mosquitto-direct ${peer.toFixed(unit === 'ms' ? 2 : 0).padStart(9)} ${unit}   ratio ${formatRatio(ours, peer)}`),
    );
  line(
    `p50 at ${options.BENCH_USP_RATE}/s`,
    percentile(o.latency.latenciesMs, 50),
    m && percentile(m.latency.latenciesMs, 50),
    'ms',
  );
  line(
    `p99 at ${options.BENCH_USP_RATE}/s`,
    percentile(o.latency.latenciesMs, 99),
    m && percentile(m.latency.latenciesMs, 99),
    'ms',
  );
  line('maximum sustained rate', requestRate(o.max), m && requestRate(m.max), 'req/s');
  const failures = [o.latency, o.max].reduce((sum, r) => sum + r.failures, 0);
  printNote(`octomesh failures: ${failures}`);
  for (const problem of bench.serviceProblems()) printNote(`logged: ${problem}`);
  return failures === 0;
});
