// The TCP front of every listener: binds the port, refuses sockets beyond maxConnections,
// reads the PROXY header of trusted peers when configured, and gives each socket a deadline to
// reach the engine. The transport behind it (plain, TLS, WebSocket) does the rest.
import { createServer, type BlockList, type Server, type Socket } from 'node:net';
import type { EngineLogger } from '@octomesh/mqtt-engine';
import type { Handshake, Transport } from './handshake.ts';
import { ListenError } from './listener-errors.ts';
import type { ListenerCounters, ListenerOptions, ListenerSpec } from './listener-spec.ts';
import { peekProxyHeader } from './peek-proxy-header.ts';
import { readProxyHeader } from './read-proxy-header.ts';
import { formatSourceAddress, socketSourceAddress } from './source-address.ts';
import { isTrustedPeer, trustedPeerList } from './trusted-proxies.ts';

/** A bound port with its counters. */
export interface Gate {
  readonly port: number;
  readonly counters: Readonly<ListenerCounters>;
  /** Stops accepting and destroys the sockets still in handshake. */
  close(): void;
}

type GateSettings = Required<ListenerOptions>;

/** Binds `spec.host:spec.port` and feeds admitted sockets to `transport`. */
export async function openGate(
  spec: ListenerSpec,
  settings: GateSettings,
  logger: EngineLogger,
  transport: Transport,
): Promise<Gate> {
  const counters: ListenerCounters = {
    open: 0,
    accepted: 0,
    refused: 0,
    handshakeFailed: 0,
    handshakeTimedOut: 0,
    proxyHeaderUntrusted: 0,
  };
  const trustedPeers = trustedPeerList(spec.proxyTrustedCidrs ?? []);
  const inHandshake = new Set<Socket>();
  const server = createServer({ noDelay: true });
  // Node closes sockets beyond maxConnections right after accept and reports each as 'drop'.
  server.maxConnections = settings.maxConnections;
  server.on('drop', (data) => {
    counters.refused++;
    logger.debug(
      { listener: spec.name, remoteAddress: data?.remoteAddress },
      'connection refused at limit',
    );
  });
  server.on('connection', (socket: Socket) =>
    admit(socket, { spec, settings, logger, transport, counters, inHandshake, trustedPeers }),
  );
  await listen(server, spec);
  const port = (server.address() as { port: number }).port;
  return {
    port,
    counters,
    close() {
      server.close();
      for (const socket of inHandshake) socket.destroy();
      transport.close();
    },
  };
}

function listen(server: Server, spec: ListenerSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new ListenError(spec.name, spec.host, spec.port, error)),
    );
    server.listen({ port: spec.port, host: spec.host, reusePort: spec.reusePort === true }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve();
    });
  });
}

interface AdmitContext {
  spec: ListenerSpec;
  settings: GateSettings;
  logger: EngineLogger;
  transport: Transport;
  counters: ListenerCounters;
  inHandshake: Set<Socket>;
  trustedPeers: BlockList;
}

/**
 * One socket from accept to the engine: the PROXY header when configured (required from a
 * trusted peer, refused from any other), then the transport.
 */
function admit(socket: Socket, context: AdmitContext): void {
  const peer = socketSourceAddress(socket);
  const handshakeFor = trackHandshake(socket, peer, context);
  if (!context.spec.proxyProtocol) {
    context.transport.take(handshakeFor(peer, false));
    return;
  }
  if (!isTrustedPeer(context.trustedPeers, socket)) {
    admitUntrusted(socket, peer, handshakeFor, context);
    return;
  }
  // A trusted peer must send a header: without one we could not tell the balancer's own
  // connections from a client's, and would key every client behind it on one address.
  void readProxyHeader(socket, context.settings.maxProxyHeaderBytes).then(
    (source) => {
      // Destroyed meanwhile: the deadline passed or the listener closed.
      if (socket.destroyed) return;
      const sourceAddress =
        source === undefined ? peer : formatSourceAddress(source.address, source.port);
      context.transport.take(handshakeFor(sourceAddress, true));
    },
    (error: unknown) =>
      handshakeFor(peer, false).fail('invalid proxy header', { error: (error as Error).message }),
  );
}

/**
 * A peer outside the trusted CIDRs may not choose its address: a PROXY header from it closes
 * the connection (counted, logged at info); anything else is served with the kernel's address.
 */
function admitUntrusted(
  socket: Socket,
  peer: string,
  handshakeFor: HandshakeFactory,
  context: AdmitContext,
): void {
  void peekProxyHeader(socket).then(
    (header) => {
      if (socket.destroyed) return;
      if (!header) {
        context.transport.take(handshakeFor(peer, true));
        return;
      }
      context.counters.proxyHeaderUntrusted++;
      context.logger.info(
        { listener: context.spec.name, peer },
        'proxy header from untrusted peer refused',
      );
      handshakeFor(peer, false).fail('proxy header from untrusted peer');
    },
    (error: unknown) =>
      handshakeFor(peer, false).fail('closed before first bytes', {
        error: (error as Error).message,
      }),
  );
}

type HandshakeFactory = (sourceAddress: string, paused: boolean) => Handshake;

/**
 * Counts the socket, starts its handshake deadline and gives the Handshake factory whose
 * complete/fail/refuse settle it exactly once.
 */
function trackHandshake(socket: Socket, peer: string, context: AdmitContext): HandshakeFactory {
  const { spec, settings, logger, counters, inHandshake } = context;
  counters.open++;
  inHandshake.add(socket);
  let state: 'handshake' | 'accepted' | 'failed' = 'handshake';
  const log = (reason: string, sourceAddress: string, detail?: Record<string, unknown>) =>
    logger.debug({ listener: spec.name, sourceAddress, reason, ...detail }, 'handshake failed');
  const markFailed = (): boolean => {
    if (state !== 'handshake') return false;
    state = 'failed';
    counters.handshakeFailed++;
    return true;
  };
  const deadline = setTimeout(() => {
    if (state === 'handshake') counters.handshakeTimedOut++;
    if (markFailed()) log('handshake timeout', peer);
    socket.destroy();
  }, settings.handshakeTimeoutMs);
  // Errors before and after the hand-over end in 'close'; without a listener they would crash.
  socket.on('error', () => undefined);
  socket.once('close', () => {
    clearTimeout(deadline);
    counters.open--;
    inHandshake.delete(socket);
    if (markFailed()) log('closed during handshake', peer);
  });
  return (sourceAddress, paused) => ({
    socket,
    sourceAddress,
    paused,
    complete() {
      if (state !== 'handshake') return;
      state = 'accepted';
      clearTimeout(deadline);
      inHandshake.delete(socket);
      counters.accepted++;
    },
    fail(reason, detail) {
      if (markFailed()) log(reason, sourceAddress, detail);
      socket.destroy();
    },
    refuse(reason, detail) {
      if (markFailed()) log(reason, sourceAddress, detail);
    },
  });
}
