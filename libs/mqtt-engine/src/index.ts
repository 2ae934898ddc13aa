// @octomesh/mqtt-engine: a transport-agnostic MQTT 3.1/3.1.1/5.0 engine on mqtt-packet.
export { Engine } from './engine.ts';
export type { EngineEvents } from './engine.ts';
export { Connection } from './connection.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { EngineLimits } from './limits.ts';
export { silentLogger } from './logger.ts';
export type { EngineLogger } from './logger.ts';
export { interestKey, interestOf, SubscriptionIndex } from './subscription-index.ts';
export type { Subscription, SubscriptionOptions } from './subscription-index.ts';
export { DEFAULT_RETAINED_LIMITS, MemoryRetainedStore } from './memory-retained-store.ts';
export {
  RetainedStoreFullError,
  RetainedStoreLimitKinds,
  RetainedTopicError,
  isRetainedExpired,
  retainedMessageBytes,
} from './retained-store.ts';
export type {
  RetainedMessage,
  RetainedStore,
  RetainedStoreLimitKind,
  RetainedStoreLimits,
} from './retained-store.ts';
export type {
  ConnectAttempt,
  ConnectVerdict,
  ConnectionMeta,
  Deciders,
  EngineIdentity,
  Message,
  PeerCertificate,
  TopicCheck,
} from './types.ts';
export { MemoryGuard } from './memory-guard.ts';
export { FabricBackloggedError, LocalFabric } from './message-fabric.ts';
export type { FabricHandler, MessageFabric, SharedDelivery } from './message-fabric.ts';
export { MemorySessionStore, SessionStoreFullError } from './session-store.ts';
export type { SessionStore, StoredSession } from './session-store.ts';
export { MemorySessionMessageStore } from './session-messages.ts';
export type { SessionMessageStore } from './session-messages.ts';
export type { PendingDelivery, SessionDelivery } from './session.ts';
export type { AuthStep, EnhancedAuthMethod } from './enhanced-auth.ts';
export { orderedPairs, userPropertiesOf } from './user-properties.ts';
export { DEFAULT_CLIENT_ID_POLICY, parseClientIdPolicy } from './client-id-policy.ts';
export type { ClientIdPolicy } from './client-id-policy.ts';
export { DEFAULT_ROLE_QUOTAS, parseRoleQuotas } from './quotas.ts';
export type { RoleQuotas } from './quotas.ts';
