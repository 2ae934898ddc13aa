// The MQTT wire codec: the only module that knows mqtt-packet's internals. Its parser
// subclass (one class for every connection: nothing is added per connection)
// - checks every packet's bytes strictly before mqtt-packet decodes it (wire/check-packet.ts),
//   so a violation ends the connection with the spec's reason code;
// - records user properties in wire order (user-properties.ts);
// - buffers input in a plain BufferList rather than a bl stream (about 1 KB less per idle
//   connection) and keeps nothing of the CONNECT (the password) after it was read.
// generatePacket writes a PUBLISH's user properties in the order they came.
import { BufferList } from 'bl';
import mqtt, { type Packet } from 'mqtt-packet';
import { orderedPairs, userPropertiesOf } from './user-properties.ts';
import { checkFixedHeader, checkPacketBody, publishHeadLength } from './wire/check-packet.ts';
import { malformed, type PacketViolation } from './wire/packet-violation.ts';

type MqttParser = ReturnType<typeof mqtt.parser>;

/** What the subclass uses of mqtt-packet's Parser (not exported by it, not typed). */
interface ParserInternals {
  _list: InstanceType<typeof BufferList>;
  packet: { length: number };
  settings: { protocolVersion?: number };
  _parseHeader(): boolean | undefined;
  _parseLength(): boolean;
  _parsePayload(): boolean;
  _parseProperties(): Record<string, unknown> | false;
  _parseStringPair(): { name: string; value: string };
  _emitError(error: Error): void;
}

type ParserClass = new () => MqttParser &
  ParserInternals & { parser(options?: object): MqttParser };

// mqtt-packet does not export its Parser class; an instance's constructor is it.
const BaseParser = mqtt.parser().constructor as ParserClass;

const PUBLISH = 3;
/** Packets up to this size are checked whole (a copy of them is cheap). */
const SMALL_PACKET = 4096;

/** Bytes a Variable Byte Integer of this value takes at least (§1.5.5). */
function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

/** The engine's MQTT parser (see the module comment). */
class EngineParser extends BaseParser {
  /** Set while a property block is parsed; the pairs array is made for the first pair only. */
  _inProperties = false;
  _pairs: [string, string][] | undefined;
  /** The first byte of the packet being read. */
  _firstByte = 0;

  /** Makes the parser buffer in a plain BufferList (every method it uses, no stream). */
  useCompactBuffer(): this {
    this._list = new BufferList();
    return this;
  }

  /** The Remaining Length of a packet read in part, if one is. */
  get partialLength(): number | undefined {
    return this.packet.length === -1 ? undefined : this.packet.length;
  }

  /**
   * After CONNECT: mqtt-packet keeps the CONNECT as its settings (for the protocol version),
   * and with it the password and the chunk it came in. Keep only the version.
   */
  keepOnlyVersion(protocolVersion: number): void {
    this.settings = { protocolVersion };
  }

  get #level(): number {
    return this.settings.protocolVersion ?? 4;
  }

  #refuse(violation: PacketViolation): false {
    this._emitError(violation);
    return false;
  }

  override _parseHeader(): boolean | undefined {
    const firstByte = this._list.readUInt8(0);
    this._firstByte = firstByte;
    const violation = checkFixedHeader(firstByte, this.#level);
    if (violation !== undefined) return this.#refuse(violation);
    return super._parseHeader();
  }

  override _parseLength(): boolean {
    const before = this._list.length;
    if (!super._parseLength()) return false;
    // MQTT 5 encodes the Remaining Length in the fewest bytes [MQTT-1.5.5-1].
    const used = before - this._list.length;
    if (this.#level === 5 && used > varintSize(this.packet.length))
      return this.#refuse(malformed('[MQTT-1.5.5-1]', 'Remaining Length not in the fewest bytes'));
    return true;
  }

  override _parsePayload(): boolean {
    const length = this.packet.length;
    if (length !== 0 && this._list.length < length) return false;
    const violation = checkPacketBody(this._firstByte, this.#body(length), length, this.#level);
    if (violation !== undefined) return this.#refuse(violation);
    return super._parsePayload();
  }

  // The packet's bytes as one Buffer: a view, copied only when the packet straddles two socket
  // chunks; a large PUBLISH only up to the end of its properties (its payload is not copied).
  #body(length: number): Buffer {
    const list = this._list;
    const firstByte = this._firstByte;
    if (firstByte >> 4 !== PUBLISH || length <= SMALL_PACKET) return list.slice(0, length);
    const head = publishHeadLength(
      (index) => list.readUInt8(index),
      length,
      (firstByte >> 1) & 0x03,
      this.#level,
    );
    return list.slice(0, head);
  }

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

/** The engine's parser type. */
export type PacketParser = EngineParser;

/**
 * A parser that checks every packet strictly and keeps user properties in wire order. Without
 * options it reads MQTT 3.1.1 until it has parsed a CONNECT, like mqtt-packet's.
 */
export function createParser(options?: { protocolVersion: 3 | 4 | 5 }): PacketParser {
  return new EngineParser().parser(options) as EngineParser;
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

/** One User Property (0x26) on the wire. */
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
