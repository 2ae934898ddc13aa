// UNSUBSCRIBE: remove each filter; v5 says per filter whether a subscription existed.
import type { IUnsubscribePacket } from 'mqtt-packet';
import { parseSubscriptionFilter } from '@octomesh/acl-rules';
import { ReasonCodes } from '@octomesh/contracts';
import type { HandlerConnection, HandlerContext } from './context.ts';

/** Handles UNSUBSCRIBE. */
export function handleUnsubscribe(
  context: HandlerContext,
  connection: HandlerConnection,
  packet: IUnsubscribePacket,
): void {
  const codes = packet.unsubscriptions.map((topic) => {
    const parsed = parseSubscriptionFilter(topic);
    if (!parsed.ok) return ReasonCodes.topicFilterInvalid;
    const removed = context.index.remove(connection.clientId, parsed.filter, parsed.group);
    return removed ? ReasonCodes.success : ReasonCodes.noSubscriptionExisted;
  });
  connection.write(
    connection.protocolVersion === 5
      ? { cmd: 'unsuback', messageId: packet.messageId, granted: codes }
      : { cmd: 'unsuback', messageId: packet.messageId, granted: [] },
  );
}
