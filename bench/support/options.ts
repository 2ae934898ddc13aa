// Benchmark options come from BENCH_* environment variables, read with the services' own
// config reader so every bad value is reported at once.
import { readConfig, type ConfigOf, type Variable } from '@octomesh/service-kit';

/** Reads `spec` from the environment; prints every problem and exits 2 when there are any. */
export function loadBenchOptions<S extends Record<string, Variable<unknown>>>(
  bench: string,
  spec: S,
): ConfigOf<S> {
  try {
    return readConfig(spec, process.env);
  } catch (error) {
    process.stderr.write(`${bench}: ${(error as Error).message}\n`);
    process.exit(2);
  }
}

/** "BENCH_X=1 BENCH_Y=2": the settings a run used, for the report. */
export function describeOptions(options: Record<string, unknown>): string {
  return Object.entries(options)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** Log levels a service accepts in LOG_LEVEL. */
export const SERVICE_LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;
/** One of {@link SERVICE_LOG_LEVELS}. */
export type ServiceLogLevel = (typeof SERVICE_LOG_LEVELS)[number];
