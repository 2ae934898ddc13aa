// Graceful shutdown: on SIGTERM/SIGINT/SIGHUP (or a fatal condition inside the service) run the
// steps in order (stop serving, drain NATS, close health), each bounded, and exit; a second
// signal or the overall deadline forces a non-zero exit.
import type { Logger } from 'pino';

/** One named shutdown step. */
export interface ShutdownStep {
  readonly name: string;
  run(): Promise<void>;
}

let trigger: ((reason: string, exitCode: number) => void) | undefined;

/**
 * Exits as soon as the parent (`octomesh up`) goes away, even while still starting; once
 * {@link onShutdown} is installed that becomes an orderly shutdown. Call first in main.
 */
export function exitWithParent(): void {
  if (typeof process.send !== 'function') return;
  process.once('disconnect', () => {
    if (trigger === undefined) process.exit(1);
    trigger('parent gone', 1);
  });
}

/** Starts the orderly shutdown from inside the service (a fatal condition), exiting with `exitCode`. */
export function shutdownNow(reason: string, exitCode = 1): void {
  if (trigger === undefined) process.exit(exitCode);
  trigger(reason, exitCode);
}

/** Installs signal handlers that run `steps` once, then exit. */
export function onShutdown(
  logger: Logger,
  steps: readonly ShutdownStep[],
  deadlineMs = 10_000,
): void {
  let shuttingDown = false;
  const handler = (reason: string, exitCode: number): void => {
    if (shuttingDown) {
      logger.warn({ reason }, 'second shutdown request, exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
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
      process.exit(failed ? 1 : exitCode);
    })();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => handler(signal, 0));
  trigger = handler;
}

/** Tells a parent process (octomesh up) the health port over IPC, when there is one. */
export function announceHealthPort(port: number): void {
  if (typeof process.send === 'function') process.send({ type: 'health', port });
}

/** Tells a parent process (octomesh up) the ports a service listens on, by name. */
export function announceListeners(ports: Record<string, number>): void {
  if (typeof process.send === 'function') process.send({ type: 'listeners', ports });
}
