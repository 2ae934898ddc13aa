export * from './config.ts';
export * from './logger.ts';
export * from './health.ts';
export * from './shutdown.ts';
export * from './metrics.ts';
export * from './nats-server-process.ts';
export * from './service-process.ts';
export * from './telemetry.ts';
