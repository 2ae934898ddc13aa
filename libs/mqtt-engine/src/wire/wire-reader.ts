// Bounded reads over one packet's bytes (a Buffer) for the packet checks: every read stays inside the
// packet's Remaining Length, and every MQTT data type is checked as the spec defines it
// (MQTT 5 §1.5, 3.1.1 §1.5). A read past the end is a Malformed Packet.
import { isUtf8 } from 'node:buffer';
import { malformed } from './packet-violation.ts';

/** A cursor over the bytes [start, end) of one packet. */
export class WireReader {
  pos: number;
  readonly end: number;
  readonly #source: Buffer;
  /** MQTT 5 rules apply (minimal Variable Byte Integers [MQTT-1.5.5-1]). */
  readonly v5: boolean;

  constructor(source: Buffer, start: number, end: number, v5: boolean) {
    this.#source = source;
    this.pos = start;
    this.end = end;
    this.v5 = v5;
  }

  /** Bytes left in the packet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  #need(bytes: number, what: string): void {
    if (this.pos + bytes > this.end)
      throw malformed('Remaining Length', `${what} runs past the end of the packet`);
  }

  /** A one-byte integer. */
  u8(what: string): number {
    this.#need(1, what);
    return this.#source[this.pos++]!;
  }

  /** A Two Byte Integer. */
  u16(what: string): number {
    this.#need(2, what);
    const value = this.#source.readUInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  /** A Four Byte Integer. */
  u32(what: string): number {
    this.#need(4, what);
    const value = this.#source.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A Variable Byte Integer: at most four bytes [MQTT-1.5.5], minimal in MQTT 5 [MQTT-1.5.5-1]. */
  varint(what: string): number {
    let value = 0;
    let multiplier = 1;
    for (let count = 1; count <= 4; count++) {
      const byte = this.u8(what);
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        // A last byte of 0 after the first adds nothing: the value had a shorter encoding.
        if (this.v5 && count > 1 && byte === 0)
          throw malformed('[MQTT-1.5.5-1]', `${what} is not encoded in the fewest bytes`);
        return value;
      }
      multiplier *= 128;
    }
    throw malformed('[MQTT-1.5.5]', `${what} is longer than four bytes`);
  }

  /**
   * A UTF-8 Encoded String: well-formed UTF-8 [MQTT-1.5.4-1] without U+0000 [MQTT-1.5.4-2].
   * Control characters U+0001-U+001F and U+007F-U+009F and non-characters are allowed
   * [MQTT-1.5.4-2 note]. Returns where its bytes are.
   */
  utf8(what: string): { start: number; length: number } {
    const length = this.u16(`the length of ${what}`);
    this.#need(length, what);
    const start = this.pos;
    this.pos += length;
    if (length > 0) checkUtf8(this.#source, start, start + length, what);
    return { start, length };
  }

  /** The text of a string read before. */
  text(at: { start: number; length: number }): string {
    return this.#source.toString('utf8', at.start, at.start + at.length);
  }

  /** Binary Data: a two-byte length and that many bytes. */
  binary(what: string): number {
    const length = this.u16(`the length of ${what}`);
    this.#need(length, what);
    this.pos += length;
    return length;
  }

  /** Skips bytes the caller has bounded (a payload). */
  skipToEnd(): void {
    this.pos = this.end;
  }
}

function checkUtf8(bytes: Buffer, start: number, end: number, what: string): void {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    // In well-formed UTF-8 the byte 0 only ever encodes U+0000.
    if (byte === 0) throw malformed('[MQTT-1.5.4-2]', `${what} contains U+0000`);
    if (byte >= 0x80) ascii = false;
  }
  if (!ascii && !isUtf8(bytes.subarray(start, end)))
    throw malformed('[MQTT-1.5.4-1]', `${what} is not valid UTF-8`);
}
