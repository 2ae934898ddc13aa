// Wiring only: config → logger/telemetry → NATS → registry → the router's parts (presence,
// requests, inbound Records, Oktopus subjects) → serve → health → shutdown.
import { uspTopics } from '@octomesh/contracts';
import { connectNats, serve } from '@octomesh/nats-kit';
import {
  announceHealthPort,
  createLogger,
  exitWithParent,
  loadOrExit,
  natsSettings,
  onShutdown,
  startHealthServer,
  startTelemetry,
} from '@octomesh/service-kit';
import { loadRouterConfig } from './config.ts';
import { fabricPublisher, fabricReplicaName } from './fabric.ts';
import { InboundRecords } from './inbound.ts';
import { routerMetrics } from './metrics.ts';
import { startOktopusCompat } from './oktopus.ts';
import { Presence } from './presence.ts';
import { EndpointRegistry } from './registry.ts';
import { Requests } from './requests.ts';
import { newRouterCounters, type RouterParts } from './router-parts.ts';
import { routerService } from './service.ts';

exitWithParent();
const config = loadOrExit('usp-router', () => loadRouterConfig());
const logger = createLogger('usp-router', config.LOG_LEVEL);
const telemetry = await startTelemetry({ serviceName: 'octomesh-usp-router' });
const nc = await connectNats({
  ...natsSettings(config, 'octomesh-usp-router', 'usp-router'),
  logger,
});
const registry = await EndpointRegistry.open(nc, config.NATS_KV_REPLICAS);
const mirror = await registry.follow((error) =>
  logger.warn({ error: (error as Error).message }, 'endpoint mirror entry skipped'),
);
// Without the mirror, requests still work (read from KV), only slower; say so.
void mirror.ended.then(({ expected, error }) => {
  if (!expected)
    logger.error(
      { error: error instanceof Error ? error.message : undefined },
      'endpoint mirror watch ended; requests read KV',
    );
});
const publish = fabricPublisher(nc, fabricReplicaName(config.USP_ROUTER_REPLICA));
const parts: RouterParts = {
  nc,
  registry,
  publish,
  topics: uspTopics(config.USP_TOPIC_PREFIX),
  config,
  counters: newRouterCounters(),
  logger,
};
const oktopus = config.USP_OKTOPUS_COMPAT
  ? startOktopusCompat({ nc, registry, publish, prefix: config.USP_TOPIC_PREFIX, logger })
  : undefined;
const presence = new Presence({ ...parts, onPresence: oktopus?.observer.onPresence });
const requests = new Requests(parts);
const inbound = new InboundRecords({
  ...parts,
  presence,
  requests,
  onRecord: oktopus?.observer.onRecord,
});
requests.start();
presence.start();
inbound.start();
const stopLiveness =
  config.USP_LIVENESS_TIMEOUT_S > 0
    ? presence.startLiveness(
        config.USP_LIVENESS_TIMEOUT_S * 1000,
        Math.min(60_000, (config.USP_LIVENESS_TIMEOUT_S * 1000) / 4),
      )
    : () => undefined;
const service = await serve(nc, routerService(requests, registry, config.USP_MAX_PENDING), logger);
const health = await startHealthServer(config.HEALTH_HOST, config.HEALTH_PORT, {
  ready: () => service.isServing() && !nc.isClosed(),
  metrics: () => routerMetrics(parts.counters, requests.pending, oktopus?.counters),
});
logger.info(
  {
    port: health.port,
    controllers: config.USP_CONTROLLER_IDS,
    oktopusCompat: config.USP_OKTOPUS_COMPAT,
    exporting: telemetry.exporting,
  },
  'usp-router ready',
);
announceHealthPort(health.port);
onShutdown(logger, [
  { name: 'stop serving', run: () => service.stop() },
  { name: 'stop liveness', run: () => Promise.resolve(stopLiveness()) },
  { name: 'stop oktopus subjects', run: () => Promise.resolve(oktopus?.stop()) },
  { name: 'stop inbound records', run: () => Promise.resolve(inbound.stop()) },
  { name: 'stop presence', run: () => Promise.resolve(presence.stop()) },
  { name: 'stop requests', run: () => Promise.resolve(requests.stop()) },
  { name: 'stop endpoint mirror', run: () => Promise.resolve(mirror.stop()) },
  { name: 'drain nats', run: () => nc.drain() },
  { name: 'close health', run: () => health.close() },
  { name: 'flush telemetry', run: () => telemetry.shutdown() },
]);
