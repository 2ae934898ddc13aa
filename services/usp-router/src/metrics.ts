// Prometheus metrics of the usp-router.
import { renderMetrics } from '@octomesh/service-kit';
import type { OktopusCounters } from './oktopus.ts';
import type { RouterCounters } from './router-parts.ts';

/** Renders the router's counters and its waiting requests for /metrics. */
export function routerMetrics(
  c: RouterCounters,
  pending: number,
  oktopus?: OktopusCounters,
): string {
  const counter = (name: string, help: string, value: number) => ({
    name,
    help,
    type: 'counter' as const,
    samples: [{ value }],
  });
  return renderMetrics([
    counter('octomesh_usp_records_received_total', 'Records read from agents', c.recordsReceived),
    {
      name: 'octomesh_usp_records_dropped_total',
      help: 'Records dropped, by reason (spoofed: from_id is not the authenticated endpoint; not-device: the publisher is no device)',
      type: 'counter',
      samples: Object.entries(c.dropped).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    counter(
      'octomesh_usp_foreign_topics_ignored_total',
      'agent-named topics outside the agent tree, ignored',
      c.foreignTopicsIgnored,
    ),
    counter(
      'octomesh_usp_requests_sent_total',
      'controller requests sent to agents',
      c.requestsSent,
    ),
    counter('octomesh_usp_answers_matched_total', 'answers matched to a request', c.answersMatched),
    counter(
      'octomesh_usp_answers_unmatched_total',
      'answers with no request waiting here (passed to other replicas)',
      c.answersUnmatched,
    ),
    counter(
      'octomesh_usp_request_timeouts_total',
      'requests without an answer in time',
      c.timeouts,
    ),
    counter('octomesh_usp_notifications_total', 'Notify messages from agents', c.notifications),
    counter(
      'octomesh_usp_notify_responses_sent_total',
      'NotifyResp sent automatically',
      c.notifyResponsesSent,
    ),
    counter('octomesh_usp_presence_changes_total', 'online/offline changes', c.presenceChanges),
    counter(
      'octomesh_usp_liveness_timeouts_total',
      'endpoints marked offline after USP_LIVENESS_TIMEOUT_S of silence',
      c.livenessTimeouts,
    ),
    {
      name: 'octomesh_usp_requests_pending',
      help: 'requests waiting for an answer',
      type: 'gauge',
      samples: [{ value: pending }],
    },
    ...(oktopus === undefined
      ? []
      : [
          counter(
            'octomesh_usp_oktopus_to_controllers_total',
            'Records passed to the Oktopus subjects',
            oktopus.forwardedToControllers,
          ),
          counter(
            'octomesh_usp_oktopus_to_agents_total',
            'Oktopus controller Records sent to agents',
            oktopus.forwardedToAgents,
          ),
          counter(
            'octomesh_usp_oktopus_refused_total',
            'Oktopus messages refused (bad subject, record or endpoint id)',
            oktopus.refused,
          ),
        ]),
  ]);
}
