// Benchmark options come from BENCH_* environment variables, read with the services' own
// config reader so every bad value is reported at once.
import { env, readConfig, type ConfigOf, type Variable } from '@octomesh/service-kit';

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

/** A comma-separated choice among `values` (unknown names are reported). */
export const nameList = <T extends string>(
  description: string,
  values: readonly T[],
  fallback: readonly T[],
) =>
  env.custom<T[]>(
    `${description} (comma-separated: ${values.join(', ')})`,
    (raw) => {
      const picked = raw
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      const unknown = picked.filter((v) => !(values as readonly string[]).includes(v));
      if (unknown.length > 0) throw new Error(`unknown ${unknown.join(', ')}`);
      if (picked.length === 0) throw new Error('nothing named');
      return [...new Set(picked)] as T[];
    },
    [...fallback],
  );
