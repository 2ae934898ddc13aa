// Reads a PROXY protocol header off a fresh socket before anything else sees its bytes.
import type { Socket } from 'node:net';
import { ProxyHeaderError } from './listener-errors.ts';
import { parseProxyHeader, type ProxiedAddress } from './proxy-protocol.ts';
import { readPrefix } from './read-prefix.ts';

/**
 * Resolves with the proxied client address (undefined for LOCAL/UNKNOWN) once the header is
 * complete; the socket is then paused and the bytes after the header are unshifted back.
 * Rejects with ProxyHeaderError on a malformed or oversized header or when the socket closes.
 * The caller owns the deadline (destroying the socket rejects this).
 */
export async function readProxyHeader(
  socket: Socket,
  maxBytes: number,
): Promise<ProxiedAddress | undefined> {
  // Bounded: the parser answers invalid once a v1 header passes 107 bytes or a v2 header
  // announces more than maxBytes, so this holds at most one socket read beyond that.
  const { result, received } = await readPrefix(
    socket,
    (bytes) => {
      const parsed = parseProxyHeader(bytes, maxBytes);
      return parsed.kind === 'incomplete' ? undefined : parsed;
    },
    'connection closed before the header was complete',
  );
  if (result.kind === 'invalid') throw new ProxyHeaderError(result.reason);
  const rest = received.subarray(result.length);
  if (rest.length > 0) socket.unshift(rest);
  return result.source;
}
