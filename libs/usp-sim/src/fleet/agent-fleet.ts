// Many simulated agents in one process: names from patterns, at most `concurrency` connections
// being set up at a time (a broker sees a steady ramp, not a thundering herd), a throttled
// progress callback while they connect, and stats over the whole fleet.
import {
  emptyAgentCounters,
  UspAgent,
  type AgentCounters,
  type UspAgentOptions,
} from '../agent/usp-agent.ts';
import { expandPattern } from './name-pattern.ts';

/** Settings of an {@link AgentFleet}. */
export interface FleetOptions {
  /** How many agents. */
  count: number;
  /** Number of the first agent (default 1). */
  firstNumber?: number;
  /** Endpoint ids, e.g. `os::SIM-%d` (see expandPattern). */
  endpointIdPattern: string;
  /** Usernames, e.g. `sim-%d`; none when absent. */
  usernamePattern?: string;
  /** Passwords (a fixed one, or with %d); none when absent. */
  passwordPattern?: string;
  /** Agents connecting at the same time (default 100). */
  concurrency?: number;
  /** Called while agents connect (at most every progressIntervalMs) and once when done. */
  onProgress?: (progress: FleetProgress) => void;
  /** Default 250 ms. */
  progressIntervalMs?: number;
  /** Settings every agent shares. */
  agent: Omit<UspAgentOptions, 'endpointId' | 'username' | 'password'>;
}

/** Where the connection ramp stands. */
export interface FleetProgress {
  readonly total: number;
  /** Agents that started (connected, subscribed, announced). */
  readonly connected: number;
  /** Agents whose start failed. */
  readonly failed: number;
  readonly elapsedMs: number;
  /** Agents started per second so far. */
  readonly ratePerSecond: number;
  /** True on the last call, when every agent has either started or failed. */
  readonly done: boolean;
}

/** The fleet now. */
export interface FleetStats extends FleetProgress {
  /** Agents connected right now. */
  readonly online: number;
  /** Start failures grouped by error message. */
  readonly failures: Readonly<Record<string, number>>;
  /** Every agent's counters added up. */
  readonly counters: AgentCounters;
}

/** Starts and stops many agents. */
export class AgentFleet {
  readonly #options: FleetOptions;
  readonly #agents: UspAgent[] = [];
  readonly #failures = new Map<string, number>();
  #failed = 0;
  #startedAt = 0;
  #finishedAt: number | undefined;
  #stopping = false;

  constructor(options: FleetOptions) {
    if (!Number.isInteger(options.count) || options.count < 0)
      throw new RangeError('count must be a whole number');
    this.#options = options;
    // Expand once up front so a bad pattern fails before any connection is made.
    expandPattern(options.endpointIdPattern, 0);
    if (options.usernamePattern !== undefined) expandPattern(options.usernamePattern, 0);
    if (options.passwordPattern !== undefined) expandPattern(options.passwordPattern, 0);
  }

  /** The agents that started, in start order. */
  get agents(): readonly UspAgent[] {
    return this.#agents;
  }

  /** Starts every agent; resolves with the final progress (failures do not reject). */
  async start(): Promise<FleetProgress> {
    const options = this.#options;
    const first = options.firstNumber ?? 1;
    const concurrency = Math.max(1, options.concurrency ?? 100);
    const intervalMs = options.progressIntervalMs ?? 250;
    this.#startedAt = performance.now();
    let next = 0;
    let lastReport = 0;
    const report = (done: boolean): void => {
      const now = performance.now();
      if (!done && now - lastReport < intervalMs) return;
      lastReport = now;
      options.onProgress?.(this.#progress(done));
    };
    const worker = async (): Promise<void> => {
      while (!this.#stopping && next < options.count) {
        const n = first + next++;
        const agent = new UspAgent({
          ...options.agent,
          endpointId: expandPattern(options.endpointIdPattern, n),
          ...(options.usernamePattern !== undefined
            ? { username: expandPattern(options.usernamePattern, n) }
            : {}),
          ...(options.passwordPattern !== undefined
            ? { password: expandPattern(options.passwordPattern, n) }
            : {}),
        });
        try {
          await agent.start();
          if (this.#stopping) await agent.stop();
          else this.#agents.push(agent);
        } catch (error) {
          this.#failed++;
          const reason = (error as Error).message;
          this.#failures.set(reason, (this.#failures.get(reason) ?? 0) + 1);
        }
        report(false);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, options.count) }, worker));
    this.#finishedAt = performance.now();
    report(true);
    return this.#progress(true);
  }

  /** Disconnects every agent (DISCONNECT) and stops the ramp if it is still running. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#agents.map((agent) => agent.stop()));
  }

  /** Drops every connection without DISCONNECT. */
  kill(): void {
    this.#stopping = true;
    for (const agent of this.#agents) agent.kill();
  }

  /** Progress, online agents, failures and summed counters. */
  stats(): FleetStats {
    const counters = emptyAgentCounters();
    let online = 0;
    for (const agent of this.#agents) {
      if (agent.isOnline) online++;
      for (const key of Object.keys(counters) as (keyof AgentCounters)[])
        counters[key] += agent.counters[key];
    }
    return {
      ...this.#progress(this.#finishedAt !== undefined),
      online,
      failures: Object.fromEntries(this.#failures),
      counters,
    };
  }

  #progress(done: boolean): FleetProgress {
    const elapsedMs = (this.#finishedAt ?? performance.now()) - this.#startedAt;
    const connected = this.#agents.length;
    return {
      total: this.#options.count,
      connected,
      failed: this.#failed,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (connected * 1000) / elapsedMs : 0,
      done,
    };
  }
}
