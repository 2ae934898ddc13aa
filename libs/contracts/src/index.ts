export * from './reason-codes.ts';
export * from './errors.ts';
export * from './subjects.ts';
export * from './topics.ts';
export * from './proto.ts';
export * from './kv-key.ts';
export * from './usp/index.ts';
export * from './roles.ts';
