import { parseProxyHeader, proxyHeaderStart } from './proxy-protocol.ts';

const MAX = 4096;
const v2 = (versionCommand: number, family: number, body: number[]): Buffer => {
  const header = Buffer.from([
    0x0d,
    0x0a,
    0x0d,
    0x0a,
    0x00,
    0x0d,
    0x0a,
    0x51,
    0x55,
    0x49,
    0x54,
    0x0a,
    versionCommand,
    family,
    body.length >> 8,
    body.length & 0xff,
  ]);
  return Buffer.concat([header, Buffer.from(body)]);
};

describe('parseProxyHeader', () => {
  test('a complete v1 header gives the source address and the header length', () => {
    const header = 'PROXY TCP4 192.0.2.7 198.51.100.1 51234 1883\r\n';
    expect(parseProxyHeader(Buffer.from(`${header}\x10\x00`), MAX)).toEqual({
      kind: 'complete',
      length: header.length,
      source: { address: '192.0.2.7', port: 51234 },
    });
  });

  test('every proper prefix of a v1 or v2 header is incomplete, not invalid', () => {
    const headers = [
      Buffer.from('PROXY TCP6 2001:db8::7 2001:db8::1 40000 1883\r\n'),
      v2(0x21, 0x11, [192, 0, 2, 7, 198, 51, 100, 1, 0x1f, 0x40, 0x07, 0x5b]),
    ];
    for (const header of headers) {
      for (let n = 0; n < header.length; n++) {
        expect(parseProxyHeader(header.subarray(0, n), MAX)).toEqual({ kind: 'incomplete' });
      }
      expect(parseProxyHeader(header, MAX).kind).toBe('complete');
    }
  });

  test('a v2 IPv4 PROXY header gives the source address; TLVs count in the length', () => {
    const header = v2(0x21, 0x11, [192, 0, 2, 7, 198, 51, 100, 1, 0x1f, 0x40, 0x07, 0x5b, 4, 0, 0]);
    expect(parseProxyHeader(header, MAX)).toEqual({
      kind: 'complete',
      length: 31,
      source: { address: '192.0.2.7', port: 8000 },
    });
  });

  test('a v2 IPv4-mapped IPv6 source is reported as plain IPv4', () => {
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9];
    const header = v2(0x21, 0x21, [...mapped, ...mapped, 0, 80, 0, 81]);
    const result = parseProxyHeader(header, MAX);
    expect(result).toMatchObject({ source: { address: '192.0.2.9', port: 80 } });
  });

  test.each([
    ['v2 LOCAL', v2(0x20, 0x00, [])],
    ['v2 AF_UNSPEC', v2(0x21, 0x00, [])],
    ['v2 AF_UNIX', v2(0x21, 0x31, new Array<number>(216).fill(0))],
    ['v1 UNKNOWN', Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n')],
  ])('%s has no source address', (_what, header) => {
    expect(parseProxyHeader(header, MAX)).toMatchObject({ kind: 'complete', source: undefined });
  });

  test.each([
    ['plain MQTT', Buffer.from([0x10, 0x2b, 0x00, 0x04])],
    ['v1 lower case', Buffer.from('proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n')],
    ['v1 family TCP5', Buffer.from('PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n')],
    ['v1 IPv6 under TCP4', Buffer.from('PROXY TCP4 ::1 ::1 1 2\r\n')],
    ['v1 leading zero port', Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n')],
    ['v1 missing field', Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n')],
    ['v1 bare LF', Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n')],
    ['v1 over 107 bytes', Buffer.from(`PROXY TCP4 ${' '.repeat(100)}`)],
    ['v2 version 1', v2(0x11, 0x11, [])],
    ['v2 command 2', v2(0x22, 0x11, [])],
    ['v2 UDP', v2(0x21, 0x12, new Array<number>(12).fill(1))],
    ['v2 short IPv4 block', v2(0x21, 0x11, [1, 2, 3, 4])],
    ['v2 family 5', v2(0x21, 0x51, [])],
  ])('%s is invalid', (_what, bytes) => {
    expect(parseProxyHeader(bytes, MAX).kind).toBe('invalid');
  });

  test('a v2 header announcing more than the bound is invalid before its body arrives', () => {
    const start = v2(0x21, 0x11, []).subarray(0, 14);
    const announced = Buffer.concat([start, Buffer.from([0x10, 0x00])]);
    expect(parseProxyHeader(announced, MAX)).toEqual({
      kind: 'invalid',
      reason: 'v2 header larger than allowed',
    });
  });
});

describe('proxyHeaderStart', () => {
  test.each([
    ['MQTT CONNECT', Buffer.from([0x10, 0x2b]), 'other'],
    ['a TLS ClientHello', Buffer.from([0x16, 0x03, 0x01]), 'other'],
    ['an HTTP upgrade', Buffer.from('GET /mqtt HTTP/1.1'), 'other'],
    ['HTTP POST (same first letter as PROXY)', Buffer.from('POST / HTTP/1.1'), 'other'],
    ['PROXY without the space', Buffer.from('PROXYX'), 'other'],
    ['nothing yet', Buffer.alloc(0), 'undecided'],
    ['PROX', Buffer.from('PROX'), 'undecided'],
    ['PROXY and a space', Buffer.from('PROXY '), 'header'],
    ['the first 11 bytes of the v2 signature', v2(0x21, 0x11, []).subarray(0, 11), 'undecided'],
    ['the v2 signature', v2(0x21, 0x11, []).subarray(0, 12), 'header'],
    ['a CR LF that is not the v2 signature', Buffer.from('\r\n\r\nX'), 'other'],
  ])('%s is %s', (_what, bytes, expected) => {
    expect(proxyHeaderStart(bytes)).toBe(expected);
  });
});
