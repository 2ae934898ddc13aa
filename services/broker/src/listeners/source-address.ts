// The "ip:port" form of a client address the engine and the auth service key on.
import { isIPv6 } from 'node:net';
import type { Socket } from 'node:net';

/** `192.0.2.7:51234`, `[2001:db8::1]:51234`; IPv4-mapped IPv6 as plain IPv4. */
export function formatSourceAddress(address: string, port: number): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return isIPv6(plain) ? `[${plain}]:${port}` : `${plain}:${port}`;
}

/** The peer address of a socket as the kernel sees it ('unknown' once the socket is gone). */
export function socketSourceAddress(socket: Socket): string {
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined || remotePort === undefined) return 'unknown';
  return formatSourceAddress(remoteAddress, remotePort);
}
