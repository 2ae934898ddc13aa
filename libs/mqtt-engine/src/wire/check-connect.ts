// CONNECT (3.1 §3.1, 3.1.1 §3.1, 5.0 §3.1), field by field to the last byte. A protocol level
// we do not speak is answered CONNACK 0x01 [MQTT-3.1.2-2]; any other violation closes the
// connection (MQTT 5: after CONNACK 0x81 or 0x82; 3.1/3.1.1: without CONNACK [MQTT-3.1.4-1]).
import { checkProperties } from './properties.ts';
import { malformed, PacketViolation, protocolError, ViolationCodes } from './packet-violation.ts';
import { WireReader } from './wire-reader.ts';

const MQTT = Buffer.from('MQTT');
const MQISDP = Buffer.from('MQIsdp');

/** Checks a CONNECT body of `length` bytes. Throws a PacketViolation. */
export function checkConnect(source: Buffer, length: number): void {
  const reader = new WireReader(source, 0, length, false);
  const level = checkProtocol(reader, source);
  try {
    checkConnectBody(new WireReader(source, reader.pos, length, level === 5), level);
  } catch (error) {
    if (error instanceof PacketViolation) throw error.inConnect(level);
    throw error;
  }
}

// Protocol Name and Level: 'MQIsdp' 3, 'MQTT' 4 or 5. A wrong name is not MQTT at all
// [MQTT-3.1.2-1]: close without CONNACK. A level we do not speak (also 0x83/0x84, another
// broker's bridge extension) gets CONNACK 0x01 [MQTT-3.1.2-2].
function checkProtocol(reader: WireReader, source: Buffer): number {
  const name = reader.utf8('the protocol name');
  const bytes = source.subarray(name.start, name.start + name.length);
  const isMqtt = bytes.equals(MQTT);
  if (!isMqtt && !bytes.equals(MQISDP))
    throw protocolError('[MQTT-3.1.2-1]', 'the protocol name is not MQTT');
  const level = reader.u8('the protocol level');
  if (isMqtt ? level !== 4 && level !== 5 : level !== 3) {
    throw new PacketViolation(
      ViolationCodes.unsupportedProtocolVersion,
      '[MQTT-3.1.2-2]',
      `protocol level 0x${level.toString(16)} is not supported`,
    );
  }
  return level;
}

function checkConnectBody(reader: WireReader, level: number): void {
  const v5 = level === 5;
  const flags = reader.u8('the connect flags');
  // The reserved flag is 0 [MQTT-3.1.2-3].
  if ((flags & 0x01) !== 0) throw malformed('[MQTT-3.1.2-3]', 'the reserved connect flag is set');
  const will = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 0x03;
  const willRetain = (flags & 0x20) !== 0;
  const password = (flags & 0x40) !== 0;
  const username = (flags & 0x80) !== 0;
  if (!will && willQos !== 0)
    throw malformed(v5 ? '[MQTT-3.1.2-11]' : '[MQTT-3.1.2-13]', 'Will QoS without a will');
  if (!will && willRetain)
    throw malformed(v5 ? '[MQTT-3.1.2-13]' : '[MQTT-3.1.2-15]', 'Will Retain without a will');
  if (willQos === 3) throw malformed(v5 ? '[MQTT-3.1.2-12]' : '[MQTT-3.1.2-14]', 'Will QoS 3');
  // MQTT 5 allows a password without a user name (§3.1.2.9); 3.1 and 3.1.1 do not.
  if (!v5 && password && !username)
    throw malformed('[MQTT-3.1.2-22]', 'a password flag without the user name flag');
  reader.u16('the keep alive');
  if (v5) checkProperties(reader, 'connect');
  reader.utf8('the client identifier');
  if (will) {
    if (v5) checkProperties(reader, 'will');
    const topic = reader.utf8('the will topic');
    // Topic names are at least one character long [MQTT-4.7.3-1].
    if (topic.length === 0) throw protocolError('[MQTT-4.7.3-1]', 'an empty will topic');
    reader.binary('the will payload');
  }
  if (username) reader.utf8('the user name');
  if (password) reader.binary('the password');
  // Nothing may follow the last field its flags announce: a user name or password without its
  // flag [MQTT-3.1.2-18] [MQTT-3.1.2-20] (5.0: [MQTT-3.1.2-16] [MQTT-3.1.2-18]), or garbage.
  if (reader.remaining > 0)
    throw malformed(
      v5 ? '[MQTT-3.1.2-16] [MQTT-3.1.2-18]' : '[MQTT-3.1.2-18] [MQTT-3.1.2-20]',
      `${reader.remaining} bytes after the last field of CONNECT`,
    );
}
