// What a packet handler works with: a narrow context of the engine (its limits, logger, counters
// and deciders, and the few things handlers ask of it) and its connection as handlers see it.
// Handlers import these interfaces, never engine.ts or connection.ts, so the engine, its
// connections and its handlers import each other in one direction only (issue 11).
import type { IConnackPacket, IConnectPacket, Packet } from 'mqtt-packet';
import type { ClientIdPolicy } from '../client-id-policy.ts';
import type { EngineCounters } from '../counters.ts';
import type { EnhancedAuthMethod } from '../enhanced-auth.ts';
import type { EngineLimits } from '../limits.ts';
import type { EngineLogger } from '../logger.ts';
import type { RoleQuota, TopicLimits } from '../quotas.ts';
import type { RetainedStore } from '../retained-store.ts';
import type { Session } from '../session.ts';
import type { SubscriptionIndex } from '../subscription-index.ts';
import type { ConnectionMeta, Deciders, EngineIdentity, Message } from '../types.ts';

/** What handlers need of the engine (the engine gives every connection the same one). */
export interface HandlerContext {
  readonly limits: EngineLimits;
  readonly logger: EngineLogger;
  readonly counters: EngineCounters;
  readonly deciders: Deciders;
  /** Enhanced authentication methods offered to MQTT 5 clients, by name. */
  readonly authMethods: ReadonlyMap<string, EnhancedAuthMethod>;
  /** Which client ids each role may use and owns. */
  readonly clientIdPolicy: ClientIdPolicy;
  /** USP topic prefix: CONNACK tells agents their topic under it. */
  readonly uspTopicPrefix: string | undefined;
  /** Past the memory limit new CONNECTs are refused. */
  readonly memoryGuard: { readonly overloaded: boolean };
  /** The subscriptions SUBSCRIBE and UNSUBSCRIBE change. */
  readonly index: Pick<SubscriptionIndex, 'add' | 'remove' | 'subscriptionsOf'>;
  /** The retained messages SUBSCRIBE sends. */
  readonly retained: Pick<RetainedStore, 'match'>;
  /** The quota of a role (empty for a role with none). */
  quotaOf(role: string): RoleQuota;
  /** A role's topic limits within the engine's. */
  topicLimitsOf(role: string): TopicLimits;
  /** Whether a CONNECT from this address may go on: undefined, or the reason code refusing it. */
  admitAddress(sourceAddress: string): number | undefined;
  /** A fresh client identifier for a CONNECT without one [MQTT-3.1.3-6]. */
  assignClientId(): string;
  /** Stores a retained message (if flagged) and routes it to every replica's sessions. */
  publish(message: Message): Promise<void>;
  /** Waits (bounded) while local subscribers of `topic` have backed-up queues. */
  awaitSubscribers(topic: string): Promise<void>;
  /** Removes the subscriptions of `session` that `identity` may no longer hold. */
  recheckSession(session: Session, identity: EngineIdentity): Promise<number | undefined>;
}

/** Lifecycle of a connection. */
export type ConnectionState = 'awaiting-connect' | 'connecting' | 'connected' | 'closed';

/** The will of a connection, sent when it ends without a normal DISCONNECT. */
export interface Will {
  message: Message;
  delaySeconds: number;
}

/** A CONNECT that was authenticated and decided (handlers/connect.ts), for its connection to apply. */
export interface AcceptedConnect {
  readonly identity: EngineIdentity;
  readonly cleanStart: boolean;
  readonly expirySeconds: number;
  /** The identity owns the client id (client-id-policy.ts): another identity's session goes. */
  readonly ownsClientId: boolean;
  readonly will: Will | undefined;
}

/** Why a connection got no session: its client id is another identity's, or the store failed. */
export interface AttachRefusal {
  ok: false;
  reason: 'identity' | 'store';
}

/** Whether the connection got its session, and whether one was there before. */
export type AttachResult = { ok: true; sessionPresent: boolean } | AttachRefusal;

/**
 * A client connection as its handlers see it (connection.ts). Its state changes only through
 * these methods: a handler decides, the connection applies.
 */
export interface HandlerConnection {
  readonly state: ConnectionState;
  readonly protocolVersion: 3 | 4 | 5;
  readonly clientId: string;
  readonly identity: EngineIdentity | undefined;
  readonly session: Session | undefined;
  readonly meta: ConnectionMeta;
  /** Whether the client wants Reason Strings (v5 CONNECT Request Problem Information). */
  readonly requestProblemInformation: boolean;
  /** Topic aliases the client set towards us [MQTT-3.3.2-12]. */
  readonly topicAliases: Map<number, string>;
  /** Writes a packet in the client's version, within its Maximum Packet Size; false if too large. */
  write(packet: Packet): boolean;
  /** Ends the connection with a reason (MQTT 5: DISCONNECT first, once connected). */
  close(reasonCode: number, reason: string): void;
  /** Drops the connection without a DISCONNECT. */
  destroy(reason: string, reasonCode?: number): void;
  /** Answers with a refusing CONNACK and drops the connection [MQTT-3.2.2-7]. */
  refuse(connack: IConnackPacket | undefined, reason: string, reasonCode?: number): void;
  /** CONNECT arrived: answers speak its version and respect what the client asked of us. */
  beginConnect(packet: IConnectPacket): void;
  /** The client id the connection goes by: CONNECT's, or one assigned. */
  useClientId(clientId: string): void;
  /** Authentication (CONNECT or re-authentication) proved this identity. */
  authenticated(identity: EngineIdentity): void;
  /** Takes the accepted CONNECT's will and its session (session takeover rules apply). */
  attach(accepted: AcceptedConnect): Promise<AttachResult>;
  /** Sends CONNACK, starts the keep alive and resumes the session. */
  acknowledge(connack: IConnackPacket, keepAliveSeconds: number, sessionPresent: boolean): void;
  /** The connection ends normally: no will is sent [MQTT-3.14.4-3]. */
  discardWill(): void;
}
