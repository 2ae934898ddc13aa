// The options of the MQTT benchmark (BENCH_MQTT_* variables, all checked at once) and what
// follows from them and from this machine's open file limit.
import { env } from '@octomesh/service-kit';
import { loadBenchOptions, nameList, SERVICE_LOG_LEVELS } from '../support/options.ts';
import { BROKER_NAMES } from './brokers.ts';
import { MqttVersions, type MqttVersion } from './jobs.ts';
import { openFileLimit } from './process-stats.ts';
import type { ScenarioSettings } from './scenario-context.ts';

/** The scenarios, in the order they run. */
export const SCENARIOS = [
  'idle',
  'connect',
  'pairs',
  'fan-in',
  'fan-out',
  'latency',
  'flood',
] as const;
/** One of {@link SCENARIOS}. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** The checked BENCH_* options (the process exits 2 on bad values). */
export const options = loadBenchOptions('mqtt', {
  BENCH_MQTT_BROKERS: nameList('brokers to measure', BROKER_NAMES, BROKER_NAMES),
  BENCH_MQTT_SCENARIOS: nameList('scenarios to run', SCENARIOS, SCENARIOS),
  BENCH_MQTT_VERSIONS: nameList('MQTT versions', ['3.1.1', '5'] as const, ['3.1.1', '5']),
  BENCH_MQTT_PAIRS: env.int('publisher/subscriber pairs, each on its own topic', 100, 1, 2000),
  BENCH_MQTT_SECONDS: env.int('measured window of each throughput run (s)', 5, 1, 600),
  BENCH_MQTT_WARMUP_MS: env.int('publishing before the window opens (ms)', 1000, 0, 60_000),
  BENCH_MQTT_PAYLOAD: env.int('payload bytes of each message', 64, 16, 65_536),
  BENCH_MQTT_WINDOW: env.int('QoS 1 PUBLISHes a publisher keeps unacknowledged', 16, 1, 1000),
  BENCH_MQTT_FAN_IN: env.int('publishers of the fan-in (one subscriber)', 4, 1, 1000),
  BENCH_MQTT_FAN_OUT: env.int('subscribers of the fan-out (one publisher)', 10, 1, 1000),
  BENCH_MQTT_RATE: env.int('messages/s of the latency run', 1000, 1, 100_000),
  BENCH_MQTT_LATENCY_SECONDS: env.int('duration of the latency run (s)', 5, 1, 600),
  BENCH_MQTT_CONNECTS: env.int('connect+subscribe cycles per pass', 2000, 1, 100_000),
  BENCH_MQTT_CONNECT_CONCURRENCY: env.int('connect+subscribe cycles in flight', 64, 1, 5000),
  BENCH_MQTT_IDLE: env.int(
    'idle connections (capped by the open file limit)',
    19_000,
    1,
    1_000_000,
  ),
  BENCH_MQTT_IDLE_SUBSCRIBE: env.bool('idle connections also subscribe to their own topic', false),
  BENCH_MQTT_IDLE_SETTLE_MS: env.int(
    'wait before reading RSS with the connections open',
    5000,
    0,
    600_000,
  ),
  BENCH_MQTT_FLOOD_SECONDS: env.int('duration of the QoS 0 flood (s)', 15, 1, 600),
  BENCH_MQTT_FLOOD_PUBLISHERS: env.int('flood publishers', 8, 1, 1000),
  BENCH_MQTT_FLOOD_PAYLOAD: env.int('flood payload bytes', 1024, 16, 262_144),
  BENCH_MQTT_FLOOD_READ_KBPS: env.int('KiB/s the slow flood subscriber reads', 64, 1, 1_000_000),
  BENCH_MQTT_FLOOD_RSS_LIMIT_MB: env.int(
    'stop the flood when the broker RSS passes this (MiB)',
    6144,
    64,
    1_000_000,
  ),
  BENCH_MQTT_ROUNDS: env.int('rounds of each throughput and latency run (median kept)', 1, 1, 20),
  BENCH_MQTT_FLOOD_RECOVERY_S: env.int(
    'time a broker has to serve again after the flood (s)',
    120,
    0,
    600,
  ),
  BENCH_MQTT_GENERATORS: env.int('generator processes carrying message flows', 1, 1, 16),
  BENCH_MQTT_CPU_PROF: env.bool('run the Octomesh broker with --cpu-prof and summarize it', false),
  BENCH_LOG_LEVEL: env.oneOf('LOG_LEVEL of the Octomesh services', SERVICE_LOG_LEVELS, 'warn'),
});

/** Open file limit of this process (the generators and brokers inherit it). */
export const fileLimit = openFileLimit();
// Room for the broker's own descriptors (listeners, NATS, logs) next to the connections.
const FILE_LIMIT_MARGIN = 1000;
/** Idle connections actually opened. */
export const idleCount = Math.max(
  1,
  Math.min(options.BENCH_MQTT_IDLE, fileLimit - FILE_LIMIT_MARGIN),
);
/** Generator processes that hold them. */
export const idleWorkers = Math.max(2, Math.ceil(idleCount / (fileLimit - FILE_LIMIT_MARGIN / 2)));
/** Protocol versions to run. */
export const versions: MqttVersion[] = options.BENCH_MQTT_VERSIONS.map((v) =>
  v === '5' ? MqttVersions.v5 : MqttVersions.v311,
);
/** Scenarios to run. */
export const scenarios = new Set<ScenarioName>(options.BENCH_MQTT_SCENARIOS);
/** Device accounts every broker knows. */
export const deviceAccounts = Math.max(options.BENCH_MQTT_PAIRS, options.BENCH_MQTT_CONNECTS);

/** The settings the scenarios read. */
export function scenarioSettings(): ScenarioSettings {
  return {
    pairs: options.BENCH_MQTT_PAIRS,
    windowMs: options.BENCH_MQTT_SECONDS * 1000,
    warmupMs: options.BENCH_MQTT_WARMUP_MS,
    payloadBytes: options.BENCH_MQTT_PAYLOAD,
    window: options.BENCH_MQTT_WINDOW,
    fanIn: options.BENCH_MQTT_FAN_IN,
    fanOut: options.BENCH_MQTT_FAN_OUT,
    latencyRate: options.BENCH_MQTT_RATE,
    latencyMs: options.BENCH_MQTT_LATENCY_SECONDS * 1000,
    connects: options.BENCH_MQTT_CONNECTS,
    connectConcurrency: options.BENCH_MQTT_CONNECT_CONCURRENCY,
    idle: idleCount,
    idleSubscribe: options.BENCH_MQTT_IDLE_SUBSCRIBE,
    idleSettleMs: options.BENCH_MQTT_IDLE_SETTLE_MS,
    floodMs: options.BENCH_MQTT_FLOOD_SECONDS * 1000,
    floodPublishers: options.BENCH_MQTT_FLOOD_PUBLISHERS,
    floodPayloadBytes: options.BENCH_MQTT_FLOOD_PAYLOAD,
    floodReadBytesPerSecond: options.BENCH_MQTT_FLOOD_READ_KBPS * 1024,
    floodRssLimitBytes: options.BENCH_MQTT_FLOOD_RSS_LIMIT_MB * 1024 * 1024,
    floodRecoveryMs: options.BENCH_MQTT_FLOOD_RECOVERY_S * 1000,
    deviceAccounts,
  };
}
