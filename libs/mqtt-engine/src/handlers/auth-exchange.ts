// One enhanced-authentication exchange at a time per connection [MQTT-4.12]: the engine carries
// the AUTH packets between the client and the method, with a deadline on every step, a bound on
// the rounds, and fail-closed verdicts. What happens with the verdict (CONNACK, or AUTH 0x00 /
// DISCONNECT on re-authentication) is the caller's `end`. The state lives in a WeakMap here, so
// it goes with its Connection and Connection carries no auth fields.
import type { IAuthPacket } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import { withDeadline } from '../deadline.ts';
import type { AuthStep, EnhancedAuthExchange, EnhancedAuthMethod } from '../enhanced-auth.ts';
import type { ConnectAttempt, ConnectVerdict, EngineIdentity } from '../types.ts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** Challenges (server AUTH 0x18) one exchange may send; one more refuses it. */
export const MAX_AUTH_ROUNDS = 10;

/** Receives an exchange's verdict: the method's, or a refusal the engine made. */
export type ExchangeEnd = (
  verdict: ConnectVerdict,
  data: Buffer | undefined,
) => Promise<void> | void;

interface RunningExchange {
  readonly exchange: EnhancedAuthExchange;
  readonly end: ExchangeEnd;
  challenges: number;
  /** The method is deciding a step: the client has no challenge to answer yet. */
  stepping: boolean;
}

interface AuthState {
  readonly method: EnhancedAuthMethod;
  /** The CONNECT's attempt without its password: re-authentication starts from it. */
  readonly attempt: ConnectAttempt;
  running: RunningExchange | undefined;
}

const states = new WeakMap<HandlerConnection, AuthState>();

/** The method named in the connection's CONNECT, or undefined when it used none. */
export function authMethodOf(connection: HandlerConnection): EnhancedAuthMethod | undefined {
  return states.get(connection)?.method;
}

/** The CONNECT attempt (without password) of a connection that used a method. */
export function connectAttemptOf(connection: HandlerConnection): ConnectAttempt | undefined {
  return states.get(connection)?.attempt;
}

/** Whether an exchange runs, and whether the client may answer it now. */
export function exchangeStatus(
  connection: HandlerConnection,
): 'none' | 'stepping' | 'awaiting-client' {
  const running = states.get(connection)?.running;
  if (running === undefined) return 'none';
  return running.stepping ? 'stepping' : 'awaiting-client';
}

/**
 * Starts an exchange with the client's first data: at CONNECT (`current` undefined, the
 * connection then keeps `method` for re-authentication) or on re-authentication.
 */
export async function beginExchange(
  context: HandlerContext,
  connection: HandlerConnection,
  method: EnhancedAuthMethod,
  attempt: ConnectAttempt,
  current: EngineIdentity | undefined,
  data: Buffer | undefined,
  end: ExchangeEnd,
): Promise<void> {
  let state = states.get(connection);
  if (state === undefined) {
    state = { method, attempt: { ...attempt, password: undefined }, running: undefined };
    states.set(connection, state);
  }
  let exchange: EnhancedAuthExchange;
  try {
    exchange = method.begin(attempt, current);
  } catch (error) {
    return failClosed(context, connection, end, error);
  }
  const running: RunningExchange = { exchange, end, challenges: 0, stepping: false };
  state.running = running;
  return step(context, connection, state, running, data);
}

/** The client's AUTH 0x18 answering our challenge [MQTT-4.12.0-3]. */
export async function answerChallenge(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IAuthPacket,
): Promise<void> {
  const state = states.get(connection);
  const running = state?.running;
  if (state === undefined || running === undefined || running.stepping) return;
  return step(context, connection, state, running, packet.properties?.authenticationData);
}

/** Ends the exchange in progress with a refusal of the engine's own (a protocol error). */
export async function abortExchange(
  connection: HandlerConnection,
  reasonCode: number,
  reason: string,
): Promise<void> {
  const state = states.get(connection);
  const running = state?.running;
  if (state === undefined || running === undefined) return;
  state.running = undefined;
  await running.end({ allow: false, reasonCode, reason }, undefined);
}

/** An AUTH packet of this connection's method [MQTT-4.12.0-5]. */
export function authPacket(
  reasonCode: number,
  method: string,
  data: Buffer | undefined,
): IAuthPacket {
  return {
    cmd: 'auth',
    reasonCode,
    properties: {
      authenticationMethod: method,
      ...(data !== undefined ? { authenticationData: data } : {}),
    },
  };
}

async function step(
  context: HandlerContext,
  connection: HandlerConnection,
  state: AuthState,
  running: RunningExchange,
  data: Buffer | undefined,
): Promise<void> {
  running.stepping = true;
  let next: AuthStep;
  try {
    next = await withDeadline(context.limits.deciderTimeoutMs, (signal) =>
      running.exchange.step(data, signal),
    );
  } catch (error) {
    running.stepping = false;
    if (state.running !== running || connection.state === 'closed') return;
    state.running = undefined;
    return failClosed(context, connection, running.end, error);
  }
  running.stepping = false;
  // The socket may have gone, or the exchange been aborted, while the method was answering.
  if (state.running !== running || connection.state === 'closed') return;
  if (next.kind === 'continue') {
    if (running.challenges >= MAX_AUTH_ROUNDS) {
      state.running = undefined;
      context.logger.info({ clientId: connection.clientId }, 'enhanced auth exchange too long');
      return running.end(
        {
          allow: false,
          reasonCode: ReasonCodes.notAuthorized,
          reason: 'too many authentication rounds',
        },
        undefined,
      );
    }
    running.challenges++;
    // More data needed: AUTH 0x18 with the method's name and data [MQTT-4.12.0-2, MQTT-4.12.0-5].
    connection.write(authPacket(ReasonCodes.continueAuthentication, state.method.name, next.data));
    return;
  }
  state.running = undefined;
  return running.end(checked(next.verdict), next.data);
}

// A deny must be a refusal on the wire (0x80 or above [MQTT-4.12.0-4]); a method answering a
// deny with a success-range code must not let the client in.
function checked(verdict: ConnectVerdict): ConnectVerdict {
  if (verdict.allow || verdict.reasonCode >= 0x80) return verdict;
  return { allow: false, reasonCode: ReasonCodes.notAuthorized, reason: verdict.reason };
}

// Fail closed, like the authenticate decider: nobody gets in while the method cannot answer.
function failClosed(
  context: HandlerContext,
  connection: HandlerConnection,
  end: ExchangeEnd,
  error: unknown,
) {
  context.logger.warn(
    { clientId: connection.clientId, error: (error as Error).message },
    'enhanced auth unavailable, refused',
  );
  return end(
    {
      allow: false,
      reasonCode: ReasonCodes.serverUnavailable,
      reason: 'authentication unavailable',
    },
    undefined,
  );
}
