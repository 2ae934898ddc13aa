// MQTT benchmarks: Octomesh (the whole mesh, auth on) against mosquitto and aedes in the same
// run. Load comes from separate generator processes on raw sockets; every scenario runs
// against each broker in turn (the order rotates), and the summary prints each figure with
// the ratios octomesh/mosquitto and octomesh/aedes and the targets of issue 3.
//
// Run: npm run bench:mqtt   (options: BENCH_MQTT_* variables, see below or bench/README.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench, type BenchMesh } from '../support/mesh.ts';
import { describeOptions } from '../support/options.ts';
import { printNote, printSection } from '../support/report.ts';
import {
  mosquittoProblem,
  OPEN_LIMITS,
  startAedes,
  startMosquitto,
  startOctomesh,
  type BrokerName,
  type BrokerUnderTest,
} from './brokers.ts';
import { startGenerators, type Generator } from './generator-pool.ts';
import type { Measurement } from './measurement.ts';
import {
  deviceAccounts,
  fileLimit,
  idleCount,
  idleWorkers,
  options,
  scenarioSettings,
} from './options.ts';
import { printProfile, summarizeProfile } from './profile-summary.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { buildSteps, measureOnce, medianMeasurement } from './steps.ts';
import { printSummary, type MetricRow } from './summary.ts';

async function startBrokers(bench: BenchMesh, tmp: string, profileDir: string | undefined) {
  const brokers: BrokerUnderTest[] = [];
  for (const name of options.BENCH_MQTT_BROKERS) {
    if (name === 'octomesh') {
      const env: Record<string, string> =
        profileDir === undefined
          ? OPEN_LIMITS
          : {
              ...OPEN_LIMITS,
              NODE_OPTIONS:
                `${process.env['NODE_OPTIONS'] ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim(),
            };
      const { broker, accounts } = await startOctomesh(bench, deviceAccounts, env);
      printNote(
        `octomesh: nats-server, auth, acl and broker processes; ${accounts} accounts in KV; broker pid ${broker.pid}, port ${broker.open.port}`,
      );
      brokers.push(broker);
    } else if (name === 'mosquitto') {
      const problem = mosquittoProblem();
      if (problem !== undefined) throw new Error(problem);
      const broker = await startMosquitto(tmp, deviceAccounts);
      printNote(
        `mosquitto: pid ${broker.pid}, anonymous port ${broker.open.port}, password_file port ${broker.auth.port} (${deviceAccounts} accounts)`,
      );
      brokers.push(broker);
    } else {
      const broker = await startAedes(deviceAccounts);
      printNote(
        `aedes: pid ${broker.pid}, anonymous port ${broker.open.port}, authenticate-hook port ${broker.auth.port}`,
      );
      brokers.push(broker);
    }
  }
  return brokers;
}

async function main(bench: BenchMesh): Promise<boolean> {
  const tmp = mkdtempSync(join(tmpdir(), 'octomesh-bench-mqtt-'));
  const removeTmp = (): void => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const profileDir = options.BENCH_MQTT_CPU_PROF ? join(tmp, 'profile') : undefined;
  const brokers: BrokerUnderTest[] = [];
  let generators: Generator[] = [];
  // Last resort on Ctrl-C or a crash: the mesh handles its own processes; ours get a signal.
  const killPeers = (): void => {
    for (const g of generators) g.child.kill('SIGKILL');
  };
  process.once('exit', killPeers);
  try {
    printSection('set-up');
    printNote(`settings: ${describeOptions(options)}`);
    printNote(
      `open file limit ${fileLimit}: ${idleCount} idle connections over ${idleWorkers} generator processes`,
    );
    brokers.push(...(await startBrokers(bench, tmp, profileDir)));
    for (const broker of brokers) process.once('exit', () => void broker.stop());
    generators = await startGenerators(Math.max(options.BENCH_MQTT_GENERATORS, idleWorkers));
    const ctx: ScenarioContext = {
      settings: scenarioSettings(),
      flowGenerators: generators.slice(0, options.BENCH_MQTT_GENERATORS),
      generators,
    };

    const results = new Map<string, Map<BrokerName, Measurement>>();
    const rows: MetricRow[] = [];
    const steps = buildSteps(ctx);
    const started = performance.now();
    let turn = 0;
    for (const step of steps) {
      bench.signal.throwIfAborted();
      printSection(step.title);
      rows.push(...step.rows);
      const rounds = new Map<BrokerName, Measurement[][]>();
      for (let round = 1; round <= step.rounds; round++) {
        if (step.rounds > 1) printNote(`round ${round}`);
        // Rotate who goes first, so no broker always runs on a warmer or busier machine.
        const order = brokers.map((_, i) => brokers[(i + turn) % brokers.length]!);
        turn++;
        for (const broker of order) {
          const measured = await measureOnce(step, broker);
          rounds.set(broker.name, [...(rounds.get(broker.name) ?? []), measured]);
        }
      }
      for (const [name, perRound] of rounds) {
        step.rows.forEach((row, i) => {
          const byBroker = results.get(row.key) ?? new Map<BrokerName, Measurement>();
          byBroker.set(name, medianMeasurement(perRound.map((m) => m[i]!)));
          results.set(row.key, byBroker);
        });
      }
    }
    const wallSeconds = (performance.now() - started) / 1000;

    const names = brokers.map((b) => b.name);
    const ok = printSummary(rows, results, names, wallSeconds);

    printSection('broker processes and logs');
    for (const broker of brokers) {
      printNote(
        `${broker.name}: ${broker.exited() === undefined ? 'running at the end' : `EXITED (${broker.exited()})`}`,
      );
    }
    const problems = brokers.flatMap((b) => b.problems());
    printNote(
      problems.length === 0 ? 'no warnings or errors logged' : 'warnings and errors logged:',
    );
    for (const problem of [...new Set(problems)]) printNote(`  ${problem}`);

    const octomesh = brokers.find((b) => b.name === 'octomesh');
    const octomeshAlive = octomesh === undefined || octomesh.exited() === undefined;
    if (profileDir !== undefined && octomesh !== undefined) {
      // The profile is written when the broker exits.
      await octomesh.stop();
      printProfile(summarizeProfile(profileDir, 20));
    }
    return ok && octomeshAlive;
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await Promise.all(brokers.map((b) => b.stop()));
    removeTmp();
  }
}

await runBench('mqtt', options.BENCH_LOG_LEVEL, main);
