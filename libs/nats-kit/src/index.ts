export { connectNats, natsConnected, redactUrls } from './connect.ts';
export type { NatsConnectOptions } from './connect.ts';
export { protoCodec } from './codec.ts';
export { serve } from './serve.ts';
export type { EndpointDefinition, ServiceDefinition, RunningService } from './serve.ts';
export { call } from './call.ts';
export * from './kv.ts';
export { headersOf } from './headers.ts';
export type { NatsConnection, Subscription, Msg } from '@nats-io/nats-core';
export { MeshCodecs } from './mesh-codecs.ts';
export { discoverServices } from './discover.ts';
export { seedFileOf, busAuthorizationFileOf, prepareLocalBus, readSeedFile } from './local-bus.ts';
// Streams other than KV buckets (the broker's offline session messages).
export {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
export type { JetStreamClient, JetStreamManager, JsMsg, StreamConfig } from '@nats-io/jetstream';
