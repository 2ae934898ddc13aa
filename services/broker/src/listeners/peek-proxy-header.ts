// Looks at the first bytes of a socket from an untrusted peer to see whether it sends a PROXY
// header (refused) or speaks MQTT, TLS or HTTP directly (served with its own address).
import type { Socket } from 'node:net';
import { proxyHeaderStart } from './proxy-protocol.ts';
import { readPrefix } from './read-prefix.ts';

/**
 * Resolves true when the connection starts with a PROXY v1 or v2 header, false as soon as it
 * cannot (the first byte for MQTT, TLS and HTTP). The socket is then paused and every byte read
 * is put back (unshifted). Rejects with ProxyHeaderError when the socket closes first; the
 * caller owns the deadline. Reads at most one chunk past the 12-byte v2 signature.
 */
export async function peekProxyHeader(socket: Socket): Promise<boolean> {
  const { result, received } = await readPrefix(
    socket,
    (bytes) => {
      const start = proxyHeaderStart(bytes);
      return start === 'undecided' ? undefined : start;
    },
    'connection closed before its first bytes could be told apart',
  );
  socket.unshift(received);
  return result === 'header';
}
