// The one error the lean MQTT client throws: a stable code per failure kind and, when the broker
// answered with one, the MQTT reason code (v5) or CONNACK return code (3.1.1) it sent.
import { isReasonCode, OctomeshError } from '@octomesh/contracts';

/** Why an MQTT operation failed. */
export const MqttClientErrorCodes = {
  badUrl: 'MQTT_BAD_URL',
  connectFailed: 'MQTT_CONNECT_FAILED',
  connackRefused: 'MQTT_CONNACK_REFUSED',
  subackRefused: 'MQTT_SUBACK_REFUSED',
  pubackRefused: 'MQTT_PUBACK_REFUSED',
  timeout: 'MQTT_TIMEOUT',
  closed: 'MQTT_CONNECTION_CLOSED',
  protocolError: 'MQTT_PROTOCOL_ERROR',
} as const;
/** One of {@link MqttClientErrorCodes}. */
export type MqttClientErrorCode = (typeof MqttClientErrorCodes)[keyof typeof MqttClientErrorCodes];

/**
 * An MQTT client failure; `wireCode` is the reason code (v5) or CONNACK return code (3.1.1) the
 * broker sent, if any. Only v5 reason codes also fill OctomeshError's `reasonCode`: 3.1.1 return
 * codes are a different table.
 */
export class MqttClientError extends OctomeshError {
  declare readonly code: MqttClientErrorCode;
  readonly wireCode: number | undefined;

  constructor(
    code: MqttClientErrorCode,
    message: string,
    options: { wireCode?: number; v5?: boolean; cause?: unknown } = {},
  ) {
    const wireCode = options.wireCode;
    const v5Code = options.v5 === true && wireCode !== undefined && isReasonCode(wireCode);
    super(code, message, {
      ...(v5Code ? { reasonCode: wireCode } : {}),
      cause: options.cause,
    });
    this.wireCode = wireCode;
  }
}
