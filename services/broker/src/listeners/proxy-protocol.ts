// PROXY protocol v1 (text) and v2 (binary) header parsing, as HAProxy specifies it
// (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt). Pure: it looks at the bytes
// received so far and says whether the header is complete, incomplete or invalid.
import { isIPv4, isIPv6 } from 'node:net';

/** The client address a load balancer reported. */
export interface ProxiedAddress {
  address: string;
  port: number;
}

/** The outcome of looking at the first bytes of a connection. */
export type ProxyHeaderResult =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  /** `source` is undefined for LOCAL (health checks), UNKNOWN and non-IP families. */
  | { kind: 'complete'; length: number; source: ProxiedAddress | undefined };

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
// A v1 header is at most 107 bytes including CRLF (section 2.1).
const V1_MAX_BYTES = 107;
const V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);
const V2_FIXED_BYTES = 16;

const incomplete = { kind: 'incomplete' } as const;
const invalid = (reason: string): ProxyHeaderResult => ({ kind: 'invalid', reason });

/** Parses a PROXY v1 or v2 header at the start of `bytes`; v2 headers above `maxBytes` are invalid. */
export function parseProxyHeader(bytes: Buffer, maxBytes: number): ProxyHeaderResult {
  if (startsLike(bytes, V1_PREFIX)) return parseV1(bytes);
  if (startsLike(bytes, V2_SIGNATURE)) return parseV2(bytes, maxBytes);
  return invalid('not a PROXY protocol header');
}

/**
 * Whether a connection's first bytes begin a PROXY header: `header` once they hold a whole v1
 * prefix (`PROXY `) or v2 signature, `other` as soon as they cannot, `undecided` before that.
 * MQTT (0x10), TLS (0x16) and HTTP (`GET`) are `other` from their first byte.
 */
export function proxyHeaderStart(bytes: Buffer): 'header' | 'other' | 'undecided' {
  if (bytes.length >= V1_PREFIX.length && startsLike(bytes, V1_PREFIX)) return 'header';
  if (bytes.length >= V2_SIGNATURE.length && startsLike(bytes, V2_SIGNATURE)) return 'header';
  return startsLike(bytes, V1_PREFIX) || startsLike(bytes, V2_SIGNATURE) ? 'undecided' : 'other';
}

/** True when the bytes so far agree with `prefix` (fewer bytes than the prefix may still match). */
function startsLike(bytes: Buffer, prefix: Buffer): boolean {
  const n = Math.min(bytes.length, prefix.length);
  return bytes.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(bytes: Buffer): ProxyHeaderResult {
  const window = bytes.subarray(0, V1_MAX_BYTES);
  const end = window.indexOf('\r\n', 0, 'latin1');
  if (end === -1) {
    if (window.includes(0x0a)) return invalid('v1 header has a bare LF');
    return bytes.length >= V1_MAX_BYTES ? invalid('v1 header too long') : incomplete;
  }
  const line = window.subarray(0, end).toString('latin1');
  const length = end + 2;
  const fields = line.split(' ');
  if (fields[1] === 'UNKNOWN') return { kind: 'complete', length, source: undefined };
  if (fields.length !== 6) return invalid('v1 header needs 6 fields');
  const [, family, source, destination, sourcePort, destinationPort] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const isFamily = family === 'TCP4' ? isIPv4 : family === 'TCP6' ? isIPv6 : undefined;
  if (isFamily === undefined) return invalid('v1 family is not TCP4, TCP6 or UNKNOWN');
  if (!isFamily(source) || !isFamily(destination)) return invalid('v1 address is not valid');
  const port = parsePort(sourcePort);
  if (port === undefined || parsePort(destinationPort) === undefined) {
    return invalid('v1 port is not valid');
  }
  return { kind: 'complete', length, source: { address: source, port } };
}

function parsePort(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

const V2_COMMAND = { local: 0x0, proxy: 0x1 } as const;
const V2_FAMILY = { unspec: 0x0, inet: 0x1, inet6: 0x2, unix: 0x3 } as const;
const V2_TRANSPORT = { unspec: 0x0, stream: 0x1 } as const;

function parseV2(bytes: Buffer, maxBytes: number): ProxyHeaderResult {
  if (bytes.length < V2_FIXED_BYTES) return incomplete;
  const versionCommand = bytes[12]!;
  if (versionCommand >> 4 !== 2) return invalid('v2 version is not 2');
  const command = versionCommand & 0x0f;
  if (command !== V2_COMMAND.local && command !== V2_COMMAND.proxy) {
    return invalid('v2 command is not LOCAL or PROXY');
  }
  const family = bytes[13]! >> 4;
  const transport = bytes[13]! & 0x0f;
  const length = V2_FIXED_BYTES + bytes.readUInt16BE(14);
  if (length > maxBytes) return invalid('v2 header larger than allowed');
  if (bytes.length < length) return incomplete;
  // LOCAL: the balancer speaks for itself (health checks); the socket's address stands.
  if (command === V2_COMMAND.local) return { kind: 'complete', length, source: undefined };
  const body = bytes.subarray(V2_FIXED_BYTES, length);
  switch (family) {
    case V2_FAMILY.unspec:
    case V2_FAMILY.unix:
      return { kind: 'complete', length, source: undefined };
    case V2_FAMILY.inet:
    case V2_FAMILY.inet6: {
      if (transport !== V2_TRANSPORT.stream && transport !== V2_TRANSPORT.unspec) {
        return invalid('v2 transport is not STREAM');
      }
      const addressBytes = family === V2_FAMILY.inet ? 4 : 16;
      if (body.length < 2 * addressBytes + 4) return invalid('v2 address block too short');
      const raw = body.subarray(0, addressBytes);
      const address = family === V2_FAMILY.inet ? raw.join('.') : formatIPv6(raw);
      const port = body.readUInt16BE(2 * addressBytes);
      return { kind: 'complete', length, source: { address, port } };
    }
    default:
      return invalid('v2 address family is unknown');
  }
}

/** The canonical (RFC 5952) text of a 16-byte IPv6 address; IPv4-mapped ones as dotted IPv4. */
function formatIPv6(raw: Buffer): string {
  const mapped = raw.subarray(0, 10).every((b) => b === 0) && raw[10] === 0xff && raw[11] === 0xff;
  if (mapped) return raw.subarray(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
  // The URL parser serializes IPv6 hosts canonically (longest zero run compressed).
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
