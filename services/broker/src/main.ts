// Wiring only: config → logger/telemetry → NATS → engine (deciders, events) → listeners →
// rule-change subscription → health → shutdown.
import { mesh, Subjects } from '@octomesh/contracts';
import { randomUUID } from 'node:crypto';
import { Engine, LocalFabric, MemorySessionStore } from '@octomesh/mqtt-engine';
import { connectNats, natsConnected } from '@octomesh/nats-kit';
import {
  announceHealthPort,
  announceListeners,
  createLogger,
  exitWithParent,
  loadOrExit,
  natsSettings,
  onShutdown,
  startHealthServer,
  startTelemetry,
} from '@octomesh/service-kit';
import { loadBrokerConfig } from './config.ts';
import { natsDeciders } from './deciders.ts';
import { brokerEvents, keepingWills, publishRescuedDisconnect } from './events.ts';
import { ClientIdClaims } from './client-claims.ts';
import { NatsFabric } from './fabric.ts';
import { NatsRetainedStore } from './nats-retained-store.ts';
import { NatsSessionStore } from './nats-session-store.ts';
import { NatsSessionMessages } from './nats-session-messages.ts';
import { importRetained } from './retained-import.ts';
import { startSessionSweeper } from './session-sweeper.ts';
import { WillKeeper } from './live-clients.ts';
import { listenerSpecs } from './listener-specs.ts';
import { startListener } from './listeners/index.ts';
import { brokerMetrics } from './metrics.ts';

exitWithParent();
const config = loadOrExit('broker', () => loadBrokerConfig());
const specs = loadOrExit('broker', () => listenerSpecs(config));
const logger = createLogger('broker', config.LOG_LEVEL);
const telemetry = await startTelemetry({ serviceName: 'octomesh-broker' });
if (config.ALLOW_ANONYMOUS) {
  logger.warn(
    'ALLOW_ANONYMOUS is on: clients without credentials connect with role anonymous (development only)',
  );
}
const nc = await connectNats({ ...natsSettings(config, 'octomesh-broker', 'broker'), logger });
// The fabric tells replicas apart by a per-process id: two replicas may share a host name. Its
// publishes and plain subscriptions use a second connection with noEcho, so this replica never
// receives its own messages back (fabric.ts).
const replica = `${config.BROKER_REPLICA}/${randomUUID().slice(0, 8)}`;
const fabricNc =
  config.MQTT_FABRIC === 'nats'
    ? await connectNats({
        ...natsSettings(config, 'octomesh-broker-fabric', 'broker'),
        logger,
        noEcho: true,
      })
    : undefined;
const fabric =
  fabricNc !== undefined
    ? new NatsFabric({
        nc: fabricNc,
        sharedNc: nc,
        replica,
        logger,
        exportFilters: config.MQTT_FABRIC_EXPORT ?? [
          `${config.USP_TOPIC_PREFIX}/controller/#`,
          `${config.USP_TOPIC_PREFIX}/api/#`,
        ],
        wideFilters: config.MQTT_FABRIC_WIDE ?? [`${config.USP_TOPIC_PREFIX}/agent/#`],
        heartbeatMs: config.MQTT_REPLICA_HEARTBEAT_MS,
        // A dead replica's clients: their wills and disconnected events come from the survivors.
        // Cut off long enough to be taken for gone: claim our clients' sessions back.
        onLongOutage: () => void reassertSessions(),
        onPeerGone: (gone) => {
          void rescueWills(gone);
          void adoptSessions(gone);
        },
        peerTimeoutMs: Math.round(config.MQTT_REPLICA_HEARTBEAT_MS * 3.5),
        maxHeldMessages: config.MQTT_FABRIC_HOLD_MESSAGES,
        maxHeldBytes: config.MQTT_FABRIC_HOLD_MB * 1024 * 1024,
      })
    : new LocalFabric();
// Persistent sessions live in KV, shared by replicas; a client id is claimed from the other
// replicas before it is attached here (client-claims.ts).
const sessionStore =
  config.MQTT_SESSION_STORE === 'nats'
    ? await NatsSessionStore.open(nc, {
        maxSessions: config.MQTT_MAX_STORED_SESSIONS,
        replica,
        logger,
        bucketReplicas: config.NATS_KV_REPLICAS,
        // Sessions a dead replica saved as connected start their expiry when the sweeper sees them.
        isLive: (owner) =>
          owner === replica ||
          (fabric instanceof NatsFabric && fabric.interestOfPeers.known(owner)),
      })
    : new MemorySessionStore(config.MQTT_MAX_STORED_SESSIONS);
// Their QoS 1/2 messages while offline live in a stream, taken by the replica they resume on.
const sessionMessages =
  config.MQTT_SESSION_STORE === 'nats'
    ? await NatsSessionMessages.open(nc, {
        logger,
        replica,
        maxPerSession: config.MQTT_MAX_QUEUED,
        maxBytes: config.MQTT_SESSION_MESSAGES_MB * 1024 * 1024,
        maxAgeSeconds: config.MQTT_MAX_SESSION_EXPIRY,
        replicas: config.NATS_KV_REPLICAS,
      })
    : undefined;
// Retained messages live in KV, shared by replicas; presence the usp-router announces straight
// on NATS is kept there too (retained-import.ts).
const retained =
  config.MQTT_RETAINED_STORE === 'nats'
    ? await NatsRetainedStore.open(nc, { logger, replicas: config.NATS_KV_REPLICAS })
    : undefined;
const retainedImport =
  retained !== undefined
    ? importRetained(
        nc,
        retained,
        config.MQTT_RETAINED_IMPORT ?? [`${config.USP_TOPIC_PREFIX}/status/#`],
        logger,
      )
    : undefined;
// Wills of connected clients in KV, so the survivors send them if this replica dies.
const wills =
  fabric instanceof NatsFabric
    ? await WillKeeper.open(nc, { replica, logger, bucketReplicas: config.NATS_KV_REPLICAS })
    : undefined;
const claims =
  fabric instanceof NatsFabric
    ? new ClientIdClaims({ nc, replica, logger, peers: () => fabric.interestOfPeers.peers() })
    : undefined;
async function rescueWills(gone: string): Promise<void> {
  try {
    await wills?.rescue(gone, {
      publish: (message) => engine.publish(message),
      disconnected: (record) => publishRescuedDisconnect(nc, gone, record),
      // A client that resumed its session on a live replica cancels its delayed will.
      ...(sessionStore instanceof NatsSessionStore
        ? {
            stillAway: async (clientId: string) => {
              const holder = await sessionStore.holder(clientId);
              // Connected on another replica (a survivor adopting it offline does not count).
              return !(holder?.kind === 'session' && holder.connected && holder.owner !== gone);
            },
          }
        : {}),
    });
  } catch (error) {
    logger.error(
      { replica: gone, error: (error as Error).message },
      'wills of a dead replica not read',
    );
  }
}
async function reassertSessions(): Promise<void> {
  // Claims and the session stream go over the main connection, which reconnects on its own
  // schedule: wait for it (bounded), then try a few times.
  for (let waited = 0; !natsConnected(nc) && waited < 60_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The survivors sent and deleted our clients' will records: record them again.
  for (const connection of engine.connections.values()) wills?.keep(connection);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const { reasserted, failed } = await engine.reassertSessions();
    logger.info({ reasserted, failed, attempt }, 'sessions reasserted after a long NATS outage');
    if (failed === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
// A dead replica's persistent sessions: the survivors take them over (one each, by a
// compare-and-set in KV), so messages for them are kept until their clients resume.
async function adoptSessions(gone: string): Promise<void> {
  if (!(sessionStore instanceof NatsSessionStore) || sessionMessages === undefined) return;
  try {
    let adopted = 0;
    const won = await sessionStore.adoptFrom(gone, {
      maxEntries: config.MQTT_MAX_STORED_SESSIONS * 2,
      // Each one held here as soon as it is won: its messages are kept from then on.
      onAdopted: (stored) => {
        if (engine.adopt(stored)) adopted++;
      },
    });
    if (won.length > 0) {
      logger.info({ replica: gone, adopted }, 'sessions of a dead replica taken over');
    }
  } catch (error) {
    logger.error(
      { replica: gone, error: (error as Error).message },
      'sessions of a dead replica not taken over: they wait for their clients',
    );
  }
}
const engine = new Engine({
  fabric,
  sessionStore,
  ...(sessionMessages !== undefined ? { sessionMessages } : {}),
  ...(retained !== undefined ? { retained } : {}),
  ...(claims !== undefined
    ? {
        claimClientId: (clientId: string, cleanStart: boolean) =>
          claims.claim(clientId, cleanStart),
      }
    : {}),
  deciders: natsDeciders(nc, {
    timeoutMs: config.MQTT_DECIDER_TIMEOUT_MS,
    allowAnonymous: config.ALLOW_ANONYMOUS,
  }),
  logger,
  uspTopicPrefix: config.USP_TOPIC_PREFIX,
  clientIdPolicy: config.MQTT_CLIENT_ID_TEMPLATES,
  roleQuotas: config.MQTT_ROLE_LIMITS,
  limits: {
    connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
    maxPacketSize: config.MQTT_MAX_PACKET_SIZE,
    receiveMaximum: config.MQTT_RECEIVE_MAXIMUM,
    maxInflightMessages: config.MQTT_MAX_INFLIGHT,
    maximumQoS: config.MQTT_MAXIMUM_QOS as 0 | 1 | 2,
    retainAvailable: config.MQTT_RETAIN_AVAILABLE,
    wildcardSubscriptionAvailable: config.MQTT_WILDCARD_SUBSCRIPTIONS,
    subscriptionIdentifiersAvailable: config.MQTT_SUBSCRIPTION_IDENTIFIERS,
    sharedSubscriptionAvailable: config.MQTT_SHARED_SUBSCRIPTIONS,
    maxKeepAliveSeconds: config.MQTT_MAX_KEEPALIVE,
    topicAliasMaximum: config.MQTT_TOPIC_ALIAS_MAXIMUM,
    maxQueuedMessages: config.MQTT_MAX_QUEUED,
    deciderTimeoutMs: config.MQTT_DECIDER_TIMEOUT_MS,
    maxSessionExpirySeconds: config.MQTT_MAX_SESSION_EXPIRY,
    maxPublishRate: config.MQTT_MAX_PUBLISH_RATE,
    publishBurst: config.MQTT_PUBLISH_BURST,
    sysIntervalSeconds: config.SYS_INTERVAL_SECONDS,
    writeBufferBytes: config.MQTT_WRITE_BUFFER_KB * 1024,
    publisherWaitMs: config.MQTT_PUBLISHER_WAIT_MS,
    memoryLimitBytes: config.MQTT_MEMORY_LIMIT_MB * 1024 * 1024,
    maxConnectionsPerAddress: config.MQTT_MAX_CONNECTIONS_PER_ADDRESS,
    connectRatePerAddress: config.MQTT_CONNECT_RATE_PER_ADDRESS,
    connectBurstPerAddress: config.MQTT_CONNECT_BURST_PER_ADDRESS,
  },
});
const events = brokerEvents(nc, config.BROKER_REPLICA);
engine.events = wills === undefined ? events : keepingWills(events, wills);
claims?.answer(engine);
const sweeper =
  sessionStore instanceof NatsSessionStore
    ? startSessionSweeper(sessionStore, { intervalMs: 60_000, logger })
    : undefined;
// Rule changes drop every cached verdict and re-check every session's subscriptions.
const ruleChanges = nc.subscribe(Subjects.aclChanged, {
  callback: () => void engine.rulesChanged(),
});
// A changed or removed account loses its live connections here at once (0x98).
const revocations = nc.subscribe(Subjects.authRevoked, {
  callback: (_error, msg) => {
    try {
      const { username, reason } = mesh.auth.v1.AccountRevoked.decode(msg.data);
      if (username === '') throw new Error('no username');
      engine.revokeAccount(username, reason, reason === 'removed');
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'invalid revocation ignored');
    }
  },
});
const listeners = await Promise.all(
  specs.map((spec) =>
    startListener(spec, (stream, meta) => engine.accept(stream, meta), logger, {
      maxConnections: config.MQTT_MAX_CONNECTIONS,
      handshakeTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
      // A WebSocket frame carries one MQTT packet: the WebSocket limit follows ours.
      maxWebSocketPayloadBytes: Math.max(config.MQTT_MAX_PACKET_SIZE, 1 << 20),
    }),
  ),
);
for (const listener of listeners)
  logger.info({ listener: listener.name, port: listener.port }, 'listening');
announceListeners(Object.fromEntries(listeners.map((l) => [l.name, l.port])));
const health = await startHealthServer(config.HEALTH_HOST, config.HEALTH_PORT, {
  ready: () => natsConnected(nc) && (fabricNc === undefined || natsConnected(fabricNc)),
  // During a NATS outage the broker keeps serving its connected clients on this replica; new
  // CONNECTs cannot be authenticated and other replicas are out of reach until NATS is back.
  degraded: () =>
    natsConnected(nc) && (fabricNc === undefined || natsConnected(fabricNc))
      ? []
      : [
          'nats disconnected (reconnecting): connected clients keep being served here; new CONNECTs are refused (0x88), other replicas and the usp-router are out of reach until NATS is back',
        ],
  metrics: () =>
    brokerMetrics(
      engine,
      listeners,
      fabric instanceof NatsFabric ? fabric : undefined,
      wills,
      sessionMessages,
    ),
});
logger.info({ port: health.port, exporting: telemetry.exporting }, 'broker ready');
announceHealthPort(health.port);
onShutdown(logger, [
  {
    name: 'close listeners',
    run: async () => void (await Promise.all(listeners.map((l) => l.close()))),
  },
  { name: 'disconnect clients', run: () => Promise.resolve(engine.closeAll()) },
  // Persistent sessions' unacknowledged and queued messages go to the stream before NATS does.
  { name: 'store offline messages', run: () => engine.persisted() },
  { name: 'stop rule changes', run: () => Promise.resolve(ruleChanges.unsubscribe()) },
  { name: 'stop revocations', run: () => Promise.resolve(revocations.unsubscribe()) },
  { name: 'stop session sweeper', run: () => Promise.resolve(sweeper?.stop()) },
  { name: 'stop will timers', run: () => Promise.resolve(wills?.close()) },
  { name: 'stop retained import', run: () => Promise.resolve(retainedImport?.stop()) },
  { name: 'stop client id claims', run: () => Promise.resolve(claims?.close()) },
  { name: 'close fabric', run: () => fabric.close() },
  { name: 'drain nats', run: () => nc.drain() },
  { name: 'drain fabric nats', run: () => fabricNc?.drain() ?? Promise.resolve() },
  { name: 'close health', run: () => health.close() },
  { name: 'flush telemetry', run: () => telemetry.shutdown() },
]);
