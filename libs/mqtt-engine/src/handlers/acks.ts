// Acknowledgements of the QoS 1 and QoS 2 flows, both directions.
import type { IPubackPacket, IPubcompPacket, IPubrecPacket, IPubrelPacket } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { Connection } from '../connection.ts';

/** PUBACK for a QoS 1 message we sent: frees its slot in the client's window. */
export function handlePuback(connection: Connection, packet: IPubackPacket): void {
  connection.session?.complete(packet.messageId!);
}

/** PUBREC for a QoS 2 message we sent → PUBREL [MQTT-4.3.3-4]. */
export function handlePubrec(connection: Connection, packet: IPubrecPacket): void {
  const known = connection.session?.received(packet.messageId!, packet.reasonCode ?? 0) ?? false;
  if ((packet.reasonCode ?? 0) >= 0x80) return;
  connection.write(
    known || connection.protocolVersion !== 5
      ? { cmd: 'pubrel', messageId: packet.messageId! }
      : {
          cmd: 'pubrel',
          messageId: packet.messageId!,
          reasonCode: ReasonCodes.packetIdentifierNotFound,
        },
  );
}

/** PUBREL for a QoS 2 message we received → PUBCOMP; the packet id is free again. */
export function handlePubrel(connection: Connection, packet: IPubrelPacket): void {
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
export function handlePubcomp(connection: Connection, packet: IPubcompPacket): void {
  connection.session?.complete(packet.messageId!);
}
