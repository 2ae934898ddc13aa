// Enhanced authentication (MQTT 5 AUTH exchange, [MQTT-4.12]) as a pluggable method: the
// engine carries the AUTH packets, a method named in CONNECT's Authentication Method decides.
// The engine owns the protocol around it: a deadline on every step (a thrown error or a missed
// deadline refuses, fail closed), a bound on the rounds, the CONNECT timeout over the whole
// exchange, and on re-authentication the rule that the subject cannot change.
import type { ConnectAttempt, ConnectVerdict, EngineIdentity } from './types.ts';

/** One step of an exchange: send more data to the client (0x18), or the final verdict. */
export type AuthStep =
  { kind: 'continue'; data?: Buffer } | { kind: 'done'; verdict: ConnectVerdict; data?: Buffer };

/** One client's exchange with a method, from CONNECT (or re-authentication) to its verdict. */
export interface EnhancedAuthExchange {
  /**
   * Data the client sent (CONNECT or AUTH Authentication Data); answers the next step. The
   * engine aborts `signal` when its deadline passes; a thrown error is a refusal.
   */
  step(data: Buffer | undefined, signal: AbortSignal): Promise<AuthStep>;
}

/** A pluggable authentication method. */
export interface EnhancedAuthMethod {
  /** The Authentication Method name clients put in CONNECT (case-sensitive). */
  readonly name: string;
  /**
   * Begins an exchange. At CONNECT `current` is undefined and `attempt` is the CONNECT; on
   * re-authentication [MQTT-4.12.1-1] `current` is the connection's identity and `attempt`
   * the original CONNECT without its password. A re-authentication verdict for another subject
   * is refused by the engine.
   */
  begin(attempt: ConnectAttempt, current?: EngineIdentity): EnhancedAuthExchange;
}
