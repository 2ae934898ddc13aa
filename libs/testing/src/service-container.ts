// Octomesh services as containers of the project image (deploy/container/Dockerfile), the way
// operators run them: SERVICE picks the service, the bus identity is a seed file in the
// container, host networking with the health listener (and the broker's listeners) on loopback
// ports chosen here, so that a killed container comes back on the same ones.
import { readFileSync } from 'node:fs';
import type { BusRole } from '@octomesh/contracts';
import {
  engineRequest,
  findEngine,
  freePort,
  PROJECT_IMAGE,
  startTestContainer,
  type TestContainer,
} from './containers.ts';
import type { TestBus } from './secured-bus.ts';
import { waitFor } from './wait-for.ts';

/** A service running in a container. */
export interface ServiceContainer {
  readonly name: string;
  readonly container: TestContainer;
  /** Port of /healthz, /readyz and /metrics on 127.0.0.1. */
  readonly healthPort: number;
  /** Waits until /readyz answers 200 (after a start or a restart). */
  ready(timeoutMs?: number): Promise<void>;
  /** Runs the image's HEALTHCHECK command in the container; true when it exits 0. */
  healthcheck(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Where the seed file goes inside the container. */
const SEED_PATH = '/run/octomesh/nats.nk';

/**
 * Starts services/<name> from the project image on the secured bus, with its role's identity,
 * and waits until it is ready. `env` adds or overrides settings (MQTT_PORT for the broker...).
 */
export async function startServiceContainer(
  name: BusRole,
  bus: TestBus,
  env: Record<string, string> = {},
): Promise<ServiceContainer> {
  const healthPort = await freePort();
  const container = await startTestContainer({
    image: PROJECT_IMAGE,
    name,
    env: {
      SERVICE: name,
      NATS_URL: bus.url,
      NATS_NKEY_SEED_FILE: SEED_PATH,
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      LOG_LEVEL: 'info',
      ...env,
    },
    files: [{ target: SEED_PATH, content: readFileSync(bus.seedFile(name)) }],
    readyLog: new RegExp(`"msg":"${name} ready"`),
    startTimeoutMs: 60_000,
  });
  const ready = async (timeoutMs = 60_000): Promise<void> => {
    await waitFor(
      `${name} /readyz`,
      async () => {
        const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`, {
          signal: AbortSignal.timeout(1000),
        });
        await response.body?.cancel();
        return response.status === 200 ? true : undefined;
      },
      timeoutMs,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${container.logs()}`, { cause: error });
    });
  };
  try {
    await ready();
  } catch (error) {
    await container.stop();
    throw error;
  }
  return {
    name,
    container,
    healthPort,
    ready,
    async healthcheck() {
      const socket = await findEngine();
      if (socket === undefined) return false;
      // podman's API has no healthcheck endpoint; the CLI runs the image's HEALTHCHECK command.
      const { execFile } = await import('node:child_process');
      return new Promise((resolve) => {
        execFile('podman', ['healthcheck', 'run', container.id], { timeout: 15_000 }, (error) =>
          resolve(error === null),
        );
      });
    },
    stop: () => container.stop(),
  };
}

/** The image's configured user and health check, as the engine reports them. */
export async function imageConfig(
  image = PROJECT_IMAGE,
): Promise<{ user: string; healthcheck: string[] }> {
  const socket = await findEngine();
  if (socket === undefined) throw new Error('no container engine answers');
  // The Docker-compatible answer carries the health check under Config.Healthcheck; podman's
  // own API at the top level.
  const answer = await engineRequest(socket, 'GET', `/images/${image}/json`);
  const inspect = JSON.parse(answer.body) as {
    Healthcheck?: { Test?: string[] };
    Config?: { User?: string; Healthcheck?: { Test?: string[] } };
  };
  let healthcheck = inspect.Config?.Healthcheck?.Test;
  if (healthcheck === undefined) {
    const libpod = await engineRequest(socket, 'GET', `/v4.0.0/libpod/images/${image}/json`);
    if (libpod.status === 200) {
      healthcheck = (JSON.parse(libpod.body) as typeof inspect).Healthcheck?.Test;
    }
  }
  return { user: inspect.Config?.User ?? '', healthcheck: healthcheck ?? [] };
}
