// What a listener is asked to be (one port, one transport), and what it gives back once running.
import type { Duplex } from 'node:stream';
import type { ConnectionMeta } from '@octomesh/mqtt-engine';

/** Listener names: MQTT over TCP, TLS, WebSocket and secure WebSocket. */
export const LISTENER_NAMES = ['mqtt', 'mqtts', 'ws', 'wss'] as const;
/** One of {@link LISTENER_NAMES}. */
export type ListenerName = (typeof LISTENER_NAMES)[number];

/** TLS material of a listener, as PEM contents (not paths). */
export interface ListenerTls {
  /** Server certificate, optionally followed by its chain. */
  cert: string;
  key: string;
  /** CA that client certificates must chain to (mTLS); without it no client certificate is asked. */
  ca?: string;
  /** Refuse clients without a certificate verified against `ca`. */
  requireClientCert: boolean;
}

/** One listener to open. */
export interface ListenerSpec {
  name: ListenerName;
  host: string;
  /** 0 picks a free port; RunningListener.port tells which. */
  port: number;
  /**
   * Bind with SO_REUSEPORT, so other processes (broker replicas) may listen on the same port
   * and the kernel spreads new connections over them; see reuse-port.ts for the platforms.
   */
  reusePort?: boolean;
  /**
   * Expect a PROXY protocol v1/v2 header first (behind a load balancer) from the peers in
   * `proxyTrustedCidrs`; other peers are served with their own address, and closed if they send
   * a header.
   */
  proxyProtocol: boolean;
  /**
   * CIDRs of the load balancers (`10.0.0.0/8`, `2001:db8::/32`), required with proxyProtocol:
   * only a TCP peer inside one may set the client address. Each must be a network address.
   */
  proxyTrustedCidrs?: readonly string[];
  /** Required for mqtts and wss, refused for mqtt and ws. */
  tls?: ListenerTls;
  /** WebSocket path (ws, wss); default /mqtt. */
  path?: string;
  /**
   * Origins (`https://console.example.com`, or `*` for any) whose browser pages may open the
   * WebSocket (ws, wss). An upgrade carrying any other Origin gets 403; one without an Origin
   * header (MQTT.js in Node, devices) is accepted. Default: none, so every browser is refused.
   */
  allowedOrigins?: readonly string[];
}

/** Hands a client stream to the engine (`engine.accept`). */
export type Accept = (stream: Duplex, meta: ConnectionMeta) => void;

/** Bounds of a listener; every one has a safe default. */
export interface ListenerOptions {
  /** Open sockets per listener; extra sockets are closed at once and counted. */
  maxConnections?: number;
  /** Time from TCP accept until the stream reaches the engine (PROXY header, TLS, WebSocket upgrade). */
  handshakeTimeoutMs?: number;
  /** Largest PROXY protocol header accepted (v2 with TLVs). */
  maxProxyHeaderBytes?: number;
  /** Largest WebSocket message accepted (ws closes with 1009 beyond it). */
  maxWebSocketPayloadBytes?: number;
}

/** Safe defaults of {@link ListenerOptions}. */
export const DEFAULT_LISTENER_OPTIONS: Required<ListenerOptions> = {
  maxConnections: 10_000,
  handshakeTimeoutMs: 10_000,
  maxProxyHeaderBytes: 4096,
  maxWebSocketPayloadBytes: 1024 * 1024,
};

/** What a listener has seen since it started. */
export interface ListenerCounters {
  /** Sockets open now (in handshake or handed to the engine). */
  open: number;
  /** Streams handed to the engine. */
  accepted: number;
  /** Sockets closed at once because maxConnections was reached. */
  refused: number;
  /** Sockets that closed before reaching the engine (bad PROXY header, TLS or upgrade failure, timeout). */
  handshakeFailed: number;
  /** Of those, the ones that ran out of time. */
  handshakeTimedOut: number;
  /** Of those, the ones closed because a peer outside proxyTrustedCidrs sent a PROXY header. */
  proxyHeaderUntrusted: number;
}

/** A listener accepting connections. */
export interface RunningListener {
  readonly name: string;
  /** The bound port (the real one when the spec asked for 0). */
  readonly port: number;
  readonly counters: Readonly<ListenerCounters>;
  /**
   * Stops accepting and aborts connections still in handshake. Streams already handed to the
   * engine are the engine's: `engine.closeAll()` ends them with a DISCONNECT.
   */
  close(): Promise<void>;
}
