// Enhanced authentication (MQTT 5 AUTH exchange, [MQTT-4.12]) as a pluggable method: the
// engine carries the AUTH packets, a method named in CONNECT's Authentication Method decides.
import type { ConnectAttempt, ConnectVerdict } from './types.ts';

/** One step of an exchange: send more data to the client (0x18), or the final verdict. */
export type AuthStep =
  | { kind: 'continue'; data?: Buffer }
  | { kind: 'done'; verdict: ConnectVerdict; data?: Buffer };

/** One client's exchange with a method, from CONNECT (or re-authentication) to its verdict. */
export interface EnhancedAuthExchange {
  /** Data the client sent (CONNECT or AUTH Authentication Data); answers the next step. */
  step(data: Buffer | undefined, signal: AbortSignal): Promise<AuthStep>;
}

/** A pluggable authentication method. */
export interface EnhancedAuthMethod {
  /** The Authentication Method name clients put in CONNECT (case-sensitive). */
  readonly name: string;
  /** Begins an exchange for a CONNECT. */
  begin(attempt: ConnectAttempt): EnhancedAuthExchange;
}
