// AUTH from the client (MQTT 5 §3.15, §4.12): answers to our challenges during a CONNECT's
// enhanced authentication, and re-authentication after CONNACK [MQTT-4.12.1-1]. The exchange
// itself (deadline, rounds, fail closed) is auth-exchange.ts; here are the rules of which AUTH
// may come when. The packet checks (wire/check-packet.ts) already refuse an AUTH from a
// 3.1/3.1.1 client, reserved fixed-header bits [MQTT-3.15.1-1], unknown reason codes
// [MQTT-3.15.2-1] and properties AUTH may not carry.
import type { IAuthPacket, Packet } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { ConnectVerdict } from '../types.ts';
import {
  abortExchange,
  answerChallenge,
  authMethodOf,
  authPacket,
  beginExchange,
  connectAttemptOf,
  exchangeStatus,
} from './auth-exchange.ts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** Handles AUTH, during CONNECT's exchange or after CONNACK. */
export function handleAuth(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IAuthPacket,
): Promise<void> | void {
  const method = authMethodOf(connection);
  // No method at CONNECT: no AUTH may follow [MQTT-4.12.0-7].
  if (method === undefined) return protocolError(connection, 'no authentication method in use');
  // Every AUTH names the CONNECT's method [MQTT-4.12.0-5, MQTT-4.12.1-1].
  if (packet.properties?.authenticationMethod !== method.name)
    return protocolError(connection, 'authentication method differs from CONNECT');
  const status = exchangeStatus(connection);
  if (status === 'awaiting-client') {
    // Within an exchange the client only continues it [MQTT-4.12.0-3].
    if (packet.reasonCode !== ReasonCodes.continueAuthentication)
      return protocolError(connection, 'AUTH other than continue during authentication');
    return connection.state === 'connecting'
      ? answerChallenge(context, connection, packet)
      : detached(context, connection, answerChallenge(context, connection, packet));
  }
  // Otherwise only 0x19 may come, after CONNACK and with no exchange running: 0x00 is the
  // server's (Table 3-11), and while the method decides there is no challenge to answer.
  if (
    connection.state !== 'connected' ||
    status !== 'none' ||
    packet.reasonCode !== ReasonCodes.reAuthenticate
  )
    return protocolError(connection, 'unexpected AUTH');
  return reauthenticate(context, connection, packet);
}

/**
 * A packet other than AUTH while CONNECT's exchange runs: only AUTH or DISCONNECT may come
 * before CONNACK [MQTT-3.1.2-30].
 */
export function handleDuringAuthentication(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: Packet,
): Promise<void> | void {
  if (packet.cmd === 'auth') return handleAuth(context, connection, packet);
  // The client may give up at any point of the exchange (§4.12).
  if (packet.cmd === 'disconnect') return connection.destroy('client disconnected during auth');
  return protocolError(connection, `${packet.cmd} before CONNACK`);
}

// Re-authentication [MQTT-4.12.1-1]: a new exchange with the CONNECT's method. Other packets
// keep flowing on the current identity meanwhile (§4.12.1), so the method's steps run beside the
// packet queue rather than in it.
function reauthenticate(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IAuthPacket,
): void {
  const method = authMethodOf(connection)!;
  const current = connection.identity!;
  const end = (verdict: ConnectVerdict, data: Buffer | undefined): void => {
    if (connection.state !== 'connected') return;
    // A failed re-authentication ends the connection with DISCONNECT [MQTT-4.12.1-2].
    if (!verdict.allow) return connection.close(disconnectCode(verdict.reasonCode), verdict.reason);
    // Re-authentication proves the same subject again; it never switches who is connected.
    if (verdict.identity.subject !== current.subject)
      return connection.close(ReasonCodes.notAuthorized, 're-authentication changed the subject');
    // Role or endpoint may have changed: the session takes the new identity, and no verdict
    // made for the old one survives.
    connection.authenticated({ ...verdict.identity, clientId: connection.clientId });
    context.logger.info({ clientId: connection.clientId }, 're-authenticated');
    connection.write(authPacket(ReasonCodes.success, method.name, data));
  };
  detached(
    context,
    connection,
    beginExchange(
      context,
      connection,
      method,
      connectAttemptOf(connection)!,
      current,
      packet.properties?.authenticationData,
      end,
    ),
  );
}

function protocolError(connection: HandlerConnection, reason: string): Promise<void> | void {
  // Before CONNACK the refusal is a CONNACK (through the exchange's end); after it, DISCONNECT.
  if (connection.state !== 'connecting') return connection.close(ReasonCodes.protocolError, reason);
  if (exchangeStatus(connection) !== 'none')
    return abortExchange(connection, ReasonCodes.protocolError, reason);
  return connection.destroy(reason);
}

function detached(
  context: HandlerContext,
  connection: HandlerConnection,
  work: Promise<void>,
): void {
  work.catch((error: unknown) => {
    context.logger.error(
      { clientId: connection.clientId, error: (error as Error).message },
      're-authentication failed',
    );
    connection.close(ReasonCodes.unspecifiedError, 'internal error');
  });
}

// DISCONNECT has fewer reason codes than CONNACK (MQTT 5 §3.14.2.1): a refusal without a
// DISCONNECT equivalent (0x86, 0x8A, 0x8C) becomes 0x87, an unavailable method (0x88) 0x80.
const disconnectCodes: ReadonlySet<number> = new Set([
  ReasonCodes.unspecifiedError,
  ReasonCodes.malformedPacket,
  ReasonCodes.protocolError,
  ReasonCodes.implementationSpecificError,
  ReasonCodes.notAuthorized,
  ReasonCodes.serverBusy,
  ReasonCodes.serverShuttingDown,
  ReasonCodes.keepAliveTimeout,
  ReasonCodes.sessionTakenOver,
  ReasonCodes.topicFilterInvalid,
  ReasonCodes.topicNameInvalid,
  ReasonCodes.receiveMaximumExceeded,
  ReasonCodes.topicAliasInvalid,
  ReasonCodes.packetTooLarge,
  ReasonCodes.messageRateTooHigh,
  ReasonCodes.quotaExceeded,
  ReasonCodes.administrativeAction,
  ReasonCodes.payloadFormatInvalid,
  ReasonCodes.retainNotSupported,
  ReasonCodes.qosNotSupported,
  ReasonCodes.useAnotherServer,
  ReasonCodes.serverMoved,
  ReasonCodes.sharedSubscriptionsNotSupported,
  ReasonCodes.connectionRateExceeded,
  ReasonCodes.maximumConnectTime,
  ReasonCodes.subscriptionIdentifiersNotSupported,
  ReasonCodes.wildcardSubscriptionsNotSupported,
]);

function disconnectCode(reasonCode: number): number {
  if (disconnectCodes.has(reasonCode)) return reasonCode;
  return reasonCode === ReasonCodes.serverUnavailable
    ? ReasonCodes.unspecifiedError
    : ReasonCodes.notAuthorized;
}
