import type { HandlerConnection } from './context.ts';

/** PINGREQ → PINGRESP [MQTT-3.12.4-1]. */
export function handlePingreq(connection: HandlerConnection): void {
  connection.write({ cmd: 'pingresp' });
}
