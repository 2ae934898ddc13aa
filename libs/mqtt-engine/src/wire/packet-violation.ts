// A packet that breaks the MQTT grammar or a MUST of the spec: the connection ends, with the
// reason code the spec gives (MQTT 5 §4.13: 0x81 Malformed Packet when it cannot be parsed,
// 0x82 Protocol Error when it parses but holds what the protocol forbids).
import { OctomeshError, ReasonCodes } from '@octomesh/contracts';

/** The reason codes a packet violation ends a connection with. */
export const ViolationCodes = {
  malformedPacket: ReasonCodes.malformedPacket,
  protocolError: ReasonCodes.protocolError,
  /** CONNECT names a protocol level we do not speak: CONNACK 0x01 (3.1.1 format), then close. */
  unsupportedProtocolVersion: ReasonCodes.unsupportedProtocolVersion,
} as const;

/** One of {@link ViolationCodes}. */
export type ViolationCode = (typeof ViolationCodes)[keyof typeof ViolationCodes];

/** A client's packet violates the spec; `rule` names the spec rule. */
export class PacketViolation extends OctomeshError {
  readonly rule: string;
  readonly violationCode: ViolationCode;
  /** The protocol level of the CONNECT that held the violation (3, 4 or 5), if it was one. */
  readonly connectLevel: number | undefined;

  constructor(violationCode: ViolationCode, rule: string, message: string, connectLevel?: number) {
    super('MQTT_PACKET_VIOLATION', message, { reasonCode: violationCode });
    this.rule = rule;
    this.violationCode = violationCode;
    this.connectLevel = connectLevel;
  }

  /** The same violation, found in a CONNECT of the given protocol level. */
  inConnect(level: number): PacketViolation {
    return new PacketViolation(this.violationCode, this.rule, this.message, level);
  }
}

/** A Malformed Packet (0x81). */
export function malformed(rule: string, message: string): PacketViolation {
  return new PacketViolation(ViolationCodes.malformedPacket, rule, message);
}

/** A Protocol Error (0x82). */
export function protocolError(rule: string, message: string): PacketViolation {
  return new PacketViolation(ViolationCodes.protocolError, rule, message);
}
