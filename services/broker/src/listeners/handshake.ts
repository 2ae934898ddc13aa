// The seam between the connection gate (counting, deadline, PROXY header) and a transport
// (plain, TLS, WebSocket) that turns a raw socket into a stream for the engine.
import type { Socket } from 'node:net';

/** A raw socket on its way to the engine. */
export interface Handshake {
  readonly socket: Socket;
  /** Client address, from the PROXY header when there was one. */
  readonly sourceAddress: string;
  /**
   * The gate read the first bytes itself (a PROXY header, or a look for one): the socket is
   * paused and the bytes it did not consume are put back (unshifted); a transport that reads
   * through JavaScript resumes it.
   */
  readonly paused: boolean;
  /** The stream reached the engine: the handshake deadline no longer applies. */
  complete(): void;
  /** The handshake failed: logged, counted, and the raw socket destroyed now. */
  fail(reason: string, detail?: Record<string, unknown>): void;
  /**
   * The transport refused politely (an HTTP error answer it is ending the stream with):
   * logged and counted; the raw socket is destroyed at the deadline if the peer lingers.
   */
  refuse(reason: string, detail?: Record<string, unknown>): void;
}

/** Turns handshakes into engine streams. */
export interface Transport {
  take(handshake: Handshake): void;
  close(): void;
}
