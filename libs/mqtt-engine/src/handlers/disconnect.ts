// DISCONNECT from the client: no will unless 0x04 [MQTT-3.14.4-3]; the session expiry may be
// updated, but not from 0 to non-zero (§3.14.2.2.2).
import type { IDisconnectPacket } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** Handles DISCONNECT. */
export function handleDisconnect(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IDisconnectPacket,
): void {
  const session = connection.session;
  const expiry = packet.properties?.sessionExpiryInterval;
  if (session !== undefined && expiry !== undefined) {
    if (session.expirySeconds === 0 && expiry > 0) {
      connection.close(ReasonCodes.protocolError, 'session expiry cannot be set after 0');
      return;
    }
    session.expirySeconds = Math.min(expiry, context.limits.maxSessionExpirySeconds);
  }
  if ((packet.reasonCode ?? 0) !== ReasonCodes.disconnectWithWill) connection.discardWill();
  connection.destroy('client disconnected', packet.reasonCode ?? ReasonCodes.success);
}
