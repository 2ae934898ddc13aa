// A real TCP listener around the engine with in-process deciders (the pure acl-rules policy and
// a table of accounts), so the engine is tested with real MQTT clients on real sockets. The
// NATS-backed deciders are exercised by the broker service suites.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RuleSet, defaultUspRules, type AclRule } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import {
  Engine,
  MemoryGuard,
  type Deciders,
  type EngineIdentity,
  type ClientIdPolicy,
  type RoleQuotas,
  type EngineLimits,
  type EngineLogger,
  type EnhancedAuthMethod,
  type SessionMessageStore,
  type SessionStore,
} from '@octomesh/mqtt-engine';

/** An account of the test deciders. */
export interface TestAccount {
  password: string;
  role: string;
  endpointId?: string;
}

/** A running engine on a random port. */
export interface TestBroker {
  engine: Engine;
  port: number;
  url: string;
  /** Makes the deciders fail (service down) or answer again. */
  setDeciderFailure(failing: boolean): void;
  /** Counts decider calls (to prove caching). */
  calls: { authenticate: number; authorize: number };
  /** Replaces the extra rules (a rule change as the acl service would see it). */
  setExtraRules(rules: AclRule[]): void;
  stop(): Promise<void>;
}

/** Starts an engine with the USP default policy plus `extraRules`, on 127.0.0.1:<random>. */
export async function startTestBroker(
  accounts: Record<string, TestAccount>,
  options: {
    extraRules?: AclRule[];
    limits?: Partial<EngineLimits>;
    prefix?: string;
    memoryGuard?: MemoryGuard;
    sessionStore?: SessionStore;
    /** Where offline sessions' messages wait (default: the session's memory). */
    sessionMessages?: SessionMessageStore;
    /** Enhanced authentication methods offered to v5 clients. */
    authMethods?: EnhancedAuthMethod[];
    /**
     * Client ids per role. The engine suites choose ids freely (no templates) unless they test
     * the policy; the broker suites run the broker's default (devices: username or endpoint id).
     */
    clientIdPolicy?: ClientIdPolicy;
    /**
     * Quotas per role, and per source address in `limits`. The engine suites run without them
     * (many clients of one account, from one address) unless they test them.
     */
    roleQuotas?: RoleQuotas;
    /** Where the engine logs (silent by default). */
    logger?: EngineLogger;
    /** Every authorize answer takes this long (an acl service on a slow network). */
    authorizeDelayMs?: number;
  } = {},
): Promise<TestBroker> {
  const prefix = options.prefix ?? 'oktopus/usp/v1';
  let rules = new RuleSet([...defaultUspRules(prefix), ...(options.extraRules ?? [])]);
  let failing = false;
  const calls = { authenticate: 0, authorize: 0 };
  const deciders: Deciders = {
    async authenticate(attempt) {
      calls.authenticate++;
      if (failing) throw new Error('auth down');
      const account = attempt.username === undefined ? undefined : accounts[attempt.username];
      if (account === undefined || attempt.password?.toString() !== account.password) {
        return {
          allow: false,
          reasonCode: ReasonCodes.badUserNameOrPassword,
          reason: 'bad user name or password',
        };
      }
      const identity: EngineIdentity = {
        subject: `user:${attempt.username}`,
        username: attempt.username!,
        role: account.role,
        endpointId: account.endpointId ?? '',
        clientId: attempt.clientId,
      };
      return { allow: true, identity };
    },
    async authorize(identity, checks) {
      calls.authorize++;
      if (options.authorizeDelayMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, options.authorizeDelayMs));
      if (failing) throw new Error('acl down');
      return {
        cacheTtlMs: 60_000,
        verdicts: checks.map((check) => {
          const decision = rules.decide(identity, check);
          return {
            allow: decision.allow,
            reasonCode: decision.allow ? 0 : ReasonCodes.notAuthorized,
          };
        }),
      };
    },
  };
  const engine = new Engine({
    deciders,
    uspTopicPrefix: prefix,
    limits: {
      maxConnectionsPerAddress: 0,
      connectRatePerAddress: 0,
      // The memory guard measures the whole jest worker, not this engine: a worker that ran big
      // suites before passed 512 MB in CI and every CONNACK became 0x89. Tests of the guard pass
      // their own (memoryGuard).
      memoryLimitBytes: 0,
      ...options.limits,
    },
    ...(options.memoryGuard ? { memoryGuard: options.memoryGuard } : {}),
    ...(options.sessionStore ? { sessionStore: options.sessionStore } : {}),
    ...(options.sessionMessages ? { sessionMessages: options.sessionMessages } : {}),
    ...(options.authMethods ? { authMethods: options.authMethods } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    clientIdPolicy: options.clientIdPolicy ?? {},
    roleQuotas: options.roleQuotas ?? {},
  });
  const server: Server = createServer((socket) => {
    engine.accept(socket, {
      sourceAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      listener: 'mqtt',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    engine,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    calls,
    setDeciderFailure: (value) => {
      failing = value;
    },
    setExtraRules: (extra) => {
      rules = new RuleSet([...defaultUspRules(prefix), ...extra]);
    },
    stop: async () => {
      engine.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
