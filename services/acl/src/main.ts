// Wiring only: config → logger/telemetry → NATS → rules → serve → health → shutdown.
import { defaultUspRules } from '@octomesh/acl-rules';
import { connectNats, serve } from '@octomesh/nats-kit';
import {
  announceHealthPort,
  createLogger,
  exitWithParent,
  loadOrExit,
  natsSettings,
  onShutdown,
  shutdownNow,
  startHealthServer,
  startTelemetry,
} from '@octomesh/service-kit';
import { loadAclConfig } from './config.ts';
import { RuleBook } from './domain/rule-book.ts';
import { aclMetrics } from './metrics.ts';
import { followRules } from './rule-watch.ts';
import { aclService } from './service.ts';

exitWithParent();
const config = loadOrExit('acl', () => loadAclConfig());
const logger = createLogger('acl', config.LOG_LEVEL);
const telemetry = await startTelemetry({ serviceName: 'octomesh-acl' });
const nc = await connectNats({ ...natsSettings(config, 'octomesh-acl', 'acl'), logger });
const book = new RuleBook(
  config.ACL_DEFAULT_POLICY === 'usp' ? defaultUspRules(config.ACL_TOPIC_PREFIX) : [],
);
const watch = await followRules(nc, book, logger, config.NATS_KV_REPLICAS);
let following = true;
// Deciding with rules that no longer follow KV would ignore new deny rules: stop being ready
// and exit non-zero so the orchestrator restarts us with a fresh watch.
void watch.ended.then(({ expected, error }) => {
  if (expected) return;
  following = false;
  logger.fatal(
    { error: error instanceof Error ? error.message : undefined },
    'acl rule watch ended',
  );
  shutdownNow('acl rule watch ended');
});
const service = await serve(
  nc,
  aclService(
    book,
    config.ACL_CACHE_TTL_MS,
    config.ACL_MAX_CHECKS,
    config.ACL_MAX_IN_FLIGHT,
    logger,
  ),
  logger,
);
const health = await startHealthServer(config.HEALTH_HOST, config.HEALTH_PORT, {
  ready: () => following && service.isServing() && !nc.isClosed(),
  metrics: () => aclMetrics(service, book),
});
logger.info({ port: health.port, exporting: telemetry.exporting }, 'acl ready');
announceHealthPort(health.port);
onShutdown(logger, [
  { name: 'stop serving', run: () => service.stop() },
  { name: 'stop watching rules', run: () => Promise.resolve(watch.stop()) },
  { name: 'drain nats', run: () => nc.drain() },
  { name: 'close health', run: () => health.close() },
  { name: 'flush telemetry', run: () => telemetry.shutdown() },
]);
