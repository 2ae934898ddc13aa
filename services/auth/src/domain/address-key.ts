// The brute-force limiter keys addresses by what an attacker cannot cheaply vary: the IPv4
// address without port, or the IPv6 /64 (one subscriber usually holds a whole /64).
import { isIPv4, isIPv6 } from 'node:net';

function expandIPv6(address: string): string[] | undefined {
  const [head = '', tail, extra] = address.split('::');
  if (extra !== undefined) return undefined;
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map(
    (g) => g.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}

/** `addr:<ipv4>` or `addr:<ipv6 /64>` for a source address with or without port. */
export function addressKey(source: string): string | undefined {
  let host = source.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed?.[1] !== undefined) host = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(host)) host = host.slice(0, host.lastIndexOf(':'));
  host = host.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped?.[1] !== undefined) host = mapped[1];
  if (isIPv4(host)) return `addr:${host}`;
  if (isIPv6(host)) {
    const groups = expandIPv6(host);
    return groups === undefined
      ? `addr:${host.toLowerCase()}`
      : `addr:${groups.slice(0, 4).join(':')}::/64`;
  }
  return host === '' ? undefined : `addr:${host.slice(0, 256)}`;
}
