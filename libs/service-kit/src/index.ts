export {
  readConfig,
  baseServiceSpec,
  loadOrExit,
  natsSettings,
  readNkeySeed,
  env,
  LOG_LEVELS,
} from './config.ts';
export type { Variable, ConfigOf } from './config.ts';
export { createLogger } from './logger.ts';
export type { Logger } from './logger.ts';
export { startHealthServer } from './health.ts';
export {
  exitWithParent,
  shutdownNow,
  onShutdown,
  announceHealthPort,
  announceListeners,
} from './shutdown.ts';
export { renderMetrics } from './metrics.ts';
export { spawnNatsServer } from './nats-server-process.ts';
export type { NatsServerProcess } from './nats-server-process.ts';
export { serviceNodeFlags, spawnService } from './service-process.ts';
export type { ServiceProcess } from './service-process.ts';
export { startTelemetry } from './telemetry.ts';
export { stopChild } from './stop-child.ts';
