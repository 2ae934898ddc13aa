// Enhanced authentication (AUTH exchange) is a pluggable method; none is configured yet, so an
// AUTH packet is a protocol error [MQTT-3.15.0-1 analogue: no method was agreed at CONNECT].
import type { IAuthPacket } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { Connection } from '../connection.ts';

/** AUTH after CONNECT without an agreed method. */
export function handleAuth(connection: Connection, _packet: IAuthPacket): void {
  connection.close(ReasonCodes.protocolError, 'no authentication method in use');
}
