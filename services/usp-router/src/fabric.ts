// The one way the router publishes on the MQTT fabric (requests and NotifyResp to agent topics,
// presence on status topics, Oktopus records): as an MQTT PUBLISH the brokers deliver, QoS 1,
// from this replica, with no publisher identity (the mesh's own messages carry none).
import { randomUUID } from 'node:crypto';
import { encodeFabricHeaders, topicToSubject, type FabricMessage } from '@octomesh/contracts';
import { headersOf, type NatsConnection } from '@octomesh/nats-kit';

/** The Content Type of USP Records on MQTT (TR-369 MQTT binding). */
export const USP_CONTENT_TYPE = 'usp.msg';

/** MQTT properties of a message the router publishes. */
export interface TopicMessageOptions {
  retain?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
}

/** Publishes `payload` to an MQTT topic through the fabric. */
export type PublishToTopic = (
  topic: string,
  payload: Uint8Array,
  options?: TopicMessageOptions,
) => void;

/** This process's name on the fabric: the configured replica name and a random suffix. */
export function fabricReplicaName(replica: string): string {
  return `${replica}/${randomUUID().slice(0, 8)}`;
}

/** The fabric publisher of one router process. */
export function fabricPublisher(nc: NatsConnection, replica: string): PublishToTopic {
  return (topic, payload, options = {}) => {
    const message: FabricMessage = { qos: 1, retain: options.retain ?? false, replica };
    if (options.contentType !== undefined) message.contentType = options.contentType;
    if (options.responseTopic !== undefined) message.responseTopic = options.responseTopic;
    if (options.correlationData !== undefined) message.correlationData = options.correlationData;
    nc.publish(topicToSubject(topic), payload, {
      headers: headersOf(encodeFabricHeaders(message)),
    });
  };
}
