export * from './connect.ts';
export * from './codec.ts';
export * from './serve.ts';
export * from './call.ts';
export * from './kv.ts';
export * from './trace-headers.ts';
export type { NatsConnection, Subscription, Msg, MsgHdrs } from '@nats-io/nats-core';
export * from './deadline-header.ts';
export * from './mesh-codecs.ts';
