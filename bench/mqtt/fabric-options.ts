// The options of the fabric benchmark (BENCH_FABRIC_* variables, all checked at once): which
// broker deployments to compare and which message shapes to drive through them.
import { env } from '@octomesh/service-kit';
import { loadBenchOptions, nameList, SERVICE_LOG_LEVELS } from '../support/options.ts';
import { MqttVersions, type MqttVersion } from './jobs.ts';

/** The deployments compared, in the order the report shows them. */
export const VARIANTS = {
  local: { replicas: 1, fabric: 'local' },
  'nats-1': { replicas: 1, fabric: 'nats' },
  'nats-2': { replicas: 2, fabric: 'nats' },
  'nats-3': { replicas: 3, fabric: 'nats' },
} as const;
/** One of {@link VARIANTS}. */
export type VariantName = keyof typeof VARIANTS;
/** Every variant name. */
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

/** The measurements, in run order (idle runs first, on fresh processes). */
export const FABRIC_SCENARIOS = ['idle', 'pairs', 'fan-out', 'shared'] as const;
/** One of {@link FABRIC_SCENARIOS}. */
export type FabricScenario = (typeof FABRIC_SCENARIOS)[number];

/** The checked BENCH_FABRIC_* options (the process exits 2 on bad values). */
export const fabricOptions = loadBenchOptions('fabric', {
  BENCH_FABRIC_VARIANTS: nameList('deployments to compare', VARIANT_NAMES, VARIANT_NAMES),
  BENCH_FABRIC_SCENARIOS: nameList('measurements', FABRIC_SCENARIOS, FABRIC_SCENARIOS),
  BENCH_FABRIC_VERSION: env.oneOf('MQTT version of every client', ['3.1.1', '5'] as const, '5'),
  BENCH_FABRIC_ROUNDS: env.int('rounds (each variant restarted; median kept)', 3, 1, 20),
  BENCH_FABRIC_SECONDS: env.int('measured window of each throughput run (s)', 5, 1, 600),
  BENCH_FABRIC_WARMUP_MS: env.int('publishing before the window opens (ms)', 1000, 0, 60_000),
  BENCH_FABRIC_PAYLOAD: env.int('payload bytes of each message', 64, 16, 65_536),
  BENCH_FABRIC_WINDOW: env.int('QoS 1 PUBLISHes a publisher keeps unacknowledged', 16, 1, 1000),
  BENCH_FABRIC_PAIRS: env.int('publisher/subscriber pairs, each on its own topic', 100, 1, 2000),
  BENCH_FABRIC_FAN_OUT: env.int('subscribers of the fan-out (one publisher)', 12, 1, 1000),
  BENCH_FABRIC_SHARED_MEMBERS: env.int('members of the shared group', 6, 1, 1000),
  BENCH_FABRIC_SHARED_PUBLISHERS: env.int('publishers to the shared group', 6, 1, 1000),
  BENCH_FABRIC_IDLE: env.int('idle connections (on the first replica)', 5000, 1, 100_000),
  BENCH_FABRIC_IDLE_SUBSCRIBE: env.bool('idle connections subscribe to their own topic', true),
  BENCH_FABRIC_IDLE_SETTLE_MS: env.int('wait before RSS is read (ms)', 5000, 0, 600_000),
  BENCH_FABRIC_GENERATORS: env.int('generator processes carrying message flows', 1, 1, 16),
  BENCH_FABRIC_CPU_PROF: nameList('variants whose brokers run with --cpu-prof', VARIANT_NAMES, []),
  BENCH_LOG_LEVEL: env.oneOf('LOG_LEVEL of the Octomesh services', SERVICE_LOG_LEVELS, 'warn'),
});

/** The protocol level every client speaks. */
export const fabricVersion: MqttVersion =
  fabricOptions.BENCH_FABRIC_VERSION === '5' ? MqttVersions.v5 : MqttVersions.v311;
