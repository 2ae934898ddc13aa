// Client lifecycle events on mesh.broker.v1.events.<kind>, for usp-router presence and audit.
import { brokerEventSubject, BrokerEventKinds, mesh } from '@octomesh/contracts';
import type { Connection, EngineEvents } from '@octomesh/mqtt-engine';
import type { NatsConnection } from '@octomesh/nats-kit';

function identityOf(connection: Connection) {
  const id = connection.identity;
  return id === undefined
    ? undefined
    : {
        subject: id.subject,
        username: id.username,
        role: id.role,
        endpointId: id.endpointId,
        clientId: id.clientId,
      };
}

/** Engine observers that publish connected / disconnected events. */
export function brokerEvents(nc: NatsConnection, replica: string): EngineEvents {
  return {
    onConnected(connection, sessionPresent) {
      const event = mesh.broker.v1.ClientConnected.encode({
        identity: identityOf(connection),
        clientId: connection.clientId,
        mqttVersion: connection.protocolVersion,
        replica,
        sourceAddress: connection.meta.sourceAddress,
        sessionPresent,
        listener: connection.meta.listener,
        timestampMs: Date.now(),
      }).finish();
      nc.publish(brokerEventSubject(BrokerEventKinds.connected), event);
    },
    onDisconnected(connection, reasonCode, reason, willSent) {
      const event = mesh.broker.v1.ClientDisconnected.encode({
        identity: identityOf(connection),
        clientId: connection.clientId,
        mqttVersion: connection.protocolVersion,
        replica,
        reasonCode,
        reason,
        willSent,
        timestampMs: Date.now(),
      }).finish();
      nc.publish(brokerEventSubject(BrokerEventKinds.disconnected), event);
    },
  };
}

/**
 * The disconnected event of a client whose replica died (live-clients.ts): published by the
 * survivor that took its will, in the dead replica's name.
 */
export function publishRescuedDisconnect(
  nc: NatsConnection,
  deadReplica: string,
  record: {
    clientId: string;
    identity: { subject: string; username: string; role: string; endpointId: string };
  },
): void {
  // Events name replicas without the per-process suffix (main.ts).
  const slash = deadReplica.lastIndexOf('/');
  const event = mesh.broker.v1.ClientDisconnected.encode({
    identity: { ...record.identity, clientId: record.clientId },
    clientId: record.clientId,
    replica: slash === -1 ? deadReplica : deadReplica.slice(0, slash),
    reasonCode: 0x8b,
    reason: 'broker replica gone',
    willSent: true,
    timestampMs: Date.now(),
  }).finish();
  nc.publish(brokerEventSubject(BrokerEventKinds.disconnected), event);
}

/** Engine observers that also record each connection's will (WillKeeper) while it lives. */
export function keepingWills(
  events: EngineEvents,
  wills: { keep(connection: Connection): void; drop(connection: Connection): void },
): EngineEvents {
  return {
    onConnected(connection, sessionPresent) {
      wills.keep(connection);
      events.onConnected?.(connection, sessionPresent);
    },
    onDisconnected(connection, reasonCode, reason, willSent) {
      wills.drop(connection);
      events.onDisconnected?.(connection, reasonCode, reason, willSent);
    },
  };
}
