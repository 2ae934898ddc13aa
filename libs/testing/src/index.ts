export * from './nats-server.ts';
export * from './wait-for.ts';
export * from './service-process.ts';
export * from './certificates.ts';
export * from './secured-bus.ts';
export * from './mqtt-fuzz.ts';
export * from './containers.ts';
export * from './service-container.ts';
