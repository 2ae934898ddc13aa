// The structural wire walk on small schemas of its own; the USP cases live in the codec tests.
import { findWireProblem } from './find-wire-problem.ts';
import { WireTypes, type WireSchema } from './usp-wire-schema.ts';

const schema: WireSchema = {
  Outer: { 1: WireTypes.varint, 2: 'Inner' },
  Inner: { 1: WireTypes.i32 },
  Empty: {},
  Nested: { 1: 'Nested' },
};

describe('findWireProblem', () => {
  test('well-formed known and embedded fields pass', () => {
    const bytes = Uint8Array.from([0x08, 0x96, 0x01, 0x12, 0x05, 0x0d, 0x01, 0x00, 0x00, 0x00]);

    expect(findWireProblem(bytes, 'Outer', schema)).toBeUndefined();
  });

  test('unknown fields of every valid wire type are skipped', () => {
    const bytes = Uint8Array.from([
      ...[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // varint, 10 bytes
      ...[0x11, 1, 2, 3, 4, 5, 6, 7, 8], // 64-bit
      ...[0x1a, 0x02, 0xaa, 0xbb], // length-delimited
      ...[0x25, 1, 2, 3, 4], // 32-bit
    ]);

    expect(findWireProblem(bytes, 'Empty', schema)).toBeUndefined();
  });

  test('a varint longer than 10 bytes is rejected', () => {
    const bytes = Uint8Array.from([0x08, ...new Array<number>(10).fill(0xff), 0x01]);

    expect(findWireProblem(bytes, 'Outer', schema)).toMatch(/malformed varint for Outer field 1/);
  });

  test('field number 0 is rejected', () => {
    expect(findWireProblem(Uint8Array.from([0x00, 0x00]), 'Empty', schema)).toMatch(
      /invalid field number 0/,
    );
  });

  test('a truncated 64-bit and 32-bit value are rejected', () => {
    expect(findWireProblem(Uint8Array.from([0x11, 1, 2, 3]), 'Empty', schema)).toMatch(
      /truncated 64-bit value/,
    );
    expect(findWireProblem(Uint8Array.from([0x12, 0x02, 0x0d, 0x01]), 'Outer', schema)).toMatch(
      /truncated 32-bit value for Inner field 1/,
    );
  });

  test('groups (wire types 3 and 4) are rejected', () => {
    expect(findWireProblem(Uint8Array.from([0x0b, 0x0c]), 'Empty', schema)).toMatch(
      /invalid wire type 3/,
    );
  });

  test('nesting deeper than 32 levels is rejected', () => {
    let bytes: number[] = [];
    for (let level = 0; level < 40; level += 1) bytes = [0x0a, bytes.length, ...bytes];

    expect(findWireProblem(Uint8Array.from(bytes), 'Nested', schema)).toMatch(
      /nested deeper than 32/,
    );
  });

  test('a type missing from the schema is reported instead of skipped', () => {
    expect(findWireProblem(new Uint8Array(0), 'Missing', schema)).toMatch(
      /no wire schema for Missing/,
    );
  });
});
