// @octomesh/mqtt-engine: a transport-agnostic MQTT 3.1/3.1.1/5.0 engine on mqtt-packet.
export { Engine } from './engine.ts';
export type { EngineOptions, EngineCounters, EngineEvents } from './engine.ts';
export { Connection } from './connection.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { EngineLimits } from './limits.ts';
export { silentLogger } from './logger.ts';
export type { EngineLogger } from './logger.ts';
export { Session } from './session.ts';
export type { SessionDelivery } from './session.ts';
export { SubscriptionIndex, mergeForClient, mergeOverlapping } from './subscription-index.ts';
export type { Subscription, SubscriptionOptions } from './subscription-index.ts';
export { SharedGroups } from './shared-groups.ts';
export { MemoryRetainedStore } from './memory-retained-store.ts';
export { RetainedStoreFullError } from './retained-store.ts';
export type { RetainedMessage, RetainedStore } from './retained-store.ts';
export type * from './types.ts';
export { MemoryGuard } from './memory-guard.ts';
