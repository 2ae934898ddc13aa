// User properties passed through unchanged and in order [MQTT-3.3.2-17, MQTT-3.3.2-18].
// mqtt-packet represents them as an object of name → value(s): names that interleave
// (a, b, a) come out grouped (a, a, b), and a repeated name after an empty value overwrites it.
// The engine hooks its parser to keep the pairs as they came (on the object, under a symbol, so
// every other use of the object still works), and writes a PUBLISH's user properties itself, in
// that order.
import mqtt, { type Packet } from 'mqtt-packet';

/** The user properties of one property block, in wire order. */
export type UserPropertyPairs = readonly (readonly [string, string])[];

/** Where the ordered pairs live on a parsed `userProperties` object. */
export const ORDERED_PAIRS: unique symbol = Symbol('octomesh.userPropertyPairs');

type UserPropertiesObject = Record<string, string | string[]> & {
  [ORDERED_PAIRS]?: UserPropertyPairs;
};

interface HookableParser {
  _parseProperties(): Record<string, unknown> | false;
  _parseStringPair(): { name: string; value: string };
}

/** The pairs of a parsed `userProperties` object, in wire order, if the parser recorded them. */
export function orderedPairs(userProperties: unknown): UserPropertyPairs | undefined {
  if (typeof userProperties !== 'object' || userProperties === null) return undefined;
  return (userProperties as UserPropertiesObject)[ORDERED_PAIRS];
}

/** Builds mqtt-packet's object form from pairs, keeping every value and the pairs themselves. */
export function userPropertiesOf(pairs: UserPropertyPairs): UserPropertiesObject {
  const result = Object.create(null) as UserPropertiesObject;
  for (const [name, value] of pairs) {
    const existing = result[name];
    if (existing === undefined) result[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[name] = [existing, value];
  }
  Object.defineProperty(result, ORDERED_PAIRS, { value: pairs, enumerable: false });
  return result;
}

type MqttParser = ReturnType<typeof mqtt.parser>;
type ParserClass = new () => MqttParser & HookableParser & { parser(options?: object): MqttParser };

// mqtt-packet does not export its Parser class; an instance's constructor is it.
const BaseParser = mqtt.parser().constructor as ParserClass;

/**
 * mqtt-packet's parser, recording user properties in wire order (see the module comment).
 * One subclass for all connections: nothing is added per connection.
 */
class OrderedParser extends BaseParser {
  /** Set while a property block is parsed; the pairs array is made for the first pair only. */
  _inProperties = false;
  _pairs: [string, string][] | undefined;

  override _parseStringPair(): { name: string; value: string } {
    const pair = super._parseStringPair();
    if (this._inProperties) (this._pairs ??= []).push([pair.name, pair.value]);
    return pair;
  }

  override _parseProperties(): Record<string, unknown> | false {
    // Property blocks do not nest (a CONNECT's will properties come after its own).
    this._inProperties = true;
    this._pairs = undefined;
    try {
      const result = super._parseProperties();
      const pairs = this._pairs;
      if (result !== false && pairs !== undefined)
        result['userProperties'] = userPropertiesOf(pairs);
      return result;
    } finally {
      this._inProperties = false;
      this._pairs = undefined;
    }
  }
}

/**
 * A parser whose user properties keep their wire order. Without options it reads MQTT 3.1.1
 * until it has parsed a CONNECT, like mqtt-packet's.
 */
export function createParser(options?: { protocolVersion: 3 | 4 | 5 }): MqttParser {
  return new OrderedParser().parser(options);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

function readVarint(buffer: Buffer, start: number): { value: number; end: number } {
  let value = 0;
  let multiplier = 1;
  let pos = start;
  for (;;) {
    const byte = buffer[pos++]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, end: pos };
    multiplier *= 128;
  }
}

function encodePair(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'utf8');
  const v = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(5 + n.length + v.length);
  out[0] = 0x26; // User Property
  out.writeUInt16BE(n.length, 1);
  n.copy(out, 3);
  out.writeUInt16BE(v.length, 3 + n.length);
  v.copy(out, 5 + n.length);
  return out;
}

/**
 * Encodes a packet. A v5 PUBLISH whose user properties carry their wire order gets them
 * written in that order, after every other property; everything else is mqtt-packet's own.
 */
export function generatePacket(packet: Packet, protocolVersion: 3 | 4 | 5): Buffer {
  const pairs =
    protocolVersion === 5 && packet.cmd === 'publish'
      ? orderedPairs(packet.properties?.userProperties)
      : undefined;
  if (pairs === undefined || packet.cmd !== 'publish')
    return mqtt.generate(packet, { protocolVersion });
  const { userProperties: _grouped, ...others } = packet.properties!;
  const base = mqtt.generate({ ...packet, properties: others }, { protocolVersion });
  // Fixed header, topic, packet identifier (QoS > 0), then the property length and properties.
  const { end: bodyStart } = readVarint(base, 1);
  let pos = bodyStart + 2 + base.readUInt16BE(bodyStart);
  if ((packet.qos ?? 0) > 0) pos += 2;
  const propertyLengthStart = pos;
  const { value: propertyLength, end: propertiesStart } = readVarint(base, pos);
  const propertiesEnd = propertiesStart + propertyLength;
  const extra = Buffer.concat(pairs.map(([name, value]) => encodePair(name, value)));
  const body = Buffer.concat([
    base.subarray(bodyStart, propertyLengthStart),
    varint(propertyLength + extra.length),
    base.subarray(propertiesStart, propertiesEnd),
    extra,
    base.subarray(propertiesEnd),
  ]);
  return Buffer.concat([base.subarray(0, 1), varint(body.length), body]);
}
