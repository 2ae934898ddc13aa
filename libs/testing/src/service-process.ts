// Starts Octomesh services as separate processes for end-to-end tests, as they run in production.
import { join } from 'node:path';
import type { BusRole } from '@octomesh/contracts';
import { spawnService, type ServiceProcess } from '@octomesh/service-kit';
import type { TestBus } from './secured-bus.ts';

/** The repository root (tests run with it as the working directory). */
export const repoRoot = process.cwd();

/**
 * Starts services/<name>/src/main.ts and waits until it is ready: on a secured bus with the
 * service's own identity, or on a plain NATS URL.
 */
export async function startService(
  name: string,
  nats: string | TestBus,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const lines: string[] = [];
  const natsEnv = typeof nats === 'string' ? { NATS_URL: nats } : nats.env(name as BusRole);
  const service = spawnService({
    name,
    main: join(repoRoot, 'services', name, 'src', 'main.ts'),
    env: { LOG_LEVEL: 'info', ...natsEnv, ...env },
    onLine: (line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (process.env['OCTOMESH_TEST_LOGS'] === '1') process.stderr.write(`[${name}] ${line}\n`);
    },
  });
  try {
    await service.ready(30_000);
  } catch (error) {
    await service.stop();
    throw new Error(`${(error as Error).message}\n${lines.join('\n')}`, { cause: error });
  }
  return service;
}
