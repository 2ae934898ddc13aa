// Starts Octomesh services as separate processes for end-to-end tests, as they run in production.
import { join } from 'node:path';
import { spawnService, type ServiceProcess } from '@octomesh/service-kit';

/** The repository root (tests run with it as the working directory). */
export const repoRoot = process.cwd();

/** Starts services/<name>/src/main.ts on `natsUrl` and waits until it is ready. */
export async function startService(
  name: string,
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const lines: string[] = [];
  const service = spawnService({
    name,
    main: join(repoRoot, 'services', name, 'src', 'main.ts'),
    env: { NATS_URL: natsUrl, LOG_LEVEL: 'info', ...env },
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
