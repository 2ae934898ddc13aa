// octomesh sim: simulated USP agents (MQTT 5 or 3.1.1) against a broker, many from one process,
// until Ctrl-C or SIGTERM. The password comes from a file or stdin, never argv: argv is visible
// to every user of the machine in `ps`.
import { readFile } from 'node:fs/promises';
import { DEFAULT_TOPIC_PREFIX, validateTopicPrefix } from '@octomesh/contracts';
import {
  AgentFleet,
  expandPattern,
  isPerAgentPattern,
  parseBrokerUrl,
  UspMqttVersions,
  type FleetProgress,
  type FleetStats,
  type UspMqttVersion,
} from '@octomesh/usp-sim';
import { intOption, parse, UsageError } from '../args.ts';

/** Help text of `octomesh sim`. */
export const simHelp = `octomesh sim [options]   simulated USP agents, until Ctrl-C
  --url URL                 broker: mqtt://host:port or mqtts://host:port (default mqtt://127.0.0.1:1883)
  --count N                 how many agents (default 1)
  --first N                 number of the first agent (default 1)
  --endpoint-id PATTERN     endpoint ids; %d is the agent number, %06d zero-padded (default os::SIM-%d)
  --username PATTERN        MQTT user names, e.g. sim-%d (none by default)
  --password-file FILE      password from the first line of FILE (may hold %d)
  --password-stdin          password from stdin (may hold %d)
  --mqtt 5|3.1.1            MQTT version (default 5)
  --prefix PREFIX           topic prefix (default ${DEFAULT_TOPIC_PREFIX})
  --controller-topic TOPIC  where agents publish Records (default <prefix>/controller)
  --controller-id ID        to_id of Connect Records and notifications (default oktopusController)
  --content-type TYPE       MQTT 5 Content Type of Records (default usp.msg; TR-369 R-MQTT.27
                            and OBUSPA use application/vnd.bbf.usp.msg)
  --ca FILE                 CA certificate(s) to trust for mqtts://
  --no-boot                 no Boot! event after connecting
  --probe                   also open an idle TCP connection per agent, as OBUSPA does
  --concurrency N           agents connecting at the same time (default 100)
  --reconnect               reconnect agents the broker drops`;

const options = {
  url: { type: 'string' },
  count: { type: 'string' },
  first: { type: 'string' },
  'endpoint-id': { type: 'string' },
  username: { type: 'string' },
  'password-file': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  mqtt: { type: 'string' },
  prefix: { type: 'string' },
  'controller-topic': { type: 'string' },
  'controller-id': { type: 'string' },
  'content-type': { type: 'string' },
  ca: { type: 'string' },
  'no-boot': { type: 'boolean' },
  probe: { type: 'boolean' },
  concurrency: { type: 'string' },
  reconnect: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

const TTY_PROGRESS_MS = 200;
const LOG_PROGRESS_MS = 5_000;

/** Runs `octomesh sim ...`. */
export async function simCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, options);
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument ${positionals[0]}\n${simHelp}`);
  const settings = await readSettings(values);
  const tty = process.stderr.isTTY === true;
  const fleet = new AgentFleet({
    ...settings,
    progressIntervalMs: tty ? TTY_PROGRESS_MS : LOG_PROGRESS_MS,
    onProgress: (progress) => writeProgress(progress, tty),
  });

  let stopping: Promise<void> | undefined;
  const onSignal = (): void => {
    if (stopping !== undefined) {
      process.stderr.write('octomesh sim: second signal, dropping every connection\n');
      fleet.kill();
      process.exit(1);
    }
    stopping = (async () => {
      process.stderr.write(`${tty ? '\n' : ''}octomesh sim: disconnecting agents\n`);
      await fleet.stop();
      process.stdout.write(`${formatStats(fleet.stats())}\n`);
      process.exit(0);
    })();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);

  const done = await fleet.start();
  const stats = fleet.stats();
  process.stdout.write(`${formatSummary(done, stats.failures)}\n`);
  if (done.connected === 0 && done.total > 0) {
    process.exitCode = 1;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    return;
  }
  if (stopping === undefined) process.stdout.write('agents running; Ctrl-C to disconnect them\n');
  // The agents' sockets keep the process alive; the signal handler ends it.
  await new Promise<never>(() => undefined);
}

async function readSettings(values: Values) {
  const url = values.url ?? 'mqtt://127.0.0.1:1883';
  try {
    parseBrokerUrl(url);
  } catch (error) {
    throw new UsageError(`--url: ${(error as Error).message}`);
  }
  const mqtt = (values.mqtt ?? UspMqttVersions.v5) as UspMqttVersion;
  if (mqtt !== UspMqttVersions.v5 && mqtt !== UspMqttVersions.v311)
    throw new UsageError('--mqtt must be 5 or 3.1.1');
  const prefix = values.prefix ?? DEFAULT_TOPIC_PREFIX;
  const prefixProblem = validateTopicPrefix(prefix);
  if (prefixProblem !== undefined) throw new UsageError(`--prefix: ${prefixProblem}`);
  const count = intOption(values.count, 'count', 1, 1, 1_000_000);
  const endpointIdPattern = values['endpoint-id'] ?? 'os::SIM-%d';
  for (const [name, pattern] of [
    ['endpoint-id', endpointIdPattern],
    ['username', values.username],
  ] as const) {
    if (pattern === undefined) continue;
    try {
      expandPattern(pattern, 1);
    } catch (error) {
      throw new UsageError(`--${name}: ${(error as Error).message}`);
    }
    if (name === 'endpoint-id' && count > 1 && !isPerAgentPattern(pattern))
      throw new UsageError('--endpoint-id needs %d when --count is more than 1');
  }
  const password = await readPasswordOption(values);
  return {
    count,
    firstNumber: intOption(values.first, 'first', 1, 0, 1_000_000_000),
    endpointIdPattern,
    ...(values.username !== undefined ? { usernamePattern: values.username } : {}),
    ...(password !== undefined ? { passwordPattern: password } : {}),
    concurrency: intOption(values.concurrency, 'concurrency', 100, 1, 10_000),
    agent: {
      url,
      mqttVersion: mqtt,
      topicPrefix: prefix,
      ...(values['controller-topic'] !== undefined
        ? { controllerTopic: values['controller-topic'] }
        : {}),
      ...(values['controller-id'] !== undefined ? { controllerId: values['controller-id'] } : {}),
      ...(values['content-type'] !== undefined ? { contentType: values['content-type'] } : {}),
      ...(values.ca !== undefined ? { tls: { ca: await readFile(values.ca) } } : {}),
      boot: values['no-boot'] !== true,
      probe: values.probe === true,
      ...(values.reconnect === true ? { reconnect: {} } : {}),
    },
  };
}

// A password pattern (it may hold %d) from a file or stdin; one line, trailing newline dropped.
async function readPasswordOption(values: Values): Promise<string | undefined> {
  const file = values['password-file'];
  if (file !== undefined && values['password-stdin'] === true)
    throw new UsageError('use --password-file or --password-stdin, not both');
  let text: string;
  if (file !== undefined) {
    text = (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  } else if (values['password-stdin'] === true) {
    if (process.stdin.isTTY)
      throw new UsageError('--password-stdin reads a pipe: echo "$PW" | octomesh sim ...');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (text.includes('\n')) throw new UsageError('the password on stdin must be a single line');
  } else {
    return undefined;
  }
  if (text === '') throw new UsageError('empty password');
  try {
    expandPattern(text, 1);
  } catch {
    throw new UsageError('the password holds a % that is not %d, %0Nd or %% (write %% for %)');
  }
  return text;
}

function writeProgress(progress: FleetProgress, tty: boolean): void {
  const line =
    `agents ${progress.connected}/${progress.total} connected, ${progress.failed} failed, ` +
    `${progress.ratePerSecond.toFixed(0)}/s, ${(progress.elapsedMs / 1000).toFixed(1)} s`;
  // On a terminal one line is rewritten in place; in a log, a line per interval.
  if (tty) process.stderr.write(`\r${line}\x1b[K${progress.done ? '\n' : ''}`);
  else process.stderr.write(`${line}\n`);
}

function formatSummary(
  progress: FleetProgress,
  failures: Readonly<Record<string, number>>,
): string {
  const lines = [
    `connected ${progress.connected}/${progress.total} agents in ${(progress.elapsedMs / 1000).toFixed(1)} s ` +
      `(${progress.ratePerSecond.toFixed(0)}/s), ${progress.failed} failed`,
  ];
  const reasons = Object.entries(failures).sort(([, a], [, b]) => b - a);
  for (const [reason, count] of reasons.slice(0, 5)) lines.push(`  ${count} × ${reason}`);
  if (reasons.length > 5) lines.push(`  … and ${reasons.length - 5} other reasons`);
  return lines.join('\n');
}

function formatStats(stats: FleetStats): string {
  const c = stats.counters;
  return (
    `agents stopped: ${c.requests} requests answered with ${c.responses} responses (${c.errors} USP errors), ` +
    `${c.notifies} notifications (${c.notifyResends} resent, ${c.notifiesAnswered} answered), ` +
    `${c.recordsDropped} records dropped, ${c.reconnects} reconnects`
  );
}
