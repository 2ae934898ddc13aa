// MQTT 5 properties (§2.2.2): which identifiers each packet may carry, their data types, which
// may appear only once, and the values the spec forbids. An identifier not valid for the
// packet type, or a value cut short, is a Malformed Packet (§2.2.2.2); a repeated property or a
// forbidden value is a Protocol Error.
import type { WireReader } from './wire-reader.ts';
import { malformed, protocolError } from './packet-violation.ts';

type PropertyType = 'byte' | 'u16' | 'u32' | 'varint' | 'utf8' | 'binary' | 'pair';

interface PropertyDefinition {
  readonly name: string;
  readonly type: PropertyType;
}

/** Every property identifier of MQTT 5 (§2.2.2.2). */
const PROPERTIES: ReadonlyMap<number, PropertyDefinition> = new Map([
  [0x01, { name: 'Payload Format Indicator', type: 'byte' }],
  [0x02, { name: 'Message Expiry Interval', type: 'u32' }],
  [0x03, { name: 'Content Type', type: 'utf8' }],
  [0x08, { name: 'Response Topic', type: 'utf8' }],
  [0x09, { name: 'Correlation Data', type: 'binary' }],
  [0x0b, { name: 'Subscription Identifier', type: 'varint' }],
  [0x11, { name: 'Session Expiry Interval', type: 'u32' }],
  [0x12, { name: 'Assigned Client Identifier', type: 'utf8' }],
  [0x13, { name: 'Server Keep Alive', type: 'u16' }],
  [0x15, { name: 'Authentication Method', type: 'utf8' }],
  [0x16, { name: 'Authentication Data', type: 'binary' }],
  [0x17, { name: 'Request Problem Information', type: 'byte' }],
  [0x18, { name: 'Will Delay Interval', type: 'u32' }],
  [0x19, { name: 'Request Response Information', type: 'byte' }],
  [0x1a, { name: 'Response Information', type: 'utf8' }],
  [0x1c, { name: 'Server Reference', type: 'utf8' }],
  [0x1f, { name: 'Reason String', type: 'utf8' }],
  [0x21, { name: 'Receive Maximum', type: 'u16' }],
  [0x22, { name: 'Topic Alias Maximum', type: 'u16' }],
  [0x23, { name: 'Topic Alias', type: 'u16' }],
  [0x24, { name: 'Maximum QoS', type: 'byte' }],
  [0x25, { name: 'Retain Available', type: 'byte' }],
  [0x26, { name: 'User Property', type: 'pair' }],
  [0x27, { name: 'Maximum Packet Size', type: 'u32' }],
  [0x28, { name: 'Wildcard Subscription Available', type: 'byte' }],
  [0x29, { name: 'Subscription Identifier Available', type: 'byte' }],
  [0x2a, { name: 'Shared Subscription Available', type: 'byte' }],
]);

/** The property blocks a client sends, each with the identifiers it may hold (§2.2.2.2). */
export const PropertyBlocks = {
  connect: [0x11, 0x21, 0x27, 0x22, 0x19, 0x17, 0x26, 0x15, 0x16],
  will: [0x18, 0x01, 0x02, 0x03, 0x08, 0x09, 0x26],
  publish: [0x01, 0x02, 0x23, 0x08, 0x09, 0x26, 0x0b, 0x03],
  ack: [0x1f, 0x26],
  subscribe: [0x0b, 0x26],
  unsubscribe: [0x26],
  disconnect: [0x11, 0x1f, 0x26, 0x1c],
  auth: [0x15, 0x16, 0x1f, 0x26],
} as const satisfies Record<string, readonly number[]>;

/** A property block by name. */
export type PropertyBlock = keyof typeof PropertyBlocks;

const ALLOWED = Object.fromEntries(
  Object.entries(PropertyBlocks).map(([block, ids]) => [block, new Set<number>(ids)]),
) as unknown as Record<PropertyBlock, ReadonlySet<number>>;

/** What a checked property block held that later checks need. */
export interface PropertySummary {
  /** A Topic Alias was present (an empty PUBLISH topic is then allowed). */
  topicAlias: boolean;
}

/**
 * Reads and checks one property block: its length, then each property up to exactly that
 * length. Throws a PacketViolation.
 */
export function checkProperties(reader: WireReader, block: PropertyBlock): PropertySummary {
  const length = reader.varint('the property length');
  if (length > reader.remaining)
    throw malformed('§2.2.2.1', 'the property length runs past the end of the packet');
  const end = reader.pos + length;
  const seen = new Set<number>();
  const summary: PropertySummary = { topicAlias: false };
  while (reader.pos < end) {
    // The identifier is a Variable Byte Integer; every one defined fits one byte.
    const id = reader.varint('a property identifier');
    const definition = PROPERTIES.get(id);
    if (definition === undefined || !ALLOWED[block].has(id)) {
      throw malformed(
        '§2.2.2.2',
        `property 0x${id.toString(16)} is not allowed in ${block === 'will' ? 'will properties' : block.toUpperCase()}`,
      );
    }
    if (id !== 0x26 && seen.has(id))
      throw protocolError('§2.2.2.2', `${definition.name} appears more than once`);
    seen.add(id);
    const value = readValue(reader, definition);
    if (reader.pos > end)
      throw malformed('§2.2.2.1', `${definition.name} runs past the property length`);
    checkValue(id, value, block, definition.name);
    if (id === 0x23) summary.topicAlias = true;
  }
  return summary;
}

function readValue(reader: WireReader, definition: PropertyDefinition): number {
  const what = definition.name;
  switch (definition.type) {
    case 'byte':
      return reader.u8(what);
    case 'u16':
      return reader.u16(what);
    case 'u32':
      return reader.u32(what);
    case 'varint':
      return reader.varint(what);
    case 'utf8':
      return reader.utf8(what).length;
    case 'binary':
      return reader.binary(what);
    case 'pair':
      reader.utf8('a user property name');
      return reader.utf8('a user property value').length;
  }
}

// Values the spec forbids for a property a client sends.
function checkValue(id: number, value: number, block: PropertyBlock, name: string): void {
  switch (id) {
    case 0x01: // Payload Format Indicator: 0 unspecified bytes, 1 UTF-8 (§3.3.2.3.2).
    case 0x17: // Request Problem Information (§3.1.2.11.7).
    case 0x19: // Request Response Information (§3.1.2.11.6).
      if (value > 1) throw protocolError(`§2.2.2.2 ${name}`, `${name} must be 0 or 1`);
      return;
    case 0x21: // Receive Maximum 0 (§3.1.2.11.3).
      if (value === 0) throw protocolError('§3.1.2.11.3', 'Receive Maximum must not be 0');
      return;
    case 0x27: // Maximum Packet Size 0 (§3.1.2.11.4).
      if (value === 0) throw protocolError('§3.1.2.11.4', 'Maximum Packet Size must not be 0');
      return;
    case 0x0b:
      // A client never sends a Subscription Identifier in PUBLISH [MQTT-3.3.4-6]; in
      // SUBSCRIBE it is 1 to 268,435,455 (§3.8.2.1.2).
      if (block === 'publish')
        throw protocolError(
          '[MQTT-3.3.4-6]',
          'PUBLISH from a client with a Subscription Identifier',
        );
      if (value === 0) throw protocolError('§3.8.2.1.2', 'Subscription Identifier 0');
      return;
    default:
      return;
  }
}
