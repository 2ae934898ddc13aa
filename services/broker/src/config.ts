import { validateTopicFilter } from '@octomesh/acl-rules';
// Configuration of the broker service, from the environment; every problem is reported at once.
import { hostname } from 'node:os';
import { DEFAULT_TOPIC_PREFIX, validateTopicPrefix } from '@octomesh/contracts';
import {
  DEFAULT_LIMITS,
  DEFAULT_ROLE_QUOTAS,
  parseClientIdPolicy,
  parseRoleQuotas,
} from '@octomesh/mqtt-engine';
import { baseServiceSpec, env, readConfig, type ConfigOf } from '@octomesh/service-kit';
import { parseCidrList, parseOriginList, reusePortSupported } from './listeners/index.ts';

const port = (what: string, fallback: number) =>
  env.int(`${what} port (0 picks a free one)`, fallback, 0, 65535);

/** Listener kinds. */
export const LISTENER_KINDS = ['mqtt', 'mqtts', 'ws', 'wss'] as const;
/** One of {@link LISTENER_KINDS}. */
export type ListenerKind = (typeof LISTENER_KINDS)[number];

/** A comma-separated list of valid topic filters. */
function topicFilterList(raw: string): string[] {
  const filters = raw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (filters.length === 0) throw new Error('no filter given');
  for (const filter of filters) {
    const problem = validateTopicFilter(filter);
    if (problem !== undefined) throw new Error(`${JSON.stringify(filter)}: ${problem}`);
  }
  return filters;
}

const spec = {
  ...baseServiceSpec(8083),
  BROKER_REPLICA: env.string('name of this replica in events', hostname()),
  MQTT_FABRIC_EXPORT: env.optional<string[]>(
    'comma-separated topic filters whose messages always go to NATS, whoever subscribes (default: the USP controller and api topics the usp-router reads); other messages go to NATS when another replica has a matching subscription',
    topicFilterList,
  ),
  MQTT_FABRIC_WIDE: env.optional<string[]>(
    'comma-separated topic filters under which this replica subscribes on NATS once instead of per client filter (default: the USP agent topics, one per device)',
    topicFilterList,
  ),
  MQTT_REPLICA_HEARTBEAT_MS: env.int(
    "how often replicas tell each other they are alive; one silent for 3.5 beats is suspect (claims stop waiting for it), for 7 gone (its interest dropped, its clients' wills sent)",
    1000,
    50,
    60_000,
  ),
  MQTT_FABRIC_HOLD_MESSAGES: env.int(
    'messages for other replicas held while NATS is away (in order, sent once it and the peers are back); past it QoS 1/2 PUBLISHes are refused (0x97) and QoS 0 copies dropped',
    100_000,
    0,
    10_000_000,
  ),
  MQTT_FABRIC_HOLD_MB: env.int(
    'payload megabytes held for other replicas while NATS is away (see MQTT_FABRIC_HOLD_MESSAGES)',
    64,
    0,
    4096,
  ),
  MQTT_SESSION_MESSAGES_MB: env.int(
    "megabytes the JetStream stream of offline sessions' QoS 1/2 messages may hold (with MQTT_SESSION_STORE=nats); past it new ones are refused and stay in the memory of the replica holding the session",
    1024,
    1,
    1_048_576,
  ),
  MQTT_SESSION_STORE: env.oneOf(
    'where persistent sessions wait while no replica holds them: nats (KV bucket mqtt-sessions, shared by replicas, survives restarts) or memory (this process)',
    ['nats', 'memory'] as const,
    'nats',
  ),
  MQTT_RETAINED_STORE: env.oneOf(
    'where retained messages live: nats (KV bucket mqtt-retained, shared by replicas, survives restarts) or memory (this process)',
    ['nats', 'memory'] as const,
    'nats',
  ),
  MQTT_RETAINED_IMPORT: env.optional<string[]>(
    'comma-separated topic filters whose retained messages other services publish straight on NATS and the broker keeps (default: <prefix>/status/#, the usp-router presence)',
    topicFilterList,
  ),
  MQTT_MAX_STORED_SESSIONS: env.int(
    'persistent sessions the store may hold (a CONNECT that would add one more gets 0x97)',
    1_000_000,
    1,
    100_000_000,
  ),
  MQTT_FABRIC: env.oneOf(
    'how messages reach other replicas and the usp-router: nats (mqtt.msg.* subjects, by interest) or local (this replica only)',
    ['nats', 'local'] as const,
    'nats',
  ),
  MQTT_HOST: env.string('address the MQTT listeners bind', '0.0.0.0'),
  MQTT_REUSE_PORT: env.bool(
    'listeners bind with SO_REUSEPORT, so several broker processes on this host share the ports and the kernel spreads connections over them (octomesh up --broker-replicas)',
    false,
  ),
  LISTENERS: env.optional<ListenerKind[]>(
    'comma-separated listeners to open: mqtt, mqtts, ws, wss (default mqtt,ws plus mqtts when TLS files are set)',
    (raw) => {
      const kinds = raw
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      const unknown = kinds.filter((k) => !(LISTENER_KINDS as readonly string[]).includes(k));
      if (unknown.length > 0)
        throw new Error(
          `unknown listeners ${unknown.join(', ')}; use ${LISTENER_KINDS.join(', ')}`,
        );
      if (kinds.length === 0) throw new Error('no listener named');
      return [...new Set(kinds)] as ListenerKind[];
    },
  ),
  MQTT_PORT: port('MQTT over TCP', 1883),
  MQTTS_PORT: port('MQTT over TLS', 8883),
  WS_PORT: port('MQTT over WebSocket', 8080),
  WSS_PORT: port('MQTT over secure WebSocket', 8443),
  WS_PATH: env.string('WebSocket path', '/mqtt'),
  WS_ALLOWED_ORIGINS: env.custom(
    'comma-separated origins (https://console.example.com) whose browser pages may open the WebSocket, * for any (default none: upgrades with an Origin header get 403; clients sending none are accepted)',
    parseOriginList,
    [] as string[],
  ),
  TLS_CERT_FILE: env.optionalString('PEM server certificate (chain)'),
  TLS_KEY_FILE: env.optionalString('PEM private key of the server certificate'),
  TLS_CA_FILE: env.optionalString('PEM CA that client certificates must chain to (mTLS)'),
  TLS_REQUIRE_CLIENT_CERT: env.bool(
    'TLS clients must present a certificate signed by TLS_CA_FILE',
    false,
  ),
  PROXY_PROTOCOL: env.bool(
    'listeners expect a PROXY protocol v1/v2 header from the peers in PROXY_TRUSTED_CIDRS (behind a load balancer)',
    false,
  ),
  PROXY_TRUSTED_CIDRS: env.optional<string[]>(
    'comma-separated CIDRs of the load balancers allowed to send a PROXY header (10.0.0.0/8, 2001:db8::/32); required with PROXY_PROTOCOL',
    parseCidrList,
  ),
  ALLOW_ANONYMOUS: env.bool(
    'development only: clients without credentials get role anonymous',
    false,
  ),
  MQTT_CLIENT_ID_TEMPLATES: env.custom(
    'client ids per role, role=template|template;… with %u username and %e endpoint id (a role not listed, or listed with none, may use any id)',
    parseClientIdPolicy,
    parseClientIdPolicy('device=%u|%e'),
  ),
  MQTT_ROLE_LIMITS: env.custom(
    'quotas per role over the defaults, role:key=value,…;… (keys publish_rate, publish_burst, subscriptions, connections, sessions, session_expiry, retained, retained_bytes, topic_bytes, topic_levels)',
    (raw) => parseRoleQuotas(raw),
    DEFAULT_ROLE_QUOTAS,
  ),
  MQTT_MAX_CONNECTIONS_PER_ADDRESS: env.int(
    'open connections from one source address before CONNACK 0x97 (0 = no limit)',
    DEFAULT_LIMITS.maxConnectionsPerAddress,
    0,
    10_000_000,
  ),
  MQTT_CONNECT_RATE_PER_ADDRESS: env.int(
    'CONNECTs per second from one source address before CONNACK 0x9F (0 = no limit)',
    DEFAULT_LIMITS.connectRatePerAddress,
    0,
    1_000_000,
  ),
  MQTT_CONNECT_BURST_PER_ADDRESS: env.int(
    'CONNECTs at once from one source address above the rate',
    DEFAULT_LIMITS.connectBurstPerAddress,
    1,
    1_000_000,
  ),
  USP_TOPIC_PREFIX: env.custom(
    'USP topic prefix told to agents in CONNACK',
    (raw) => {
      const problem = validateTopicPrefix(raw);
      if (problem !== undefined) throw new Error(problem);
      return raw;
    },
    DEFAULT_TOPIC_PREFIX,
  ),
  MQTT_MAX_CONNECTIONS: env.int('connections per listener', 50_000, 1, 10_000_000),
  MQTT_CONNECT_TIMEOUT_MS: env.int(
    'time a new connection has to send CONNECT',
    DEFAULT_LIMITS.connectTimeoutMs,
    100,
    600_000,
  ),
  MQTT_MAX_PACKET_SIZE: env.int(
    'largest packet accepted (bytes)',
    DEFAULT_LIMITS.maxPacketSize,
    64,
    268_435_455,
  ),
  MQTT_RECEIVE_MAXIMUM: env.int(
    'QoS 1/2 messages a client may have unacknowledged towards us',
    DEFAULT_LIMITS.receiveMaximum,
    1,
    65_535,
  ),
  MQTT_MAX_INFLIGHT: env.int(
    'QoS 1/2 messages unacknowledged towards one client (its Receive Maximum when lower)',
    DEFAULT_LIMITS.maxInflightMessages,
    1,
    65_535,
  ),
  MQTT_MAXIMUM_QOS: env.int('highest QoS offered (CONNACK Maximum QoS)', 2, 0, 2),
  MQTT_RETAIN_AVAILABLE: env.bool('retained messages offered', true),
  MQTT_WILDCARD_SUBSCRIPTIONS: env.bool('wildcard subscriptions offered', true),
  MQTT_SUBSCRIPTION_IDENTIFIERS: env.bool('subscription identifiers offered', true),
  MQTT_SHARED_SUBSCRIPTIONS: env.bool('shared subscriptions offered', true),
  MQTT_MAX_KEEPALIVE: env.int(
    'highest keep alive accepted (seconds)',
    DEFAULT_LIMITS.maxKeepAliveSeconds,
    1,
    65_535,
  ),
  MQTT_TOPIC_ALIAS_MAXIMUM: env.int(
    'topic aliases a client may use',
    DEFAULT_LIMITS.topicAliasMaximum,
    0,
    65_535,
  ),
  MQTT_MAX_QUEUED: env.int(
    'messages queued per session',
    DEFAULT_LIMITS.maxQueuedMessages,
    1,
    1_000_000,
  ),
  MQTT_DECIDER_TIMEOUT_MS: env.int(
    'deadline for auth and acl answers',
    DEFAULT_LIMITS.deciderTimeoutMs,
    50,
    60_000,
  ),
  MQTT_MAX_SESSION_EXPIRY: env.int(
    'longest session expiry granted (seconds)',
    DEFAULT_LIMITS.maxSessionExpirySeconds,
    0,
    4_294_967_295,
  ),
  MQTT_MAX_PUBLISH_RATE: env.int(
    'PUBLISHes per second handled per client; past it they wait and the socket is paused (0 = unlimited)',
    DEFAULT_LIMITS.maxPublishRate,
    0,
    1_000_000,
  ),
  MQTT_PUBLISH_BURST: env.int(
    'PUBLISHes a client may send at once above the rate',
    DEFAULT_LIMITS.publishBurst,
    1,
    1_000_000,
  ),
  MQTT_WRITE_BUFFER_KB: env.int(
    'unsent KiB a connection may hold before deliveries wait in its session queue',
    DEFAULT_LIMITS.writeBufferBytes / 1024,
    4,
    65_536,
  ),
  MQTT_PUBLISHER_WAIT_MS: env.int(
    'how long a QoS 1/2 PUBLISH waits for backed-up subscribers before its acknowledgement',
    DEFAULT_LIMITS.publisherWaitMs,
    0,
    600_000,
  ),
  MQTT_MEMORY_LIMIT_MB: env.int(
    'memory (heap + buffers, MiB) past which new CONNECTs get 0x89 and QoS 0 is shed (0 = off)',
    DEFAULT_LIMITS.memoryLimitBytes / (1024 * 1024),
    0,
    1_048_576,
  ),
  SYS_INTERVAL_SECONDS: env.int(
    'seconds between $SYS statistics (0 = none)',
    DEFAULT_LIMITS.sysIntervalSeconds,
    0,
    3600,
  ),
};

/** The broker's settings. */
export type BrokerConfig = ConfigOf<typeof spec>;

/** Reads and checks the settings. */
export function loadBrokerConfig(source: NodeJS.ProcessEnv = process.env): BrokerConfig {
  return readConfig(spec, source, (config) => {
    const problems: string[] = [];
    const kinds = listenerKinds(config);
    const tls = config.TLS_CERT_FILE !== undefined && config.TLS_KEY_FILE !== undefined;
    if (kinds.some((k) => k === 'mqtts' || k === 'wss') && !tls) {
      problems.push('TLS listeners (mqtts, wss) need both TLS_CERT_FILE and TLS_KEY_FILE');
    }
    if (config.TLS_REQUIRE_CLIENT_CERT && config.TLS_CA_FILE === undefined) {
      problems.push('TLS_REQUIRE_CLIENT_CERT needs TLS_CA_FILE');
    }
    // Trusting every peer's header would let anyone choose its source address per attempt
    // and walk around the per-address brute-force limits (issue 9 §5).
    if (config.PROXY_PROTOCOL && config.PROXY_TRUSTED_CIDRS === undefined) {
      problems.push(
        'PROXY_PROTOCOL=true needs PROXY_TRUSTED_CIDRS: the comma-separated CIDRs of the load balancers allowed to send a PROXY header (for example 10.0.0.0/8)',
      );
    }
    if (!config.PROXY_PROTOCOL && config.PROXY_TRUSTED_CIDRS !== undefined) {
      problems.push('PROXY_TRUSTED_CIDRS is set but PROXY_PROTOCOL is not true');
    }
    if (config.MQTT_REUSE_PORT && !reusePortSupported()) {
      problems.push(
        `MQTT_REUSE_PORT=true needs SO_REUSEPORT, which Node does not offer on ${process.platform} (Linux, FreeBSD, Solaris and AIX have it): run one broker per host there`,
      );
    }
    return problems;
  });
}

/** The listeners to open: LISTENERS, or mqtt and ws plus mqtts when TLS files are set. */
export function listenerKinds(
  config: Pick<BrokerConfig, 'LISTENERS' | 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>,
): ListenerKind[] {
  if (config.LISTENERS !== undefined) return config.LISTENERS;
  const tls = config.TLS_CERT_FILE !== undefined && config.TLS_KEY_FILE !== undefined;
  return tls ? ['mqtt', 'ws', 'mqtts'] : ['mqtt', 'ws'];
}
