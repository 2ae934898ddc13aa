// Wiring only: config → logger/telemetry → NATS → domain → serve → health → shutdown.
import { VerificationCache } from '@octomesh/credentials';
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
import { loadAuthConfig } from './config.ts';
import { KvCredentialStore } from './credential-store.ts';
import { Authenticator } from './domain/authenticator.ts';
import { LoginLimiter } from './domain/login-limiter.ts';
import { authMetrics } from './metrics.ts';
import { announceRevocations } from './revocations.ts';
import { authService } from './service.ts';

exitWithParent();
const config = loadOrExit('auth', () => loadAuthConfig());
const logger = createLogger('auth', config.LOG_LEVEL);
const telemetry = await startTelemetry({ serviceName: 'octomesh-auth' });
if (config.AUTH_OKTOPUS_DEVICES_AUTH) {
  logger.warn(
    'oktopus devices-auth migration is on: plaintext passwords from devices-auth are accepted',
  );
}
const nc = await connectNats({ ...natsSettings(config, 'octomesh-auth', 'auth'), logger });
const store = await KvCredentialStore.open(
  nc,
  logger,
  config.AUTH_OKTOPUS_DEVICES_AUTH,
  config.NATS_KV_REPLICAS,
);
const cache =
  config.AUTH_CACHE_MAX_ENTRIES === 0
    ? undefined
    : new VerificationCache({
        maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
        ttlMs: config.AUTH_CACHE_TTL_MS,
      });
const authenticator = new Authenticator(store, {
  certificateMapping: config.AUTH_CERT_MAPPING,
  certificateRole: config.AUTH_CERT_ROLE,
  certificateRequiresPassword: config.AUTH_CERT_REQUIRE_PASSWORD,
  cache,
  limiter: new LoginLimiter({
    maxEntries: config.AUTH_LIMIT_MAX_ENTRIES,
    pairFreeFailures: config.AUTH_LIMIT_FREE_FAILURES,
    addressFreeFailures: config.AUTH_LIMIT_ADDRESS_FREE_FAILURES,
    baseDelayMs: config.AUTH_LIMIT_BASE_DELAY_MS,
    maxDelayMs: config.AUTH_LIMIT_MAX_DELAY_MS,
    windowMs: config.AUTH_LIMIT_WINDOW_MS,
  }),
  onLegacyUse: (username) => logger.warn({ username }, 'legacy oktopus credential used'),
});
const revocations = await announceRevocations(nc, store.bucket, cache, logger);
let revoking = true;
void revocations.ended.then(({ expected, error }) => {
  revoking = false;
  if (!expected)
    logger.error(
      { error: (error as Error | undefined)?.message },
      'credentials watch ended: account changes no longer revoke connections',
    );
});
const service = await serve(
  nc,
  authService(authenticator, logger, config.AUTH_MAX_IN_FLIGHT),
  logger,
);
const health = await startHealthServer(config.HEALTH_HOST, config.HEALTH_PORT, {
  ready: () => service.isServing() && !nc.isClosed() && revoking,
  metrics: () => authMetrics(service, () => cache?.size ?? 0),
});
logger.info({ port: health.port, exporting: telemetry.exporting }, 'auth ready');
announceHealthPort(health.port);
onShutdown(logger, [
  { name: 'stop serving', run: () => service.stop() },
  { name: 'stop revocations', run: () => Promise.resolve(revocations.stop()) },
  { name: 'drain nats', run: () => nc.drain() },
  { name: 'close health', run: () => health.close() },
  { name: 'flush telemetry', run: () => telemetry.shutdown() },
]);
