// Who may do what on the NATS bus: one table, from which `octomesh up` writes the local
// nats-server's authorization block and the Helm chart will write the cluster's. Every
// service and application connects as one of these roles and gets only the subjects its job
// needs (design: "Security of the bus"; docs/security.md says what each rule stops).
//
// Replies: a role that answers requests has `allow_responses` (it may publish to the reply
// subject of a request it received, once, within a minute) instead of any `_INBOX` publish
// right. A role that makes requests reads its replies on its own inbox prefix
// (`_INBOX_<role>.`), so no role can subscribe to another's replies.
import { filterToSubjects, FABRIC_SUBJECT_PREFIX } from './fabric-subject.ts';
import {
  brokerEventsWildcard,
  Buckets,
  ReplicaSubjects,
  SessionMessageStream,
  Subjects,
  uspNotifyWildcard,
  uspPresenceWildcard,
} from './subjects.ts';
import { DEFAULT_TOPIC_PREFIX, uspTopics } from './topics.ts';

/** The roles that connect to the bus. */
export const BusRoles = ['broker', 'auth', 'acl', 'usp-router', 'controller', 'admin'] as const;
/** One of {@link BusRoles}. */
export type BusRole = (typeof BusRoles)[number];

/** What one role may publish and subscribe (nats-server 2.9 permissions). */
export interface BusPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** May answer requests it received (nats-server `allow_responses`). */
  readonly allowResponses: boolean;
  /** The inbox prefix the role's client must use for its requests. */
  readonly inboxPrefix: string;
}

/** What the table depends on. */
export interface BusPermissionOptions {
  /** The USP topic prefix (default `oktopus/usp/v1`): the usp-router's fabric subjects. */
  readonly uspTopicPrefix?: string;
  /** Oktopus adapter subjects (`USP_OKTOPUS_COMPAT` in the usp-router). */
  readonly oktopusCompat?: boolean;
  /**
   * Oktopus's `devices-auth` bucket (`AUTH_OKTOPUS_DEVICES_AUTH` in auth): auth reads it, and
   * the controller role (Oktopus's controller, which keeps that bucket) creates and writes it.
   */
  readonly oktopusDevicesAuth?: boolean;
}

/** The JetStream API prefix. */
const JS = '$JS.API';

/** The inbox prefix of a role: `_INBOX_<role>` (no '-' issues: roles are tokens). */
export function inboxPrefixOf(role: BusRole): string {
  return `_INBOX_${role.replace('-', '_')}`;
}

/** Subjects of a micro service (`nats micro ls|info|stats|ping`) answered by its instances. */
const MICRO_SERVICE_SUBJECTS = ['$SRV.>'];

/** Reading a KV bucket: lookups, watches and key listings (ordered push consumers). */
function kvRead(bucket: string): string[] {
  return streamRead(`KV_${bucket}`);
}

/** Reading a stream: message lookups and ordered push consumers. */
function streamRead(stream: string): string[] {
  return [
    `${JS}.INFO`,
    `${JS}.STREAM.INFO.${stream}`,
    `${JS}.STREAM.NAMES`,
    `${JS}.STREAM.LIST`,
    `${JS}.STREAM.MSG.GET.${stream}`,
    `${JS}.DIRECT.GET.${stream}`,
    `${JS}.DIRECT.GET.${stream}.>`,
    `${JS}.CONSUMER.CREATE.${stream}`,
    `${JS}.CONSUMER.CREATE.${stream}.>`,
    `${JS}.CONSUMER.DELETE.${stream}.>`,
    `${JS}.CONSUMER.INFO.${stream}.>`,
    // Flow control of the push consumers behind watches.
    `$JS.FC.${stream}.>`,
  ];
}

/** Writing a KV bucket: puts, deletes and purges of keys. */
function kvWrite(bucket: string): string[] {
  return [`$KV.${bucket}.>`, `${JS}.STREAM.PURGE.KV_${bucket}`];
}

/** Creating a bucket the mesh owns with its fixed settings (the first service to start does). */
function kvCreate(bucket: string): string[] {
  return [`${JS}.STREAM.CREATE.KV_${bucket}`, `${JS}.STREAM.UPDATE.KV_${bucket}`];
}

const OKTOPUS = {
  toControllers: ['mqtt.usp.v1.>', 'device.usp.v1.>'],
  fromControllers: ['mqtt-adapter.usp.v1.>'],
} as const;

/** The permissions of every role. */
export function busPermissions(
  options: BusPermissionOptions = {},
): Readonly<Record<BusRole, BusPermissions>> {
  const topics = uspTopics(options.uspTopicPrefix ?? DEFAULT_TOPIC_PREFIX);
  const p = topics.prefix;
  const oktopus = options.oktopusCompat === true;
  const devicesAuth = options.oktopusDevicesAuth === true;
  const inbox = (role: BusRole): string[] => [`${inboxPrefixOf(role)}.>`];
  const role = (
    name: BusRole,
    rights: { publish: string[]; subscribe: string[]; allowResponses?: boolean },
  ): BusPermissions => ({
    publish: [...new Set(rights.publish)],
    subscribe: [...new Set([...rights.subscribe, ...inbox(name)])],
    allowResponses: rights.allowResponses ?? false,
    inboxPrefix: inboxPrefixOf(name),
  });
  return {
    // The MQTT front: the only role that publishes the whole fabric and broker events, and
    // the only one that asks auth and acl.
    broker: role('broker', {
      publish: [
        Subjects.authAuthenticate,
        Subjects.aclAuthorize,
        `${FABRIC_SUBJECT_PREFIX}.>`,
        'mesh.broker.v1.events.>',
        // Replicas tell each other their interest and that they are alive.
        `${ReplicaSubjects.interestPrefix}.>`,
        `${ReplicaSubjects.heartbeatPrefix}.>`,
        ReplicaSubjects.clientClaim,
        `${ReplicaSubjects.sharedRedirectPrefix}.>`,
        // Retained messages and offline sessions live in buckets every replica shares.
        ...kvRead(Buckets.retained),
        ...kvWrite(Buckets.retained),
        ...kvCreate(Buckets.retained),
        ...kvRead(Buckets.sessions),
        ...kvWrite(Buckets.sessions),
        ...kvCreate(Buckets.sessions),
        ...kvRead(Buckets.wills),
        ...kvWrite(Buckets.wills),
        ...kvCreate(Buckets.wills),
        // Messages of offline persistent sessions, taken by the replica a client resumes on.
        `${SessionMessageStream.subjectPrefix}.>`,
        ...streamRead(SessionMessageStream.name),
        `${JS}.STREAM.CREATE.${SessionMessageStream.name}`,
        `${JS}.STREAM.UPDATE.${SessionMessageStream.name}`,
        `${JS}.STREAM.PURGE.${SessionMessageStream.name}`,
      ],
      subscribe: [
        `${FABRIC_SUBJECT_PREFIX}.>`,
        Subjects.aclChanged,
        Subjects.authRevoked,
        `${ReplicaSubjects.interestPrefix}.>`,
        `${ReplicaSubjects.heartbeatPrefix}.>`,
        ReplicaSubjects.clientClaim,
        `${ReplicaSubjects.sharedRedirectPrefix}.>`,
      ],
      // Answers other replicas' client id claims.
      allowResponses: true,
    }),
    // Reads credentials (and Oktopus's devices-auth when enabled); the only reader of
    // mesh.auth.> (CONNECT passwords travel there).
    auth: role('auth', {
      publish: [
        Subjects.authRevoked,
        ...kvRead(Buckets.credentials),
        ...kvCreate(Buckets.credentials),
        ...(devicesAuth ? kvRead(Buckets.oktopusDevicesAuth) : []),
      ],
      subscribe: [Subjects.authAuthenticate, ...MICRO_SERVICE_SUBJECTS],
      allowResponses: true,
    }),
    // Reads rules, answers decisions, announces rule changes to the brokers.
    acl: role('acl', {
      publish: [Subjects.aclChanged, ...kvRead(Buckets.acl), ...kvCreate(Buckets.acl)],
      subscribe: [Subjects.aclAuthorize, ...MICRO_SERVICE_SUBJECTS],
      allowResponses: true,
    }),
    // Reads agents' Records from the controller and api topics, writes only to agent and
    // status topics, keeps the endpoint registry, serves the controller API.
    'usp-router': role('usp-router', {
      publish: [
        ...filterToSubjects(`${p}/agent/#`),
        ...filterToSubjects(`${p}/status/#`),
        Subjects.uspAnswers,
        uspPresenceWildcard,
        uspNotifyWildcard,
        ...kvRead(Buckets.uspEndpoints),
        ...kvWrite(Buckets.uspEndpoints),
        ...kvCreate(Buckets.uspEndpoints),
        ...(oktopus ? OKTOPUS.toControllers : []),
      ],
      subscribe: [
        ...filterToSubjects(`${p}/controller/#`),
        ...filterToSubjects(`${p}/api/#`),
        brokerEventsWildcard,
        Subjects.uspSend,
        Subjects.uspEndpoints,
        Subjects.uspAnswers,
        ...MICRO_SERVICE_SUBJECTS,
        ...(oktopus ? OKTOPUS.fromControllers : []),
      ],
      allowResponses: true,
    }),
    // An application driving devices through the usp-router: requests, notifications and
    // presence, nothing of the MQTT fabric or the mesh's internals.
    controller: role('controller', {
      publish: [
        Subjects.uspSend,
        Subjects.uspEndpoints,
        ...(oktopus ? OKTOPUS.fromControllers : []),
        ...(devicesAuth
          ? [
              ...kvRead(Buckets.oktopusDevicesAuth),
              ...kvWrite(Buckets.oktopusDevicesAuth),
              ...kvCreate(Buckets.oktopusDevicesAuth),
            ]
          : []),
      ],
      subscribe: [
        uspNotifyWildcard,
        uspPresenceWildcard,
        ...(oktopus ? OKTOPUS.toControllers : []),
      ],
    }),
    // The CLI: accounts and rules, the registry, USP requests, `acl test`, service discovery.
    admin: role('admin', {
      publish: [
        ...kvRead(Buckets.credentials),
        ...kvWrite(Buckets.credentials),
        ...kvCreate(Buckets.credentials),
        ...kvRead(Buckets.acl),
        ...kvWrite(Buckets.acl),
        ...kvCreate(Buckets.acl),
        ...kvRead(Buckets.uspEndpoints),
        Subjects.aclAuthorize,
        Subjects.uspSend,
        Subjects.uspEndpoints,
        ...MICRO_SERVICE_SUBJECTS,
      ],
      subscribe: [],
    }),
  };
}

/** A NATS user of the bus: its role and how it authenticates. */
export type BusUser =
  | { readonly role: BusRole; readonly nkey: string }
  | { readonly role: BusRole; readonly user: string; readonly password: string };

// nats-server config strings are double-quoted; subjects and keys never hold '"' or '\'.
const quote = (value: string): string => {
  if (/["\\\n]/.test(value)) throw new RangeError('a bus config value holds a quote or newline');
  return `"${value}"`;
};
const list = (values: readonly string[]): string => `[${values.map(quote).join(', ')}]`;

/**
 * The nats-server (2.9 syntax) `authorization` block for these users, each with its role's
 * permissions. Anything not allowed is denied; a client without a valid user is refused.
 */
export function renderBusAuthorization(
  users: readonly BusUser[],
  permissions: Readonly<Record<BusRole, BusPermissions>>,
): string {
  const lines = ['authorization {', '  users = ['];
  for (const user of users) {
    const rights = permissions[user.role];
    const who =
      'nkey' in user
        ? `nkey: ${quote(user.nkey)}`
        : `user: ${quote(user.user)}, password: ${quote(user.password)}`;
    lines.push(
      `    { # ${user.role}`,
      `      ${who}`,
      '      permissions: {',
      `        publish: { allow: ${list(rights.publish)} }`,
      `        subscribe: { allow: ${list(rights.subscribe)} }`,
      ...(rights.allowResponses ? ['        allow_responses: { max: 1, expires: "1m" }'] : []),
      '      }',
      '    }',
    );
  }
  lines.push('  ]', '}');
  return `${lines.join('\n')}\n`;
}
