// Graceful shutdown: on SIGTERM/SIGINT run the steps in order (stop serving, drain NATS, close
// health), each bounded, and exit; a second signal or the overall deadline forces the exit.
import type { Logger } from 'pino';

/** One named shutdown step. */
export interface ShutdownStep {
  readonly name: string;
  run(): Promise<void>;
}

/** Installs signal handlers that run `steps` once, then exit. */
export function onShutdown(
  logger: Logger,
  steps: readonly ShutdownStep[],
  deadlineMs = 10_000,
): void {
  let shuttingDown = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    void (async () => {
      let failed = false;
      for (const step of steps) {
        try {
          await step.run();
        } catch (error) {
          failed = true;
          logger.error(
            { step: step.name, error: (error as Error).message },
            'shutdown step failed',
          );
        }
      }
      logger.info('stopped');
      process.exit(failed ? 1 : 0);
    })();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  // Started by `octomesh up` (IPC channel): when the parent goes away, so do we.
  if (typeof process.send === 'function') process.once('disconnect', () => handler('SIGTERM'));
}

/** Tells a parent process (octomesh up) the health port over IPC, when there is one. */
export function announceHealthPort(port: number): void {
  if (typeof process.send === 'function') process.send({ type: 'health', port });
}
