// Discovery of running service instances through the micro framework (`nats micro stats`).
import { Svcm } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EndpointCounters } from './serve.ts';

/** One running instance as the micro framework's discovery reports it. */
export interface DiscoveredInstance {
  readonly name: string;
  readonly id: string;
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
}

/** Lists running service instances with their stats, like `nats micro stats`. */
export async function discoverServices(
  nc: NatsConnection,
  name?: string,
  timeoutMs = 1000,
): Promise<DiscoveredInstance[]> {
  const client = new Svcm(nc).client({ strategy: 'timer', maxWait: timeoutMs });
  const found: DiscoveredInstance[] = [];
  for await (const stats of await client.stats(name)) {
    const endpoints = stats.endpoints ?? [];
    found.push({
      name: stats.name,
      id: stats.id,
      version: stats.version,
      requests: endpoints.reduce((sum, e) => sum + e.num_requests, 0),
      errors: endpoints.reduce(
        (sum, e) => sum + e.num_errors + ((e.data as EndpointCounters | null)?.errors ?? 0),
        0,
      ),
    });
  }
  return found;
}
