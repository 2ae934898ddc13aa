// MQTT over WebSocket and secure WebSocket (MQTT 5.0 section 6): an HTTP(S) server that never
// listens takes the gate's sockets, upgrades requests for the configured path that offer the
// `mqtt` subprotocol and come from no browser or an allowed Origin, and hands each WebSocket
// to the engine as a byte stream.
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { refusedOrigin } from './allowed-origins.ts';
import type { Handshake, Transport } from './handshake.ts';
import { HandshakesByPeer } from './handshakes-by-peer.ts';
import type { Accept, ListenerOptions, ListenerSpec } from './listener-spec.ts';
import { verifiedPeerCertificate } from './peer-certificate.ts';
import { tlsServerOptions } from './tls-options.ts';

/** The WebSocket path when the spec names none. */
export const DEFAULT_WEBSOCKET_PATH = '/mqtt';
/** The subprotocol MQTT over WebSocket uses [MQTT-6.0.0-3, MQTT-6.0.0-4]. */
export const MQTT_SUBPROTOCOL = 'mqtt';
// RFC 6455 close code for a data type the endpoint cannot accept.
const UNSUPPORTED_DATA = 1003;

/** Upgrades HTTP(S) connections to WebSockets and hands them to the engine. */
export function createWebSocketTransport(
  spec: ListenerSpec,
  accept: Accept,
  settings: Required<ListenerOptions>,
): Transport {
  const path = spec.path ?? DEFAULT_WEBSOCKET_PATH;
  const allowedOrigins = spec.allowedOrigins ?? [];
  const handshakes = new HandshakesByPeer();
  const server =
    spec.tls === undefined ? createHttpServer() : createHttpsServer(tlsServerOptions(spec.tls));
  const webSockets = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // No compression: inflating is where a small frame becomes a large buffer.
    perMessageDeflate: false,
    maxPayload: settings.maxWebSocketPayloadBytes,
    handleProtocols: () => MQTT_SUBPROTOCOL,
  });
  server.on('request', (_request, response) => {
    response.writeHead(426, { connection: 'close', upgrade: 'websocket' }).end();
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const handshake = handshakes.take(request.socket);
    if (handshake === undefined) {
      socket.destroy();
      return;
    }
    // Every refusal is an HTTP answer before the upgrade: no MQTT byte is read or sent.
    const refusal = upgradeRefusal(request, path, allowedOrigins);
    if (refusal !== undefined) {
      socket.end(httpAnswer(refusal.status));
      handshake.refuse(refusal.reason, { path: request.url, ...refusal.detail });
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) =>
      handOver(webSocket, request, handshake, spec, accept),
    );
  });
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    handshakes.take(socket)?.fail('tls handshake failed', { error: error.message });
  });
  return {
    take(handshake) {
      if (!handshakes.add(handshake)) {
        handshake.fail('peer gone before upgrade');
        return;
      }
      server.emit('connection', handshake.socket);
      // Plain HTTP reads the socket through JavaScript: after the gate read the first bytes
      // it must resume to see the bytes put back. Under TLS the TLS socket reads them itself.
      if (handshake.paused && spec.tls === undefined) handshake.socket.resume();
    },
    close() {
      webSockets.close();
    },
  };
}

function upgradeRefusal(
  request: IncomingMessage,
  path: string,
  allowedOrigins: readonly string[],
): { status: number; reason: string; detail?: Record<string, string> } | undefined {
  const pathname = new URL(request.url ?? '/', 'http://listener').pathname;
  if (pathname !== path) return { status: 404, reason: 'websocket path not served' };
  const origin = refusedOrigin(request, allowedOrigins);
  if (origin !== undefined) {
    return { status: 403, reason: 'websocket origin not allowed', detail: { origin } };
  }
  const offered = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim());
  if (!offered.includes(MQTT_SUBPROTOCOL)) {
    return { status: 400, reason: 'websocket subprotocol mqtt not offered' };
  }
  return undefined;
}

function httpAnswer(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

function handOver(
  webSocket: WebSocket,
  request: IncomingMessage,
  handshake: Handshake,
  spec: ListenerSpec,
  accept: Accept,
): void {
  const stream = createWebSocketStream(webSocket);
  // MQTT travels in binary frames only [MQTT-6.0.0-1]. This runs before the stream's own
  // listener: destroying the stream first makes its push of the text frame a no-op.
  webSocket.prependListener('message', (_data: unknown, isBinary: boolean) => {
    if (isBinary) return;
    webSocket.close(UNSUPPORTED_DATA, 'binary frames only');
    stream.destroy();
  });
  const certificate = verifiedPeerCertificate(request.socket);
  handshake.complete();
  accept(stream, {
    sourceAddress: handshake.sourceAddress,
    listener: spec.name,
    ...(certificate === undefined ? {} : { certificate }),
  });
}
