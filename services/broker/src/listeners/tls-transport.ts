// MQTT over TLS: a tls.Server that never listens does the handshake on sockets the gate hands
// it, so the PROXY header (read by the gate) comes before the TLS handshake, as balancers
// send it.
import { createServer, type TLSSocket } from 'node:tls';
import type { Transport } from './handshake.ts';
import { HandshakesByPeer } from './handshakes-by-peer.ts';
import type { Accept, ListenerSpec, ListenerTls } from './listener-spec.ts';
import { verifiedPeerCertificate } from './peer-certificate.ts';
import { tlsServerOptions } from './tls-options.ts';

/** Terminates TLS and hands the TLS socket, with the verified client certificate, to the engine. */
export function createTlsTransport(
  spec: ListenerSpec,
  tls: ListenerTls,
  accept: Accept,
): Transport {
  const handshakes = new HandshakesByPeer();
  const server = createServer(tlsServerOptions(tls));
  server.on('secureConnection', (socket: TLSSocket) => {
    const handshake = handshakes.take(socket);
    if (handshake === undefined) {
      socket.destroy();
      return;
    }
    const certificate = verifiedPeerCertificate(socket);
    // Node already refuses unverified clients when rejectUnauthorized is set; this keeps the
    // rule in one visible place.
    if (tls.requireClientCert && certificate === undefined) {
      handshake.fail('client certificate not verified', { error: socket.authorizationError });
      return;
    }
    handshake.complete();
    accept(socket, {
      sourceAddress: handshake.sourceAddress,
      listener: spec.name,
      ...(certificate === undefined ? {} : { certificate }),
    });
  });
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    handshakes.take(socket)?.fail('tls handshake failed', { error: error.message });
  });
  return {
    take(handshake) {
      if (!handshakes.add(handshake)) {
        handshake.fail('peer gone before tls');
        return;
      }
      server.emit('connection', handshake.socket);
    },
    // The server never listened: the gate closes the port and the sockets.
    close() {},
  };
}
