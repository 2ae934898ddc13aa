// Acknowledgements of the QoS 1 and QoS 2 flows, both directions.
import type { IPubackPacket, IPubcompPacket, IPubrecPacket, IPubrelPacket } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** PUBACK for a QoS 1 message we sent: frees its slot in the client's window. */
export function handlePuback(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IPubackPacket,
): void {
  const result = connection.session?.complete(packet.messageId!, 'puback');
  if (result === 'wrong-type') wrongAcknowledgement(context, connection, 'PUBACK');
}

/** PUBREC for a QoS 2 message we sent → PUBREL [MQTT-4.3.3-4]. */
export function handlePubrec(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IPubrecPacket,
): void {
  const result = connection.session?.received(packet.messageId!, packet.reasonCode ?? 0);
  if (result === 'wrong-type') return wrongAcknowledgement(context, connection, 'PUBREC');
  if ((packet.reasonCode ?? 0) >= 0x80) return;
  connection.write(
    result === 'ok' || connection.protocolVersion !== 5
      ? { cmd: 'pubrel', messageId: packet.messageId! }
      : {
          cmd: 'pubrel',
          messageId: packet.messageId!,
          reasonCode: ReasonCodes.packetIdentifierNotFound,
        },
  );
}

/** PUBREL for a QoS 2 message we received → PUBCOMP; the packet id is free again. */
export function handlePubrel(connection: HandlerConnection, packet: IPubrelPacket): void {
  const known = connection.session?.awaitingRelease.delete(packet.messageId!) ?? false;
  connection.write(
    known || connection.protocolVersion !== 5
      ? { cmd: 'pubcomp', messageId: packet.messageId! }
      : {
          cmd: 'pubcomp',
          messageId: packet.messageId!,
          reasonCode: ReasonCodes.packetIdentifierNotFound,
        },
  );
}

/** PUBCOMP for a QoS 2 message we sent: the delivery is complete. */
export function handlePubcomp(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IPubcompPacket,
): void {
  const result = connection.session?.complete(packet.messageId!, 'pubcomp');
  if (result === 'wrong-type') wrongAcknowledgement(context, connection, 'PUBCOMP');
}

// An acknowledgement that does not fit the delivery's QoS flow (PUBREC for QoS 1, PUBACK for
// QoS 2, PUBCOMP before PUBREC) is a protocol violation: the connection closes [MQTT-4.8.0-1]
// (MQTT 5: DISCONNECT 0x82). An unknown packet id is not: it may be a late duplicate.
function wrongAcknowledgement(
  context: HandlerContext,
  connection: HandlerConnection,
  ack: string,
): void {
  context.counters.packetViolations++;
  context.logger.info(
    { clientId: connection.clientId, ack },
    'acknowledgement does not match the delivery, closing',
  );
  connection.close(ReasonCodes.protocolError, `${ack} does not match the QoS of the delivery`);
}
