// Finds the handshake of a socket that a Node server (tls, https) wrapped: the server hands
// back its own TLSSocket, not the raw socket we gave it, but both report the same peer
// address, and a TCP peer address is unique among the open connections of one listener.
import type { Socket } from 'node:net';
import type { Handshake } from './handshake.ts';

function peerKey(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined
    ? undefined
    : `${remoteAddress}|${remotePort}`;
}

/** Handshakes waiting for their server to finish, keyed by the raw peer address. */
export class HandshakesByPeer {
  readonly #byPeer = new Map<string, Handshake>();

  /** Remembers `handshake` until taken or until its socket closes; false when the peer is gone. */
  add(handshake: Handshake): boolean {
    const key = peerKey(handshake.socket);
    if (key === undefined) return false;
    this.#byPeer.set(key, handshake);
    handshake.socket.once('close', () => {
      if (this.#byPeer.get(key) === handshake) this.#byPeer.delete(key);
    });
    return true;
  }

  /** The handshake of `socket` (raw or wrapped), removed from the table. */
  take(socket: Socket): Handshake | undefined {
    const key = peerKey(socket);
    if (key === undefined) return undefined;
    const handshake = this.#byPeer.get(key);
    this.#byPeer.delete(key);
    return handshake;
  }
}
