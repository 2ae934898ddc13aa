import { OctomeshError } from './errors.ts';

// NATS KV accepts only [-/_=.a-zA-Z0-9] in keys ('.' and '/' also act as separators, and a key
// may not start or end with '.'). We keep only [A-Za-z0-9_-] literal and escape every other
// UTF-8 byte, including '=', '.' and '/', so the mapping is injective and never yields '.' at all.
const LITERAL_BYTE = /^[A-Za-z0-9_-]$/;
const LITERAL_TABLE: readonly boolean[] = Array.from({ length: 256 }, (_, byte) =>
  byte < 0x80 ? LITERAL_BYTE.test(String.fromCharCode(byte)) : false,
);
const ESCAPE_TABLE: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
);
const KEY_SHAPE = /^(?:[A-Za-z0-9_-]|=[0-9A-F]{2})+$/;

const utf8Encoder = new TextEncoder();
// fatal: a key that decodes to invalid UTF-8 was not produced by encodeKvKey and must be refused.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Thrown when a value cannot be encoded or a key was not produced by {@link encodeKvKey}. */
export class KvKeyError extends OctomeshError {
  constructor(message: string, options?: ErrorOptions) {
    super('KV_KEY_INVALID', message, options ?? {});
  }
}

/** Encodes any non-empty string (username, USP endpoint id) as a readable, injective NATS KV key. */
export function encodeKvKey(value: string): string {
  if (value.length === 0) throw new KvKeyError('cannot encode an empty string as a KV key');
  // A lone surrogate would be replaced by U+FFFD by the UTF-8 encoder, merging distinct
  // inputs into one key; MQTT forbids such strings anyway [MQTT-1.5.4-1].
  if (!value.isWellFormed()) {
    throw new KvKeyError('cannot encode a string containing lone surrogates');
  }
  let key = '';
  for (const byte of utf8Encoder.encode(value)) {
    key += LITERAL_TABLE[byte] === true ? String.fromCharCode(byte) : ESCAPE_TABLE[byte];
  }
  return key;
}

/** Decodes a key produced by {@link encodeKvKey}; throws {@link KvKeyError} on anything else. */
export function decodeKvKey(key: string): string {
  if (!KEY_SHAPE.test(key)) throw new KvKeyError(`not an encoded KV key: ${JSON.stringify(key)}`);
  const bytes = new Uint8Array(key.length);
  let length = 0;
  for (let i = 0; i < key.length;) {
    if (key[i] === '=') {
      const byte = Number.parseInt(key.slice(i + 1, i + 3), 16);
      // Only the canonical form is accepted, so each string has exactly one key.
      if (LITERAL_TABLE[byte] === true) {
        throw new KvKeyError(
          `KV key escapes a byte that must appear literally: ${JSON.stringify(key)}`,
        );
      }
      bytes[length++] = byte;
      i += 3;
    } else {
      bytes[length++] = key.charCodeAt(i);
      i += 1;
    }
  }
  try {
    return utf8Decoder.decode(bytes.subarray(0, length));
  } catch (cause) {
    throw new KvKeyError(`KV key does not decode to UTF-8: ${JSON.stringify(key)}`, { cause });
  }
}
