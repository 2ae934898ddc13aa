// Prometheus metrics of the acl service.
import type { RunningService } from '@octomesh/nats-kit';
import { renderMetrics } from '@octomesh/service-kit';
import type { RuleBook } from './domain/rule-book.ts';

/** Renders the service's counters for /metrics. */
export function aclMetrics(service: RunningService, book: RuleBook): string {
  const c = service.counters('authorize');
  return renderMetrics([
    {
      name: 'octomesh_acl_requests_total',
      help: 'authorize requests',
      type: 'counter',
      samples: [{ value: c.requests }],
    },
    {
      name: 'octomesh_acl_errors_total',
      help: 'authorize requests answered with an error',
      type: 'counter',
      samples: [{ value: c.errors }],
    },
    {
      name: 'octomesh_acl_overloaded_total',
      help: 'requests refused past ACL_MAX_IN_FLIGHT',
      type: 'counter',
      samples: [{ value: c.overloaded }],
    },
    {
      name: 'octomesh_acl_rules',
      help: 'rules in force',
      type: 'gauge',
      samples: [{ value: book.ruleSet.size }],
    },
    {
      name: 'octomesh_acl_invalid_rules',
      help: 'stored rules ignored as invalid',
      type: 'gauge',
      samples: [{ value: book.invalid.size }],
    },
    {
      name: 'octomesh_acl_rules_revision',
      help: 'last KV revision applied',
      type: 'gauge',
      samples: [{ value: book.revision }],
    },
  ]);
}
