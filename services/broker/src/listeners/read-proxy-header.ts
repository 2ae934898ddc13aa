// Reads a PROXY protocol header off a fresh socket before anything else sees its bytes.
import type { Socket } from 'node:net';
import { ProxyHeaderError } from './listener-errors.ts';
import { parseProxyHeader, type ProxiedAddress } from './proxy-protocol.ts';

/**
 * Resolves with the proxied client address (undefined for LOCAL/UNKNOWN) once the header is
 * complete; the socket is then paused and the bytes after the header are unshifted back.
 * Rejects with ProxyHeaderError on a malformed or oversized header or when the socket closes.
 * The caller owns the deadline (destroying the socket rejects this).
 */
export function readProxyHeader(
  socket: Socket,
  maxBytes: number,
): Promise<ProxiedAddress | undefined> {
  return new Promise((resolve, reject) => {
    // Bounded: the parser answers invalid once a v1 header passes 107 bytes or a v2 header
    // announces more than maxBytes, so this holds at most one socket read beyond that.
    let received: Buffer = Buffer.alloc(0);
    const stop = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onClose = () => {
      stop();
      reject(new ProxyHeaderError('connection closed before the header was complete'));
    };
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const result = parseProxyHeader(received, maxBytes);
      if (result.kind === 'incomplete') return;
      stop();
      socket.pause();
      if (result.kind === 'invalid') {
        reject(new ProxyHeaderError(result.reason));
        return;
      }
      const rest = received.subarray(result.length);
      if (rest.length > 0) socket.unshift(rest);
      resolve(result.source);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
