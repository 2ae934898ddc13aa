// Reads the first bytes of a fresh socket until `decide` can tell what they are, before anything
// else sees them; the socket is then paused with nothing lost (the caller unshifts what is not
// its own). Shared by the PROXY header reader and the untrusted-peer check.
import type { Socket } from 'node:net';
import { ProxyHeaderError } from './listener-errors.ts';

/**
 * Resolves with `decide`'s first answer other than undefined and every byte read so far.
 * Rejects with ProxyHeaderError(`closedMessage`) when the socket closes first; the caller owns
 * the deadline (destroying the socket rejects this). `decide` bounds what is read.
 */
export function readPrefix<T>(
  socket: Socket,
  decide: (received: Buffer) => T | undefined,
  closedMessage: string,
): Promise<{ result: T; received: Buffer }> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const stop = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onClose = () => {
      stop();
      reject(new ProxyHeaderError(closedMessage));
    };
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const result = decide(received);
      if (result === undefined) return;
      stop();
      socket.pause();
      resolve({ result, received });
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
