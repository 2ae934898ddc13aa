// Typed configuration from environment variables. Every variable is read and checked, and all
// problems are reported in one ConfigError, so an operator fixes a deployment in one pass.
import { readFileSync } from 'node:fs';
import { ConfigError, inboxPrefixOf, type BusRole } from '@octomesh/contracts';

/** Parses one variable's text; throw or return a problem via the `problem` helper. */
export type Parse<T> = (raw: string, name: string) => T;

/** A variable: its parser and default (undefined default = required). */
export interface Variable<T> {
  readonly parse: Parse<T>;
  readonly default?: T;
  readonly description: string;
  /** Secret values are never echoed in error messages. */
  readonly secret?: boolean;
}

type Spec = Record<string, Variable<unknown>>;
/** The typed result of reading a spec. */
export type ConfigOf<S extends Spec> = {
  [K in keyof S]: S[K] extends Variable<infer T> ? T : never;
};

/** Reads every variable of `spec` from `env`; throws ConfigError listing every problem. */
export function readConfig<S extends Spec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
  crossChecks: (config: ConfigOf<S>) => string[] = () => [],
): ConfigOf<S> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (!('default' in variable)) problems.push(`${name} is required (${variable.description})`);
      else result[name] = variable.default;
      continue;
    }
    try {
      result[name] = variable.parse(raw, name);
    } catch (error) {
      const shown = variable.secret === true ? '<secret>' : JSON.stringify(raw);
      problems.push(`${name}=${shown}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const crossProblems = crossChecks(result as ConfigOf<S>);
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);
  return result as ConfigOf<S>;
}

/** Builders for common variable kinds. */
export const env = {
  string(
    description: string,
    defaultValue?: string,
    options: { secret?: boolean } = {},
  ): Variable<string> {
    return {
      description,
      parse: (raw) => raw,
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
      ...(options.secret === true ? { secret: true } : {}),
    };
  },
  optionalString(
    description: string,
    options: { secret?: boolean } = {},
  ): Variable<string | undefined> {
    return {
      description,
      parse: (raw) => raw,
      default: undefined,
      ...(options.secret === true ? { secret: true } : {}),
    };
  },
  int(
    description: string,
    defaultValue: number | undefined,
    min: number,
    max: number,
  ): Variable<number> {
    return {
      description,
      parse: (raw) => {
        if (!/^-?\d+$/.test(raw)) throw new Error('not an integer');
        const value = Number(raw);
        if (value < min || value > max) throw new Error(`must be between ${min} and ${max}`);
        return value;
      },
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    };
  },
  bool(description: string, defaultValue: boolean): Variable<boolean> {
    return {
      description,
      default: defaultValue,
      parse: (raw) => {
        if (/^(true|1|yes|on)$/i.test(raw)) return true;
        if (/^(false|0|no|off)$/i.test(raw)) return false;
        throw new Error('must be true or false');
      },
    };
  },
  oneOf<T extends string>(description: string, values: readonly T[], defaultValue: T): Variable<T> {
    return {
      description,
      default: defaultValue,
      parse: (raw) => {
        if (!(values as readonly string[]).includes(raw))
          throw new Error(`must be one of ${values.join(', ')}`);
        return raw as T;
      },
    };
  },
  natsUrls(description: string, defaultValue: string): Variable<string[]> {
    const parse = (raw: string): string[] => {
      const urls = raw
        .split(',')
        .map((url) => url.trim())
        .filter((url) => url !== '');
      if (urls.length === 0) throw new Error('no URL given');
      for (const url of urls) {
        if (!/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(url))
          throw new Error('each URL must start with nats://, tls://, ws:// or wss://');
      }
      return urls;
    };
    // URLs may carry user:password, so their text is never echoed in errors.
    return { description, parse, default: parse(defaultValue), secret: true };
  },
  custom<T>(description: string, parse: Parse<T>, defaultValue?: T): Variable<T> {
    return { description, parse, ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
  },
  /** A variable that may be left unset (undefined), parsed when given. */
  optional<T>(description: string, parse: Parse<T>): Variable<T | undefined> {
    return { description, parse, default: undefined };
  },
} as const;

/** pino log levels, as accepted by LOG_LEVEL and `octomesh up --log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The variables every service reads: NATS connection, health listener, log level. */
export function baseServiceSpec(defaultHealthPort: number) {
  return {
    NATS_URL: env.natsUrls('comma-separated NATS server URLs', 'nats://127.0.0.1:4222'),
    NATS_USER: env.optionalString('NATS user name'),
    NATS_PASSWORD: env.optionalString('NATS password', { secret: true }),
    NATS_TOKEN: env.optionalString('NATS token', { secret: true }),
    NATS_NKEY_SEED_FILE: env.optional('file holding the NKey user seed (SU...)', readNkeySeed),
    NATS_NKEY_SEED: { ...env.optional('NKey user seed (SU...)', parseNkeySeed), secret: true },
    NATS_CREDS: env.optional('a NATS .creds file (JWT and seed)', readCredsFile),
    NATS_TLS_CA: env.optional('CA certificate file that signed the NATS server', readableFile),
    NATS_TLS_CERT: env.optional('client certificate file for NATS (mutual TLS)', readableFile),
    NATS_TLS_KEY: env.optional('client key file for NATS (mutual TLS)', readableFile),
    NATS_STARTUP_TIMEOUT_MS: env.int(
      'milliseconds to keep retrying the first NATS connection while no server answers',
      60_000,
      0,
      3_600_000,
    ),
    NATS_KV_REPLICAS: env.int(
      'copies of each KV bucket the service creates (1, 3 or 5; 3 on a NATS cluster)',
      1,
      1,
      5,
    ),
    HEALTH_HOST: env.string('address of the /healthz /readyz /metrics listener', '0.0.0.0'),
    HEALTH_PORT: env.int(
      'port of the health listener (0 picks a free one)',
      defaultHealthPort,
      0,
      65535,
    ),
    LOG_LEVEL: env.oneOf('pino log level', LOG_LEVELS, 'info'),
  };
}

/** The settings of {@link baseServiceSpec}. */
export type BaseServiceConfig = ConfigOf<ReturnType<typeof baseServiceSpec>>;

/** Reads a service's config or exits with code 2 after printing every problem. */
export function loadOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    process.stderr.write(`${service}: ${(error as Error).message}\n`);
    process.exit(2);
  }
}

/**
 * NATS connection settings from a service config, for connectNats. `role` is the service's bus
 * role: its requests use the role's inbox prefix, the only one its permissions let it read.
 */
export function natsSettings(config: BaseServiceConfig, name: string, role: BusRole) {
  const seed = config.NATS_NKEY_SEED ?? config.NATS_NKEY_SEED_FILE;
  const tls =
    config.NATS_TLS_CA !== undefined || config.NATS_TLS_CERT !== undefined
      ? {
          tls: {
            ...(config.NATS_TLS_CA !== undefined ? { caFile: config.NATS_TLS_CA } : {}),
            ...(config.NATS_TLS_CERT !== undefined ? { certFile: config.NATS_TLS_CERT } : {}),
            ...(config.NATS_TLS_KEY !== undefined ? { keyFile: config.NATS_TLS_KEY } : {}),
          },
        }
      : {};
  return {
    servers: config.NATS_URL,
    name,
    startupTimeoutMs: config.NATS_STARTUP_TIMEOUT_MS,
    inboxPrefix: inboxPrefixOf(role),
    ...(config.NATS_USER !== undefined ? { user: config.NATS_USER } : {}),
    ...(config.NATS_PASSWORD !== undefined ? { pass: config.NATS_PASSWORD } : {}),
    ...(config.NATS_TOKEN !== undefined ? { token: config.NATS_TOKEN } : {}),
    ...(seed !== undefined ? { nkeySeed: seed } : {}),
    ...(config.NATS_CREDS !== undefined ? { creds: config.NATS_CREDS } : {}),
    ...tls,
  };
}

const NKEY_USER_SEED = /^SU[A-Z2-7]{56}$/;

/** An NKey user seed given as text; kept as bytes. */
export function parseNkeySeed(raw: string): Uint8Array {
  const seed = raw.trim();
  if (!NKEY_USER_SEED.test(seed))
    throw new Error('is not an NKey user seed (SU followed by 56 characters)');
  return new TextEncoder().encode(seed);
}

function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
    });
  }
}

/** A file holding an NKey user seed. */
export function readNkeySeed(path: string): Uint8Array {
  return parseNkeySeed(readSecretFile(path));
}

function readCredsFile(path: string): Uint8Array {
  const text = readSecretFile(path);
  if (!text.includes('-----BEGIN NATS USER JWT-----'))
    throw new Error('is not a NATS .creds file (no user JWT)');
  return new TextEncoder().encode(text);
}

function readableFile(path: string): string {
  readSecretFile(path);
  return path;
}
