// Prometheus metrics of the auth service.
import type { RunningService } from '@octomesh/nats-kit';
import { renderMetrics } from '@octomesh/service-kit';

/** Renders the service's counters for /metrics. */
export function authMetrics(service: RunningService, cacheSize: () => number): string {
  const c = service.counters('authenticate');
  return renderMetrics([
    {
      name: 'octomesh_auth_requests_total',
      help: 'authenticate requests',
      type: 'counter',
      samples: [{ value: c.requests }],
    },
    {
      name: 'octomesh_auth_errors_total',
      help: 'authenticate requests answered with an error',
      type: 'counter',
      samples: [{ value: c.errors }],
    },
    {
      name: 'octomesh_auth_overloaded_total',
      help: 'requests refused past AUTH_MAX_IN_FLIGHT',
      type: 'counter',
      samples: [{ value: c.overloaded }],
    },
    {
      name: 'octomesh_auth_in_flight',
      help: 'requests being handled',
      type: 'gauge',
      samples: [{ value: c.inFlight }],
    },
    {
      name: 'octomesh_auth_cache_entries',
      help: 'cached successful verifications',
      type: 'gauge',
      samples: [{ value: cacheSize() }],
    },
  ]);
}
