// MQTT 5 reason codes mapped to what MQTT 3.1/3.1.1 can say.
import { ReasonCodes } from '@octomesh/contracts';

/** CONNACK return code (3.1.1 §3.2.2.3) for a v5 reason code. */
export function v3ConnackCode(reasonCode: number): number {
  switch (reasonCode) {
    case ReasonCodes.success:
      return 0;
    case ReasonCodes.unsupportedProtocolVersion:
      return 1;
    case ReasonCodes.clientIdentifierNotValid:
      return 2;
    case ReasonCodes.serverUnavailable:
    case ReasonCodes.serverBusy:
    case ReasonCodes.quotaExceeded:
    case ReasonCodes.connectionRateExceeded:
      // "Server unavailable": the 3.1.1 client retries later, as it should here.
      return 3;
    case ReasonCodes.badUserNameOrPassword:
      return 4;
    default:
      return 5;
  }
}

/** SUBACK code for 3.1.1: the granted QoS or 0x80 failure. */
export function v3SubackCode(reasonCode: number): number {
  return reasonCode < 0x80 ? reasonCode : 0x80;
}
