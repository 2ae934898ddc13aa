// The engine's strict reading of what a client sends, before mqtt-packet decodes it: every
// MUST of MQTT 3.1, 3.1.1 and 5.0 (chapters 1-4) about the shape of a packet, checked on its
// bytes, so that a bad packet ends the connection with the code the spec gives instead of being
// half-decoded (mqtt-packet accepts trailing bytes, repeated properties, packet id 0, Will QoS
// 3, and reads past a packet whose Remaining Length is too short).
import { checkConnect } from './check-connect.ts';
import { checkProperties } from './properties.ts';
import { malformed, PacketViolation, protocolError } from './packet-violation.ts';
import { WireReader } from './wire-reader.ts';

/** Packet types (§2.1.2). */
const Types = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const;

// The flags of every fixed header but PUBLISH are fixed (§2.1.3 / 3.1.1 §2.2.2).
const REQUIRED_FLAGS: Readonly<Record<number, number>> = {
  [Types.connect]: 0,
  [Types.puback]: 0,
  [Types.pubrec]: 0,
  [Types.pubrel]: 2,
  [Types.pubcomp]: 0,
  [Types.subscribe]: 2,
  [Types.unsubscribe]: 2,
  [Types.pingreq]: 0,
  [Types.disconnect]: 0,
  [Types.auth]: 0,
};

const SERVER_ONLY = new Set<number>([Types.connack, Types.suback, Types.unsuback, Types.pingresp]);

// Reason codes a client may send, per packet (MQTT 5 §3.4.2.1, §3.6.2.1, §3.14.2.1, §3.15.2.1).
const PUBACK_CODES = new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
const PUBREL_CODES = new Set([0x00, 0x92]);
const DISCONNECT_CODES = new Set([
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95,
  0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
]);
const AUTH_CODES = new Set([0x00, 0x18, 0x19]);

/**
 * Checks the first byte of a packet from a client (type and flags); `level` is the connection's
 * protocol level (4 until CONNECT). The violation, if any.
 */
export function checkFixedHeader(firstByte: number, level: number): PacketViolation | undefined {
  try {
    fixedHeader(firstByte, level);
    return undefined;
  } catch (error) {
    return asViolation(error);
  }
}

/**
 * Checks the variable header and payload of a packet from a client. `body` holds its bytes
 * from the start of the variable header: all `length` of them (the Remaining Length), or for
 * a PUBLISH at least up to the end of its properties (the payload is not read). The violation,
 * if any.
 */
export function checkPacketBody(
  firstByte: number,
  body: Buffer,
  length: number,
  level: number,
): PacketViolation | undefined {
  try {
    packetBody(firstByte, body, length, level);
    return undefined;
  } catch (error) {
    return asViolation(error);
  }
}

function asViolation(error: unknown): PacketViolation {
  if (error instanceof PacketViolation) return error;
  throw error;
}

function fixedHeader(firstByte: number, level: number): void {
  const type = firstByte >> 4;
  const flags = firstByte & 0x0f;
  const flagRule = level === 5 ? '[MQTT-2.1.3-1]' : '[MQTT-2.2.2-2]';
  if (type === 0 || (type === Types.auth && level !== 5))
    throw malformed('§2.1.2', `reserved packet type ${type}`);
  if (SERVER_ONLY.has(type))
    throw protocolError('§2.1.2', `packet type ${type} is sent by servers only`);
  if (type === Types.publish) {
    const qos = (flags >> 1) & 0x03;
    if (qos === 3) throw malformed('[MQTT-3.3.1-4]', 'PUBLISH with QoS 3');
    if (qos === 0 && (flags & 0x08) !== 0)
      throw malformed('[MQTT-3.3.1-2]', 'PUBLISH QoS 0 with the DUP flag');
    return;
  }
  if (flags !== REQUIRED_FLAGS[type])
    throw malformed(flagRule, `reserved flags 0x${flags.toString(16)} on packet type ${type}`);
}

function packetBody(firstByte: number, body: Buffer, length: number, level: number): void {
  const type = firstByte >> 4;
  // A PUBLISH body may stop after its properties: its payload is never read.
  const reader = new WireReader(
    body,
    0,
    type === Types.publish ? body.length : length,
    level === 5,
  );
  switch (type) {
    case Types.connect:
      return checkConnect(body, length);
    case Types.publish:
      return checkPublish(reader, (firstByte >> 1) & 0x03);
    case Types.puback:
    case Types.pubrec:
      return checkAck(reader, PUBACK_CODES);
    case Types.pubrel:
    case Types.pubcomp:
      return checkAck(reader, PUBREL_CODES);
    case Types.subscribe:
      return checkSubscribe(reader);
    case Types.unsubscribe:
      return checkUnsubscribe(reader);
    case Types.pingreq:
      if (length !== 0) throw malformed('§3.12', 'PINGREQ with a body');
      return;
    case Types.disconnect:
      return checkDisconnect(reader);
    case Types.auth:
      return checkAuth(reader);
    default:
      return;
  }
}

/**
 * How much of a PUBLISH body the checks read: its topic, packet id and properties. Reads the
 * lengths from `at(i)` (a byte of the body) so that a large payload is never copied.
 */
export function publishHeadLength(
  at: (index: number) => number,
  length: number,
  qos: number,
  level: number,
): number {
  if (length < 2) return length;
  let end = 2 + ((at(0) << 8) | at(1)) + (qos > 0 ? 2 : 0);
  if (level === 5) {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4 && end < length; i++) {
      const byte = at(end++);
      value += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) break;
    }
    end += value;
  }
  return Math.min(length, end);
}

function packetIdentifier(reader: WireReader, packet: string): void {
  // SUBSCRIBE, UNSUBSCRIBE and PUBLISH QoS > 0 carry a non-zero packet id [MQTT-2.2.1-3].
  if (reader.u16('the packet identifier') === 0)
    throw protocolError('[MQTT-2.2.1-3]', `${packet} with packet identifier 0`);
}

function endOfPacket(reader: WireReader, packet: string): void {
  if (reader.remaining > 0)
    throw malformed(
      'Remaining Length',
      `${reader.remaining} bytes after the last field of ${packet}`,
    );
}

function checkPublish(reader: WireReader, qos: number): void {
  const topic = reader.utf8('the topic name');
  if (qos > 0) packetIdentifier(reader, 'PUBLISH');
  const aliased = reader.v5 ? checkProperties(reader, 'publish').topicAlias : false;
  // Topic names are at least one character long [MQTT-4.7.3-1]; in MQTT 5 an empty one stands
  // for a Topic Alias and needs one (§3.3.2.3.4).
  if (topic.length === 0 && !aliased)
    throw protocolError('[MQTT-4.7.3-1]', 'an empty topic name without a topic alias');
  // The rest is the payload, any bytes.
  reader.skipToEnd();
}

// PUBACK, PUBREC, PUBREL, PUBCOMP: 3.1.1 has exactly the packet id; MQTT 5 may add a reason
// code and then properties (§3.4.2.1: Remaining Length 2, 3, or 4 and more).
function checkAck(reader: WireReader, codes: ReadonlySet<number>): void {
  if (reader.remaining < 2) throw malformed('§3.4.1', 'an acknowledgement without packet id');
  reader.u16('the packet identifier');
  if (!reader.v5) return endOfPacket(reader, 'the acknowledgement');
  if (reader.remaining === 0) return;
  const code = reader.u8('the reason code');
  if (!codes.has(code))
    throw protocolError('§3.4.2.1', `reason code 0x${code.toString(16)} in an acknowledgement`);
  if (reader.remaining === 0) return;
  checkProperties(reader, 'ack');
  endOfPacket(reader, 'the acknowledgement');
}

function checkSubscribe(reader: WireReader): void {
  packetIdentifier(reader, 'SUBSCRIBE');
  if (reader.v5) checkProperties(reader, 'subscribe');
  // At least one Topic Filter [MQTT-3.8.3-3] (5.0: [MQTT-3.8.3-2], a Protocol Error).
  if (reader.remaining === 0)
    throw protocolError(
      reader.v5 ? '[MQTT-3.8.3-2]' : '[MQTT-3.8.3-3]',
      'SUBSCRIBE without a topic filter',
    );
  while (reader.remaining > 0) {
    const at = reader.utf8('a topic filter');
    if (at.length === 0) throw protocolError('[MQTT-4.7.3-1]', 'an empty topic filter');
    const options = reader.u8('the subscription options');
    checkSubscriptionOptions(reader, options, at);
  }
}

function checkSubscriptionOptions(
  reader: WireReader,
  options: number,
  filter: { start: number; length: number },
): void {
  const qos = options & 0x03;
  if (!reader.v5) {
    // Bits 2-7 are reserved and QoS is 0, 1 or 2 [MQTT-3.8.3-4].
    if ((options & 0xfc) !== 0 || qos === 3)
      throw malformed('[MQTT-3.8.3-4]', 'reserved bits or QoS 3 in the requested QoS');
    return;
  }
  if ((options & 0xc0) !== 0)
    throw malformed('[MQTT-3.8.3-5]', 'reserved bits set in the subscription options');
  if (qos === 3) throw protocolError('§3.8.3.1', 'Maximum QoS 3 in the subscription options');
  if (((options >> 4) & 0x03) === 3)
    throw protocolError('§3.8.3.1', 'Retain Handling 3 in the subscription options');
  // No Local on a shared subscription [MQTT-3.8.3-4].
  if ((options & 0x04) !== 0 && reader.text(filter).startsWith('$share/'))
    throw protocolError('[MQTT-3.8.3-4]', 'No Local on a shared subscription');
}

function checkUnsubscribe(reader: WireReader): void {
  packetIdentifier(reader, 'UNSUBSCRIBE');
  if (reader.v5) checkProperties(reader, 'unsubscribe');
  // At least one Topic Filter [MQTT-3.10.3-2].
  if (reader.remaining === 0)
    throw protocolError('[MQTT-3.10.3-2]', 'UNSUBSCRIBE without a topic filter');
  while (reader.remaining > 0) {
    const at = reader.utf8('a topic filter');
    if (at.length === 0) throw protocolError('[MQTT-4.7.3-1]', 'an empty topic filter');
  }
}

// DISCONNECT: empty in 3.1.1 (§3.14); MQTT 5 may carry a reason code, then properties.
function checkDisconnect(reader: WireReader): void {
  if (!reader.v5) return endOfPacket(reader, 'DISCONNECT');
  if (reader.remaining === 0) return;
  const code = reader.u8('the reason code');
  if (!DISCONNECT_CODES.has(code))
    throw protocolError('§3.14.2.1', `reason code 0x${code.toString(16)} in DISCONNECT`);
  if (reader.remaining === 0) return;
  checkProperties(reader, 'disconnect');
  endOfPacket(reader, 'DISCONNECT');
}

// AUTH (MQTT 5 only): empty means Success; else a reason code, then properties (§3.15.2).
function checkAuth(reader: WireReader): void {
  if (reader.remaining === 0) return;
  const code = reader.u8('the reason code');
  if (!AUTH_CODES.has(code))
    throw protocolError('§3.15.2.1', `reason code 0x${code.toString(16)} in AUTH`);
  if (reader.remaining === 0) return;
  checkProperties(reader, 'auth');
  endOfPacket(reader, 'AUTH');
}
