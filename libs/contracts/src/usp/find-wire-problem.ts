// A structural walk of protobuf bytes against a wire schema, run before protobufjs decodes.
// protobufjs' generated decoders switch on the field number alone and never look at the wire
// type: a varint sent where a message belongs is read as a length and the bytes after it as that
// message, so malformed input can decode into plausible garbage instead of failing. This walk
// rejects that, truncation and invalid wire types, and recurses into every embedded message.
// Unknown fields are allowed when well-formed: a newer USP peer may send them and protobuf's
// rule is to skip them.
import { WireTypes, type WireSchema } from './usp-wire-schema.ts';

// USP nests about ten messages deep; far deeper input is hostile, not a richer GetSupportedDM.
const MAX_DEPTH = 32;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;
const MAX_VARINT_BYTES = 10;

interface Varint {
  value: number;
  next: number;
}

/** Returns the first structural problem of `bytes` as message `typeName`, or undefined. */
export function findWireProblem(
  bytes: Uint8Array,
  typeName: string,
  schema: WireSchema,
): string | undefined {
  return walkMessage(bytes, 0, bytes.length, typeName, schema, 0);
}

function walkMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  typeName: string,
  schema: WireSchema,
  depth: number,
): string | undefined {
  const fields = schema[typeName];
  if (fields === undefined) return `no wire schema for ${typeName}`;
  if (depth > MAX_DEPTH) return `${typeName} at offset ${start} is nested deeper than ${MAX_DEPTH}`;
  let pos = start;
  while (pos < end) {
    const tag = readVarint(bytes, pos, end);
    if (tag === undefined) return `malformed tag in ${typeName} at offset ${pos}`;
    const fieldNumber = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (fieldNumber < 1 || fieldNumber > MAX_FIELD_NUMBER) {
      return `invalid field number ${fieldNumber} in ${typeName} at offset ${pos}`;
    }
    const field = fields[fieldNumber];
    const expected = typeof field === 'string' ? WireTypes.len : field;
    if (expected !== undefined && wireType !== expected) {
      return `${typeName} field ${fieldNumber} at offset ${pos} has wire type ${wireType}, expected ${expected}`;
    }
    const value = skipValue(bytes, tag.next, end, wireType);
    if (typeof value === 'string') {
      return `${value} for ${typeName} field ${fieldNumber} at offset ${pos}`;
    }
    if (typeof field === 'string') {
      const problem = walkMessage(bytes, value.start, value.next, field, schema, depth + 1);
      if (problem !== undefined) return problem;
    }
    pos = value.next;
  }
  return undefined;
}

// Where the value after a tag starts and ends, or what is wrong with it.
function skipValue(
  bytes: Uint8Array,
  pos: number,
  end: number,
  wireType: number,
): { start: number; next: number } | string {
  switch (wireType) {
    case WireTypes.varint: {
      const varint = readVarint(bytes, pos, end);
      return varint === undefined ? 'malformed varint' : { start: pos, next: varint.next };
    }
    case WireTypes.i64:
      return pos + 8 <= end ? { start: pos, next: pos + 8 } : 'truncated 64-bit value';
    case WireTypes.i32:
      return pos + 4 <= end ? { start: pos, next: pos + 4 } : 'truncated 32-bit value';
    case WireTypes.len: {
      const length = readVarint(bytes, pos, end);
      if (length === undefined) return 'malformed length';
      if (length.value > end - length.next) return `length ${length.value} past the end`;
      return { start: length.next, next: length.next + length.value };
    }
    default:
      return `invalid wire type ${wireType}`;
  }
}

// Reads a base-128 varint of at most 10 bytes ending before `end`; undefined when it does not.
// The value loses precision above 2^53, which only matters for uint64 payload values this walk
// skips; tags and lengths are far below that.
function readVarint(bytes: Uint8Array, pos: number, end: number): Varint | undefined {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES && pos + i < end; i += 1) {
    const byte = bytes[pos + i] ?? 0;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value, next: pos + i + 1 };
  }
  return undefined;
}
