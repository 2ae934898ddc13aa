// Prometheus metrics of the broker service.
import type { Engine } from '@octomesh/mqtt-engine';
import type { NatsFabric } from './fabric.ts';
import type { WillKeeper } from './live-clients.ts';
import type { NatsSessionMessages } from './nats-session-messages.ts';
import type { RunningListener } from './listeners/index.ts';
import { renderMetrics } from '@octomesh/service-kit';

/** Renders the engine's counters for /metrics. */
export function brokerMetrics(
  engine: Engine,
  listeners: readonly RunningListener[],
  fabric?: NatsFabric,
  wills?: WillKeeper,
  sessionMessages?: NatsSessionMessages,
): string {
  const c = engine.counters;
  const counter = (name: string, help: string, value: number) => ({
    name,
    help,
    type: 'counter' as const,
    samples: [{ value }],
  });
  const gauge = (name: string, help: string, value: number) => ({
    name,
    help,
    type: 'gauge' as const,
    samples: [{ value }],
  });
  const perListener = (
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    pick: (l: RunningListener) => number,
  ) => ({
    name,
    help,
    type,
    samples: listeners.map((l) => ({ labels: { listener: l.name }, value: pick(l) })),
  });
  return renderMetrics([
    perListener(
      'octomesh_broker_listener_open',
      'sockets open on the listener',
      'gauge',
      (l) => l.counters.open,
    ),
    perListener(
      'octomesh_broker_listener_refused_total',
      'sockets refused past MQTT_MAX_CONNECTIONS',
      'counter',
      (l) => l.counters.refused,
    ),
    perListener(
      'octomesh_broker_listener_handshake_failed_total',
      'TLS/WebSocket/PROXY handshakes that failed',
      'counter',
      (l) => l.counters.handshakeFailed,
    ),
    gauge('octomesh_broker_connections', 'open connections', engine.openConnections),
    gauge('octomesh_broker_sessions', 'sessions (connected or kept)', engine.sessions.size),
    gauge('octomesh_broker_subscriptions', 'subscriptions', engine.index.size),
    counter('octomesh_broker_connects_refused_total', 'CONNECTs refused', c.connectsRefused),
    counter('octomesh_broker_messages_received_total', 'PUBLISHes received', c.messagesReceived),
    counter(
      'octomesh_broker_messages_routed_total',
      'copies delivered to sessions',
      c.messagesRouted,
    ),
    counter('octomesh_broker_publish_denied_total', 'PUBLISHes denied by acl', c.publishDenied),
    {
      name: 'octomesh_broker_quota_refusals_total',
      help: 'refusals and evictions by quota (role quotas and per source address)',
      type: 'counter' as const,
      samples: [
        { labels: { quota: 'subscriptions' }, value: c.quotaSubscriptionsRefused },
        { labels: { quota: 'connections' }, value: c.quotaConnectionsReplaced },
        { labels: { quota: 'sessions' }, value: c.quotaSessionsDiscarded },
        { labels: { quota: 'retained' }, value: c.quotaRetainedRefused },
        { labels: { quota: 'address_connections' }, value: c.quotaAddressConnectionsRefused },
        { labels: { quota: 'address_connect_rate' }, value: c.quotaAddressRateRefused },
      ],
    },
    perListener(
      'octomesh_broker_listener_proxy_header_untrusted_total',
      'PROXY headers refused because the peer is not in PROXY_TRUSTED_CIDRS',
      'counter',
      (l) => l.counters.proxyHeaderUntrusted,
    ),
    counter(
      'octomesh_broker_client_ids_reclaimed_total',
      'sessions of another identity discarded because the client id owner connected',
      c.clientIdsReclaimed,
    ),
    counter(
      'octomesh_broker_connections_revoked_total',
      'connections closed because their account changed or was removed (0x98)',
      c.connectionsRevoked,
    ),
    counter(
      'octomesh_broker_subscriptions_revoked_total',
      'subscriptions removed because the rules no longer allow them',
      c.subscriptionsRevoked,
    ),
    counter(
      'octomesh_broker_packet_violations_total',
      'connections closed for a malformed, illegal or oversized packet',
      c.packetViolations,
    ),
    counter(
      'octomesh_broker_subscribe_denied_total',
      'subscriptions denied by acl',
      c.subscribeDenied,
    ),
    counter(
      'octomesh_broker_slow_subscribers_disconnected_total',
      'subscribers disconnected for not keeping up',
      c.slowSubscribersDisconnected,
    ),
    counter(
      'octomesh_broker_sessions_taken_over_total',
      'sessions taken over by a new connection',
      c.sessionsTakenOver,
    ),
    counter(
      'octomesh_broker_sessions_adopted_total',
      'offline persistent sessions taken over from replicas that died',
      c.sessionsAdopted,
    ),
    counter(
      'octomesh_broker_session_messages_stored_total',
      'QoS 1/2 messages of offline persistent sessions written to the shared stream',
      c.sessionMessagesStored,
    ),
    counter(
      'octomesh_broker_session_messages_kept_here_total',
      "offline messages the shared stream refused, kept in this replica's memory",
      c.sessionMessagesKeptHere,
    ),
    counter(
      'octomesh_broker_session_messages_resumed_total',
      'offline messages taken from the shared stream as sessions resumed here',
      c.sessionMessagesResumed,
    ),
    counter(
      'octomesh_broker_shared_undeliverable_total',
      'shared-group messages handed here after the group had no member left here',
      c.sharedUndeliverable,
    ),
    ...(sessionMessages === undefined
      ? []
      : [
          counter(
            'octomesh_broker_session_messages_invalid_total',
            'messages read from the session stream that failed validation: dropped, not delivered',
            sessionMessages.counters.invalid,
          ),
        ]),
    ...(wills === undefined
      ? []
      : [
          counter(
            'octomesh_broker_wills_rescued_total',
            'wills of clients of dead replicas taken over here',
            wills.counters.rescued,
          ),
          counter(
            'octomesh_broker_wills_cancelled_total',
            'rescued delayed wills not sent: the client resumed its session within the delay',
            wills.counters.cancelled,
          ),
        ]),
    ...(fabric === undefined
      ? []
      : [
          counter(
            'octomesh_broker_fabric_published_total',
            'messages sent to other replicas over NATS',
            fabric.counters.published,
          ),
          counter(
            'octomesh_broker_fabric_not_exported_total',
            'messages kept on this replica: no other replica or service wanted them',
            fabric.counters.notExported,
          ),
          counter(
            'octomesh_broker_fabric_received_total',
            'messages received from other replicas',
            fabric.counters.received,
          ),
          counter(
            'octomesh_broker_fabric_duplicates_total',
            'second copies through overlapping NATS subscriptions, dropped',
            fabric.counters.duplicates,
          ),
          counter(
            'octomesh_broker_fabric_invalid_total',
            'fabric messages dropped: bad subject or headers',
            fabric.counters.invalid,
          ),
          counter(
            'octomesh_broker_fabric_shared_redirected_total',
            'shared-group messages handed to another replica: no member of the group was left here',
            fabric.counters.sharedRedirected,
          ),
          counter(
            'octomesh_broker_fabric_outages_total',
            'times the fabric lost its NATS connection',
            fabric.counters.outages,
          ),
          gauge(
            'octomesh_broker_fabric_held',
            'messages for other replicas held until NATS (and the peers) are back',
            fabric.held,
          ),
          counter(
            'octomesh_broker_fabric_held_sent_total',
            'held messages sent once NATS was back (replays of the last moments included)',
            fabric.counters.heldSent,
          ),
          counter(
            'octomesh_broker_fabric_held_dropped_total',
            'QoS 0 copies for other replicas dropped: the hold was full',
            fabric.counters.heldDropped,
          ),
          counter(
            'octomesh_broker_fabric_held_refused_total',
            'QoS 1/2 PUBLISHes refused (0x97): the hold was full',
            fabric.counters.heldRefused,
          ),
          gauge(
            'octomesh_broker_peer_replicas',
            'other broker replicas heard from within the heartbeat timeout',
            fabric.interestOfPeers.peers().length,
          ),
          counter(
            'octomesh_broker_peer_replicas_gone_total',
            'broker replicas that stopped beating',
            fabric.interestOfPeers.counters.peersGone,
          ),
          counter(
            'octomesh_broker_interest_invalid_total',
            'replica interest or heartbeat messages dropped as malformed',
            fabric.interestOfPeers.counters.invalid,
          ),
        ]),
  ]);
}
