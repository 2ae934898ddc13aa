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
