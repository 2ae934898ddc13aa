// Inbound PUBLISH: resolve the topic alias, validate, authorize (cached), apply QoS 1/2 flow
// control, store retained, route, acknowledge.
import { isUtf8 } from 'node:buffer';
import type { IPublishPacket } from 'mqtt-packet';
import { validateTopicName } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import { RetainedQuotaError, RetainedStoreFullError } from '../retained-store.ts';
import { FabricBackloggedError } from '../message-fabric.ts';
import type { TopicLimits } from '../quotas.ts';
import type { Message } from '../types.ts';
import { authorizeOne } from './authorize.ts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** Handles a PUBLISH from the client. */
export async function handlePublish(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IPublishPacket,
): Promise<void> {
  const session = connection.session!;
  const identity = connection.identity!;
  const v5 = connection.protocolVersion === 5;
  const props = { ...(packet.properties ?? {}) };

  // Topic alias [MQTT-3.3.2-8..12].
  let topic = packet.topic;
  const alias = props.topicAlias;
  if (alias !== undefined) {
    if (alias === 0 || alias > context.limits.topicAliasMaximum) {
      return connection.close(ReasonCodes.topicAliasInvalid, 'topic alias out of range');
    }
    if (topic === '') {
      const known = connection.topicAliases.get(alias);
      if (known === undefined)
        return connection.close(ReasonCodes.protocolError, 'unknown topic alias');
      topic = known;
    } else {
      connection.topicAliases.set(alias, topic);
    }
    delete props.topicAlias;
  }
  if (packet.qos > context.limits.maximumQoS) {
    // Above the Maximum QoS we advertised [MQTT-3.2.2-11].
    return connection.close(ReasonCodes.qosNotSupported, 'QoS not supported');
  }
  if (packet.retain && !context.limits.retainAvailable) {
    // Retain Available was 0 [MQTT-3.2.2-14].
    return connection.close(ReasonCodes.retainNotSupported, 'retain not supported');
  }
  const problem =
    validateTopicName(topic) ?? topicLimitProblem(context.topicLimitsOf(identity.role), topic);
  if (problem !== undefined) return connection.close(ReasonCodes.topicNameInvalid, problem);
  if (props.responseTopic !== undefined && validateTopicName(props.responseTopic) !== undefined) {
    // A Response Topic must be a topic name, never a filter [MQTT-3.3.2-14].
    return connection.close(ReasonCodes.protocolError, 'invalid response topic');
  }
  if (packet.qos === 2 && session.awaitingRelease.has(packet.messageId!)) {
    // A duplicate of a QoS 2 PUBLISH we already routed: acknowledge again, do not route twice.
    connection.write({ cmd: 'pubrec', messageId: packet.messageId! });
    return;
  }
  if (packet.qos === 2 && session.awaitingRelease.size >= context.limits.receiveMaximum) {
    return connection.close(ReasonCodes.receiveMaximumExceeded, 'receive maximum exceeded');
  }
  context.counters.messagesReceived++;

  const ack = (reasonCode: number, reason?: string): void => {
    if (packet.qos === 0) return;
    const cmd = packet.qos === 1 ? 'puback' : 'pubrec';
    connection.write(
      v5 && reasonCode !== ReasonCodes.success
        ? {
            cmd,
            messageId: packet.messageId!,
            reasonCode,
            ...(reason && connection.requestProblemInformation
              ? { properties: { reasonString: reason } }
              : {}),
          }
        : { cmd, messageId: packet.messageId! },
    );
  };

  if (props.payloadFormatIndicator === true && !isUtf8(packet.payload as Buffer)) {
    // Payload announced as UTF-8 but is not [MQTT-3.3.2-4]: 0x99.
    if (packet.qos === 0)
      return connection.close(ReasonCodes.payloadFormatInvalid, 'payload is not UTF-8');
    return ack(ReasonCodes.payloadFormatInvalid, 'payload is not UTF-8');
  }

  const verdict = await authorizeOne(context, connection, identity, 'publish', topic);
  if (!verdict.allow) {
    context.counters.publishDenied++;
    context.logger.info(
      { clientId: connection.clientId, role: identity.role, reasonCode: verdict.reasonCode },
      'publish denied',
    );
    // 3.1.1 has no negative PUBACK: the message is acknowledged and dropped [MQTT-3.3.5-2].
    return ack(v5 ? verdict.reasonCode : ReasonCodes.success, 'not authorized');
  }

  const expiry = props.messageExpiryInterval;
  const message: Message = {
    topic,
    payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    qos: packet.qos,
    retain: packet.retain,
    properties: props,
    expiresAt: expiry !== undefined ? Date.now() + expiry * 1000 : undefined,
    publisherClientId: connection.clientId,
    publisher: identity,
  };
  try {
    await context.publish(message);
  } catch (error) {
    if (error instanceof RetainedQuotaError) {
      // The identity's retained quota: refused whole, like a full store.
      context.logger.info(
        { clientId: connection.clientId },
        'retained quota exceeded, publish refused',
      );
      return ack(ReasonCodes.quotaExceeded, 'retained quota exceeded');
    }
    if (error instanceof FabricBackloggedError) {
      // NATS is away and the fabric holds all it may: nobody has the message. MQTT 5 is told
      // 0x97; 3.1.1 has no negative PUBACK, so its connection ends unacknowledged and the
      // client sends the message again when it reconnects [MQTT-4.4.0-1].
      context.logger.warn({ clientId: connection.clientId }, 'fabric backlogged, publish refused');
      if (v5) return ack(ReasonCodes.quotaExceeded, 'broker backlogged, NATS unreachable');
      return connection.close(ReasonCodes.serverBusy, 'fabric backlogged');
    }
    if (!(error instanceof RetainedStoreFullError)) throw error;
    // No room to retain it: refused whole (not routed), never silently lost [MQTT-3.3.1-5].
    context.logger.warn({ clientId: connection.clientId }, 'retained store full, publish refused');
    return ack(ReasonCodes.quotaExceeded, 'retained store full');
  }
  // A QoS 1/2 publisher waits for backed-up subscribers before its acknowledgement: its
  // pending packets then pause its socket, slowing it down instead of losing messages.
  if (packet.qos > 0) await context.awaitSubscribers(topic);
  if (packet.qos === 2) session.awaitingRelease.add(packet.messageId!);
  ack(ReasonCodes.success);
}

// The role's limits within the engine's (a device's topics are short).
function topicLimitProblem(limits: TopicLimits, topic: string): string | undefined {
  if (Buffer.byteLength(topic) > limits.maxTopicBytes)
    return `topic longer than ${limits.maxTopicBytes} bytes`;
  if (topic.split('/').length > limits.maxTopicLevels)
    return `topic deeper than ${limits.maxTopicLevels} levels`;
  return undefined;
}
