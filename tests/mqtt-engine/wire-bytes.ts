// Raw MQTT bytes for the malformed-packet table: packets spelled out field by field, so a test
// can write exactly the violation it names (mqtt-packet's generator refuses to).

/** A Two Byte Integer. */
export const u16 = (value: number): Buffer => Buffer.from([value >> 8, value & 0xff]);

/** A Four Byte Integer. */
export const u32 = (value: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
};

/** A Variable Byte Integer in the fewest bytes. */
export function varint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

/** A length-prefixed string or binary: text is UTF-8, a Buffer goes as it is (any bytes). */
export const str = (value: string | Buffer): Buffer => {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([u16(bytes.length), bytes]);
};

/** A whole packet: first byte, Remaining Length (fewest bytes), then the parts. */
export function packet(firstByte: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([firstByte]), varint(body.length), body]);
}

/** A property block: its length, then the properties. */
export const props = (...properties: Buffer[]): Buffer => {
  const body = Buffer.concat(properties);
  return Buffer.concat([varint(body.length), body]);
};

/** Properties by type: identifier then value. */
export const prop = {
  byte: (id: number, value: number) => Buffer.from([id, value]),
  u16: (id: number, value: number) => Buffer.concat([Buffer.from([id]), u16(value)]),
  u32: (id: number, value: number) => Buffer.concat([Buffer.from([id]), u32(value)]),
  varint: (id: number, value: number) => Buffer.concat([Buffer.from([id]), varint(value)]),
  str: (id: number, value: string | Buffer) => Buffer.concat([Buffer.from([id]), str(value)]),
  pair: (name: string, value: string) =>
    Buffer.concat([Buffer.from([0x26]), str(name), str(value)]),
};

/** Property identifiers the table uses. */
export const P = {
  payloadFormatIndicator: 0x01,
  messageExpiryInterval: 0x02,
  responseTopic: 0x08,
  subscriptionIdentifier: 0x0b,
  sessionExpiryInterval: 0x11,
  requestProblemInformation: 0x17,
  willDelayInterval: 0x18,
  reasonString: 0x1f,
  receiveMaximum: 0x21,
  topicAlias: 0x23,
  maximumPacketSize: 0x27,
} as const;

/** What a CONNECT says; every field can be bent by a row. */
export interface ConnectSpec {
  protocolName?: string;
  level: number;
  /** Connect flags; computed from the fields below unless given. */
  flags?: number;
  keepAlive?: number;
  /** MQTT 5 property block (already encoded); empty block by default for level 5. */
  properties?: Buffer;
  clientId?: string | Buffer;
  will?: { properties?: Buffer; topic: string | Buffer; payload?: Buffer; qos?: number };
  username?: string | Buffer;
  password?: string | Buffer;
  /** Bytes after the last field. */
  trailing?: Buffer;
}

/** A CONNECT packet. */
export function connectPacket(spec: ConnectSpec): Buffer {
  const v5 = spec.level === 5 || spec.level === 0x85;
  const flags =
    spec.flags ??
    0x02 |
      (spec.will !== undefined ? 0x04 | ((spec.will.qos ?? 0) << 3) : 0) |
      (spec.password !== undefined ? 0x40 : 0) |
      (spec.username !== undefined ? 0x80 : 0);
  const parts: Buffer[] = [
    str(spec.protocolName ?? (spec.level === 3 ? 'MQIsdp' : 'MQTT')),
    Buffer.from([spec.level, flags]),
    u16(spec.keepAlive ?? 60),
  ];
  if (v5) parts.push(spec.properties ?? props());
  parts.push(str(spec.clientId ?? ''));
  if (spec.will !== undefined) {
    if (v5) parts.push(spec.will.properties ?? props());
    parts.push(str(spec.will.topic), str(spec.will.payload ?? Buffer.from('bye')));
  }
  if (spec.username !== undefined) parts.push(str(spec.username));
  if (spec.password !== undefined) parts.push(str(spec.password));
  if (spec.trailing !== undefined) parts.push(spec.trailing);
  return packet(0x10, ...parts);
}
