// Looks at the first bytes of a socket from an untrusted peer to see whether it sends a PROXY
// header (refused) or speaks MQTT, TLS or HTTP directly (served with its own address).
import type { Socket } from 'node:net';
import { ProxyHeaderError } from './listener-errors.ts';
import { proxyHeaderStart } from './proxy-protocol.ts';

/**
 * Resolves true when the connection starts with a PROXY v1 or v2 header, false as soon as it
 * cannot (the first byte for MQTT, TLS and HTTP). The socket is then paused and every byte read
 * is put back (unshifted). Rejects with ProxyHeaderError when the socket closes first; the
 * caller owns the deadline. Reads at most one chunk past the 12-byte v2 signature.
 */
export function peekProxyHeader(socket: Socket): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const stop = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onClose = () => {
      stop();
      reject(new ProxyHeaderError('connection closed before its first bytes could be told apart'));
    };
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const start = proxyHeaderStart(received);
      if (start === 'undecided') return;
      stop();
      socket.pause();
      socket.unshift(received);
      resolve(start === 'header');
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
