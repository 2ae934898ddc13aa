// @octomesh/usp-sim: simulated USP agents for tests, benchmarks and `octomesh sim`.
export { MqttClientErrorCodes } from './mqtt/mqtt-client-error.ts';
export { parseBrokerUrl } from './mqtt/broker-url.ts';
export { MqttClient } from './mqtt/mqtt-client.ts';
export { UspErrorCodes } from './usp/usp-error-codes.ts';
export { replyToSuffix } from './agent/mqtt-topics.ts';
export { UspMqttVersions, UspAgent } from './agent/usp-agent.ts';
export type { UspMqttVersion, UspAgentOptions } from './agent/usp-agent.ts';
export { expandPattern, isPerAgentPattern } from './fleet/name-pattern.ts';
export { AgentFleet } from './fleet/agent-fleet.ts';
export type { FleetProgress, FleetStats } from './fleet/agent-fleet.ts';
