import { encodeKvKey } from './kv-key.ts';

// Every NATS subject of the mesh is built here; nobody types a subject string elsewhere.

/** Subjects of request/reply endpoints and broadcast events. */
export const Subjects = {
  authAuthenticate: 'mesh.auth.v1.authenticate',
  /** Auth announces a changed or removed account: brokers close its connections. */
  authRevoked: 'mesh.auth.v1.revoked',
  aclAuthorize: 'mesh.acl.v1.authorize',
  aclChanged: 'mesh.acl.v1.changed',
  /** Controller API: send a USP Msg or Record to an endpoint and get its answer. */
  uspSend: 'usp.v1.send',
  /** Controller API: list the endpoint registry. */
  uspEndpoints: 'usp.v1.endpoints',
  /** Between usp-router replicas: an agent's answer for the replica that holds the request. */
  uspAnswers: 'mesh.usp.v1.answers',
} as const;

/** Queue groups: replicas of one service share requests. */
export const QueueGroups = {
  auth: 'auth',
  acl: 'acl',
  uspRouter: 'usp-router',
} as const;

/** Names under which services register with the NATS micro framework (`nats micro ls`). */
export const ServiceNames = {
  auth: 'octomesh-auth',
  acl: 'octomesh-acl',
  uspRouter: 'octomesh-usp-router',
} as const;

/** Kinds of broker events. */
export const BrokerEventKinds = {
  connected: 'connected',
  disconnected: 'disconnected',
  subscribed: 'subscribed',
} as const;
/** One of {@link BrokerEventKinds}. */
export type BrokerEventKind = (typeof BrokerEventKinds)[keyof typeof BrokerEventKinds];

/** `mesh.broker.v1.events.<kind>`: client connected / disconnected / subscribed. */
export function brokerEventSubject(kind: BrokerEventKind): string {
  return `mesh.broker.v1.events.${kind}`;
}

/** Wildcard subscription to every broker event. */
export const brokerEventsWildcard = 'mesh.broker.v1.events.*';

/** JetStream KV bucket names. */
export const Buckets = {
  credentials: 'mqtt-credentials',
  acl: 'mqtt-acl',
  oktopusDevicesAuth: 'devices-auth',
  uspEndpoints: 'usp-endpoints',
  /** Retained MQTT messages, shared by every broker replica. */
  retained: 'mqtt-retained',
  /** Persistent MQTT sessions (identity, expiry, subscriptions) while no replica holds them. */
  sessions: 'mqtt-sessions',
  /** Wills of connected clients, by replica: survivors send those of a replica that died. */
  wills: 'mqtt-wills',
} as const;

/** How a bucket the mesh owns is set up; every service and the CLI open it with these. */
export interface BucketSpec {
  readonly name: string;
  /** Revisions kept per key. */
  readonly history: number;
  readonly description: string;
}

/** The buckets the mesh creates. */
export const BucketSpecs = {
  // One revision: a changed password must not leave the old hash behind.
  credentials: { name: Buckets.credentials, history: 1, description: 'Octomesh MQTT credentials' },
  // Ten revisions: an audit trail of rule changes.
  acl: { name: Buckets.acl, history: 10, description: 'Octomesh ACL rules' },
  // One revision: presence changes often and only the current state matters.
  uspEndpoints: {
    name: Buckets.uspEndpoints,
    history: 1,
    description: 'Octomesh USP endpoint registry',
  },
  // One revision: the current retained message of a topic is all MQTT keeps [MQTT-3.3.1-5].
  retained: { name: Buckets.retained, history: 1, description: 'Octomesh retained MQTT messages' },
  // One revision: a session's current state; older ones are of no use.
  sessions: {
    name: Buckets.sessions,
    history: 1,
    description: 'Octomesh persistent MQTT sessions',
  },
  // One revision: a will is claimed by deleting the revision read.
  wills: {
    name: Buckets.wills,
    history: 1,
    description: 'Octomesh wills of connected MQTT clients',
  },
} as const satisfies Record<string, BucketSpec>;

/** Subjects between broker replicas (interest, liveness) besides the fabric itself. */
export const ReplicaSubjects = {
  /** `mqtt.interest.v1.<replica>`: the filters a replica's clients subscribe to (changes and snapshots). */
  interestPrefix: 'mqtt.interest.v1',
  /** `mqtt.interest.v1.sync`: a replica that joins (or lost track) asks every peer for a snapshot. */
  interestSync: 'mqtt.interest.v1.sync',
  /** `mqtt.replica.v1.<replica>`: heartbeats; a replica silent past the deadline is gone. */
  heartbeatPrefix: 'mqtt.replica.v1',
  /** `mqtt.client.v1.claim`: a replica attaching a client id asks the others to let it go. */
  clientClaim: 'mqtt.client.v1.claim',
  /**
   * `mqtt.share.v1.<queue>`: a shared group's message handed back by a replica whose last member
   * of the group left while it was on its way, for another replica's member (same queue group).
   */
  sharedRedirectPrefix: 'mqtt.share.v1',
} as const;

/**
 * The JetStream stream holding the QoS 1/2 messages of offline persistent sessions, one subject
 * per client id: `mqtt.session.v1.<encoded client id>`. Only broker replicas use it.
 */
export const SessionMessageStream = {
  name: 'MQTT_SESSION_MESSAGES',
  subjectPrefix: 'mqtt.session.v1',
} as const;

/** `usp.v1.presence.<encoded endpoint id>`: an endpoint went online or offline. */
export function uspPresenceSubject(endpointId: string): string {
  return `usp.v1.presence.${encodeKvKey(endpointId)}`;
}

/** `usp.v1.notify.<encoded endpoint id>`: a Notify from an agent, for controllers. */
export function uspNotifySubject(endpointId: string): string {
  return `usp.v1.notify.${encodeKvKey(endpointId)}`;
}

/** Wildcards over every endpoint's presence and notifications. */
export const uspPresenceWildcard = 'usp.v1.presence.*';
export const uspNotifyWildcard = 'usp.v1.notify.*';
