// The peers allowed to send a PROXY protocol header: a list of CIDRs, checked strictly when
// read (a typo must not silently trust the wrong network) and matched with net.BlockList.
import { BlockList, isIPv4, isIPv6, type Socket } from 'node:net';

const CIDR = /^([^/\s]+)\/(0|[1-9]\d{0,2})$/;

/** Why `text` is not a CIDR we accept (`10.0.0.0/8`, `2001:db8::/32`); undefined when it is. */
export function cidrProblem(text: string): string | undefined {
  const match = CIDR.exec(text);
  if (match === null) {
    return 'must be address/prefix-length, like 10.0.0.0/8, 192.0.2.7/32 or 2001:db8::/32';
  }
  const address = match[1]!;
  const prefix = Number(match[2]);
  // isIPv6 accepts a zone (fe80::1%eth0), which names an interface, not a network.
  const family = isIPv4(address)
    ? 'ipv4'
    : isIPv6(address) && !address.includes('%')
      ? 'ipv6'
      : undefined;
  if (family === undefined) return `${address} is not an IPv4 or IPv6 address`;
  const bits = family === 'ipv4' ? 32 : 128;
  if (prefix > bits) return `prefix length ${prefix} is more than ${bits}`;
  const bytes = addressBytes(address, family);
  if (!hostBitsClear(bytes, prefix)) {
    return `${address} has bits set past /${prefix} (a network address was meant)`;
  }
  return undefined;
}

/** Every problem of a CIDR list, each naming its entry; an empty list is a problem too. */
export function cidrListProblems(cidrs: readonly string[]): string[] {
  if (cidrs.length === 0) return ['no CIDR given'];
  return cidrs.flatMap((cidr) => {
    const problem = typeof cidr === 'string' ? cidrProblem(cidr) : 'is not a string';
    return problem === undefined ? [] : [`${JSON.stringify(cidr)}: ${problem}`];
  });
}

/** Splits a comma-separated CIDR list (blanks ignored); throws with every bad entry named. */
export function parseCidrList(raw: string): string[] {
  const cidrs = raw
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr !== '');
  const problems = cidrListProblems(cidrs);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return cidrs;
}

/** A matcher for CIDRs that passed {@link cidrListProblems}. */
export function trustedPeerList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return list;
}

/**
 * True when the socket's TCP peer (what the kernel saw, never a PROXY header) is in `list`.
 * BlockList matches IPv4-mapped IPv6 peers (a dual-stack listener) against IPv4 subnets.
 */
export function isTrustedPeer(list: BlockList, socket: Socket): boolean {
  const address = socket.remoteAddress;
  if (address === undefined) return false;
  return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

function hostBitsClear(bytes: Buffer, prefix: number): boolean {
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}

/** The 4 or 16 bytes of an address that isIPv4/isIPv6 accepted. */
function addressBytes(address: string, family: 'ipv4' | 'ipv6'): Buffer {
  if (family === 'ipv4') return Buffer.from(address.split('.').map(Number));
  // An IPv4 tail (::ffff:192.0.2.7) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  const text =
    dotted === undefined
      ? address
      : address.slice(0, -dotted.length) +
        addressBytes(dotted, 'ipv4')
          .toString('hex')
          .replace(/^(.{4})/, '$1:');
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) =>
    part === undefined || part === '' ? [] : part.split(':');
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.from(all.map((group) => group.padStart(4, '0')).join(''), 'hex');
}
