export { startNatsServer, startNatsContainer } from './nats-server.ts';
export type { TestNatsServer } from './nats-server.ts';
export { waitFor } from './wait-for.ts';
export { startService } from './service-process.ts';
export { createTestCertificateAuthority } from './certificates.ts';
export type { TestCertificate, TestCertificateAuthority } from './certificates.ts';
export { startSecuredBus } from './secured-bus.ts';
export type { TestBus } from './secured-bus.ts';
export { runFuzzCase, mutatedPacket } from './mqtt-fuzz.ts';
export {
  testRunId,
  findEngine,
  useContainers,
  removeTestContainers,
  freePort,
  engineRequest,
  NATS_IMAGE,
  PROJECT_IMAGE,
} from './containers.ts';
export { startServiceContainer, imageConfig } from './service-container.ts';
export type { ServiceContainer } from './service-container.ts';
export { startNatsCluster } from './nats-cluster.ts';
export type { TestNatsCluster } from './nats-cluster.ts';
