// Typed configuration from environment variables. Every variable is read and checked, and all
// problems are reported in one ConfigError, so an operator fixes a deployment in one pass.
import { ConfigError } from '@octomesh/contracts';

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
          throw new Error(`${url} is not a nats:// URL`);
      }
      return urls;
    };
    return { description, parse, default: parse(defaultValue) };
  },
  custom<T>(description: string, parse: Parse<T>, defaultValue?: T): Variable<T> {
    return { description, parse, ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
  },
} as const;
