// SUBSCRIBE: validate every filter, authorize them in one batch (cached), add the granted ones
// to the index, answer SUBACK in request order, then send retained messages per Retain Handling.
import type { ISubscribePacket, QoS } from 'mqtt-packet';
import { parseSubscriptionFilter } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import { v3SubackCode } from '../reason-mapping.ts';
import type { TopicCheck } from '../types.ts';
import { authorizeMany } from './authorize.ts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** Handles SUBSCRIBE. */
export async function handleSubscribe(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: ISubscribePacket,
): Promise<void> {
  const session = connection.session!;
  const identity = connection.identity!;
  const v5 = connection.protocolVersion === 5;
  const subscriptionIdentifier = (
    packet.properties as { subscriptionIdentifier?: number } | undefined
  )?.subscriptionIdentifier;
  const limits = context.limits;
  if (subscriptionIdentifier !== undefined && !limits.subscriptionIdentifiersAvailable) {
    // Not offered in CONNACK: a SUBSCRIBE carrying one ends the connection with 0xA1
    // (MQTT 5 §3.2.2.3.12).
    return connection.close(
      ReasonCodes.subscriptionIdentifiersNotSupported,
      'subscription identifiers not supported',
    );
  }
  const codes: number[] = new Array<number>(packet.subscriptions.length).fill(
    ReasonCodes.unspecifiedError,
  );
  const toCheck: { index: number; check: TopicCheck }[] = [];
  const topicLimits = context.topicLimitsOf(identity.role);
  packet.subscriptions.forEach((sub, index) => {
    const parsed = parseSubscriptionFilter(sub.topic);
    if (!parsed.ok) {
      codes[index] = ReasonCodes.topicFilterInvalid;
      return;
    }
    if (parsed.group !== undefined && sub.nl === true) {
      // No Local on a shared subscription is a protocol error [MQTT-3.8.3-4].
      codes[index] = ReasonCodes.protocolError;
      return;
    }
    if (parsed.group !== undefined && !limits.sharedSubscriptionAvailable) {
      codes[index] = ReasonCodes.sharedSubscriptionsNotSupported;
      return;
    }
    if (!limits.wildcardSubscriptionAvailable && /[+#]/.test(parsed.filter)) {
      codes[index] = ReasonCodes.wildcardSubscriptionsNotSupported;
      return;
    }
    if (
      Buffer.byteLength(parsed.filter) > topicLimits.maxTopicBytes ||
      parsed.filter.split('/').length > topicLimits.maxTopicLevels
    ) {
      codes[index] = ReasonCodes.topicFilterInvalid;
      return;
    }
    toCheck.push({ index, check: { action: 'subscribe', topic: sub.topic } });
  });
  if (codes.includes(ReasonCodes.protocolError)) {
    return connection.close(ReasonCodes.protocolError, 'no local on a shared subscription');
  }
  const verdicts = await authorizeMany(
    context,
    connection,
    identity,
    toCheck.map((c) => c.check),
  );
  const retainedToSend: { filter: string; qos: QoS; rap: boolean }[] = [];
  // The role's subscription quota: new filters past it get 0x97; replacing one is always fine.
  const maxSubscriptions = context.quotaOf(identity.role).maxSubscriptions;
  const held =
    maxSubscriptions === undefined ? [] : context.index.subscriptionsOf(connection.clientId);
  const heldKeys = new Set(held.map((s) => `${s.shareGroup ?? ''}\u0000${s.filter}`));
  let count = held.length;
  toCheck.forEach(({ index }, i) => {
    const verdict = verdicts[i]!;
    const sub = packet.subscriptions[index]!;
    if (!verdict.allow) {
      context.counters.subscribeDenied++;
      codes[index] = verdict.reasonCode >= 0x80 ? verdict.reasonCode : ReasonCodes.notAuthorized;
      return;
    }
    const parsed = parseSubscriptionFilter(sub.topic);
    if (!parsed.ok) return;
    if (
      maxSubscriptions !== undefined &&
      !heldKeys.has(`${parsed.group ?? ''}\u0000${parsed.filter}`)
    ) {
      if (count >= maxSubscriptions) {
        context.counters.quotaSubscriptionsRefused++;
        codes[index] = ReasonCodes.quotaExceeded;
        return;
      }
      count++;
    }
    // Granted at most our Maximum QoS [MQTT-3.2.2-9].
    const qos = Math.min(sub.qos, limits.maximumQoS) as QoS;
    const { replaced } = context.index.add({
      clientId: connection.clientId,
      filter: parsed.filter,
      ...(parsed.group !== undefined ? { shareGroup: parsed.group } : {}),
      options: {
        qos,
        noLocal: sub.nl === true,
        retainAsPublished: sub.rap === true,
        retainHandling: (sub.rh ?? 0) as 0 | 1 | 2,
        ...(subscriptionIdentifier !== undefined ? { subscriptionIdentifier } : {}),
      },
    });
    codes[index] = qos;
    const handling = sub.rh ?? 0;
    // Retained messages: not for shared subscriptions; Retain Handling 0 always, 1 only for a
    // new subscription, 2 never [MQTT-3.3.1-9..11].
    if (parsed.group === undefined && (handling === 0 || (handling === 1 && !replaced))) {
      retainedToSend.push({ filter: parsed.filter, qos, rap: sub.rap === true });
    }
  });
  connection.write({
    cmd: 'suback',
    messageId: packet.messageId,
    granted: v5 ? codes : codes.map(v3SubackCode),
  });
  for (const { filter, qos } of retainedToSend) {
    for (const retained of await context.retained.match(filter)) {
      session.deliver({
        message: {
          topic: retained.topic,
          payload: retained.payload,
          qos: retained.qos,
          retain: true,
          properties: (retained.properties ?? {}) as never,
          expiresAt: retained.expiresAt,
          publisherClientId: '',
        },
        qos: Math.min(retained.qos, qos) as QoS,
        // Retained messages sent on subscribe keep the retain flag [MQTT-3.3.1-8].
        retain: true,
        subscriptionIds: subscriptionIdentifier !== undefined ? [subscriptionIdentifier] : [],
      });
    }
  }
}
