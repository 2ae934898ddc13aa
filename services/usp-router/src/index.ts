// The usp-router service; its entry point is main.ts.
export { loadRouterConfig } from './config.ts';
export type { RouterConfig } from './config.ts';
