// Wiring only: config → logger → NATS → rules → serve → health → shutdown.
import { defaultUspRules } from '@octomesh/acl-rules';
import { connectNats, serve } from '@octomesh/nats-kit';
import {
  announceHealthPort,
  createLogger,
  onShutdown,
  renderMetrics,
  startHealthServer,
  shutdownNow,
  exitWithParent,
  startTelemetry,
} from '@octomesh/service-kit';

exitWithParent();
import { loadAclConfig } from './config.ts';
import { RuleBook } from './domain/rule-book.ts';
import { followRules } from './rule-watch.ts';
import { aclService } from './service.ts';

const config = (() => {
  try {
    return loadAclConfig();
  } catch (error) {
    process.stderr.write(`acl: ${(error as Error).message}\n`);
    process.exit(2);
  }
})();
const logger = createLogger('acl', config.LOG_LEVEL);
const telemetry = await startTelemetry({ serviceName: 'octomesh-acl' });
logger.info({ exporting: telemetry.exporting }, 'telemetry started');
const nc = await connectNats({
  servers: config.NATS_URL,
  name: 'octomesh-acl',
  logger,
  ...(config.NATS_USER !== undefined ? { user: config.NATS_USER } : {}),
  ...(config.NATS_PASSWORD !== undefined ? { pass: config.NATS_PASSWORD } : {}),
  ...(config.NATS_TOKEN !== undefined ? { token: config.NATS_TOKEN } : {}),
});
const book = new RuleBook(
  config.ACL_DEFAULT_POLICY === 'usp' ? defaultUspRules(config.ACL_TOPIC_PREFIX) : [],
);
const watch = await followRules(nc, book, logger);
let following = true;
// Deciding with rules that no longer follow KV would ignore new deny rules: stop being ready
// and exit so the orchestrator restarts us with a fresh watch.
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
  metrics: () => {
    const c = service.counters('authorize');
    return renderMetrics([
      {
        name: 'octomesh_acl_requests_total',
        help: 'authorize requests',
        type: 'counter',
        samples: [{ value: c.requests }],
      },
      {
        name: 'octomesh_acl_errors_total',
        help: 'authorize requests answered with an error',
        type: 'counter',
        samples: [{ value: c.errors }],
      },
      {
        name: 'octomesh_acl_rules',
        help: 'rules in force',
        type: 'gauge',
        samples: [{ value: book.ruleSet.size }],
      },
      {
        name: 'octomesh_acl_invalid_rules',
        help: 'stored rules ignored as invalid',
        type: 'gauge',
        samples: [{ value: book.invalid.size }],
      },
    ]);
  },
});
logger.info({ port: health.port }, 'health listening');
announceHealthPort(health.port);
onShutdown(logger, [
  { name: 'stop serving', run: () => service.stop() },
  { name: 'stop watching rules', run: () => Promise.resolve(watch.stop()) },
  { name: 'drain nats', run: () => nc.drain() },
  { name: 'close health', run: () => health.close() },
  { name: 'flush telemetry', run: () => telemetry.shutdown() },
]);
