// The engine's seams: who is connecting (from the listener), who decides (auth and acl, over
// NATS in the broker service, in memory in tests), and the shapes the handlers share.
import type { IPublishPacket, QoS } from 'mqtt-packet';

/** The authenticated identity of a connection; every later decision keys on it. */
export interface EngineIdentity {
  subject: string;
  username: string;
  role: string;
  endpointId: string;
  clientId: string;
}

/** A verified TLS client certificate, as the listener saw it. */
export interface PeerCertificate {
  subject: string;
  commonName: string;
  sanDns: string[];
  sanUri: string[];
  sanEmail: string[];
  fingerprintSha256: string;
}

/** What the listener knows about a connection before CONNECT. */
export interface ConnectionMeta {
  /** Remote address after PROXY protocol, e.g. "192.0.2.7:51234". */
  sourceAddress: string;
  /** Listener name: mqtt, mqtts, ws, wss. */
  listener: string;
  certificate?: PeerCertificate;
}

/** A CONNECT to decide. */
export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  protocolVersion: 3 | 4 | 5;
  meta: ConnectionMeta;
  /** CONNECT user property usp-endpoint-id, or '' */
  endpointIdHint: string;
}

/** The answer to a CONNECT. */
export type ConnectVerdict =
  { allow: true; identity: EngineIdentity } | { allow: false; reasonCode: number; reason: string };

/** One topic to authorize. */
export interface TopicCheck {
  action: 'publish' | 'subscribe';
  topic: string;
}

/** The answer to a batch of checks, with how long it may be cached. */
export interface TopicVerdicts {
  verdicts: { allow: boolean; reasonCode: number }[];
  cacheTtlMs: number;
}

/**
 * The async deciders the engine asks. They may throw (service unavailable): the engine then
 * fails closed. The engine applies its own deadline and aborts `signal` when it passes.
 */
export interface Deciders {
  authenticate(attempt: ConnectAttempt, signal: AbortSignal): Promise<ConnectVerdict>;
  authorize(
    identity: EngineIdentity,
    checks: TopicCheck[],
    signal: AbortSignal,
  ): Promise<TopicVerdicts>;
}

/** An application message as the engine routes it. */
export interface Message {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  /** MQTT 5 publish properties that travel with the message (no alias, no subscription id). */
  properties: NonNullable<IPublishPacket['properties']>;
  /** Absolute expiry (ms since the epoch) from Message Expiry Interval. */
  expiresAt: number | undefined;
  /** The client that published it (for no-local). */
  publisherClientId: string;
  /** Who published it, as authenticated; absent for the mesh's own messages. */
  publisher?: EngineIdentity;
  /** Set when the message came over the fabric from another replica. */
  remote?: boolean;
}
