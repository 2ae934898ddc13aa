import { MemorySessionStore } from './session-store.ts';
import { sessionStoreContract } from './session-store.contract.ts';

sessionStoreContract('memory', ({ maxSessions }) =>
  Promise.resolve({ store: new MemorySessionStore(maxSessions), dispose: () => Promise.resolve() }),
);
