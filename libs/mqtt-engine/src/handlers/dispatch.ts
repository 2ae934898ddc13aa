// One handler per packet type; this table routes a parsed packet to it and enforces which
// packets may come when.
import type { Packet } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { HandlerConnection, HandlerContext } from './context.ts';
import { handlePuback, handlePubcomp, handlePubrec, handlePubrel } from './acks.ts';
import { handleAuth, handleDuringAuthentication } from './auth.ts';
import { handleConnect } from './connect.ts';
import { handleDisconnect } from './disconnect.ts';
import { handlePingreq } from './pingreq.ts';
import { handlePublish } from './publish.ts';
import { handleSubscribe } from './subscribe.ts';
import { handleUnsubscribe } from './unsubscribe.ts';

/** Hands a packet to its handler. */
export async function dispatch(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: Packet,
): Promise<void> {
  if (connection.state === 'awaiting-connect') {
    // The first packet must be CONNECT [MQTT-3.1.0-1]; anything else ends the connection.
    if (packet.cmd !== 'connect') return connection.destroy('packet before CONNECT');
    return handleConnect(context, connection, packet);
  }
  // Between CONNECT and CONNACK only an enhanced-auth exchange waits for the client (a CONNECT
  // without one is handled before the next packet).
  if (connection.state === 'connecting')
    return handleDuringAuthentication(context, connection, packet);
  if (connection.state !== 'connected') return;
  switch (packet.cmd) {
    case 'connect':
      // A second CONNECT is a protocol violation [MQTT-3.1.0-2].
      return connection.close(ReasonCodes.protocolError, 'second CONNECT');
    case 'publish':
      return handlePublish(context, connection, packet);
    case 'puback':
      return handlePuback(context, connection, packet);
    case 'pubrec':
      return handlePubrec(context, connection, packet);
    case 'pubrel':
      return handlePubrel(connection, packet);
    case 'pubcomp':
      return handlePubcomp(context, connection, packet);
    case 'subscribe':
      return handleSubscribe(context, connection, packet);
    case 'unsubscribe':
      return handleUnsubscribe(context, connection, packet);
    case 'pingreq':
      return handlePingreq(connection);
    case 'disconnect':
      return handleDisconnect(context, connection, packet);
    case 'auth':
      return handleAuth(context, connection, packet);
    default:
      // Server-to-client packets from a client are protocol errors.
      return connection.close(ReasonCodes.protocolError, `unexpected ${packet.cmd}`);
  }
}
