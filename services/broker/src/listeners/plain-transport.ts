// MQTT over TCP: the socket itself is the engine's stream.
import type { Accept, ListenerSpec } from './listener-spec.ts';
import type { Transport } from './handshake.ts';

/** Hands each socket to the engine as it is. */
export function createPlainTransport(spec: ListenerSpec, accept: Accept): Transport {
  return {
    take(handshake) {
      handshake.complete();
      accept(handshake.socket, { sourceAddress: handshake.sourceAddress, listener: spec.name });
      // After the gate read the first bytes the socket was paused with the rest put back; the
      // engine's 'data' listener does not resume an explicitly paused stream.
      if (handshake.paused) handshake.socket.resume();
    },
    close() {},
  };
}
