// What the router does with a Record an agent published, as pure logic: decode, validate
// (to_id, record type), check that the publisher is a device and that from_id is the endpoint
// the broker authenticated for that connection (anti-spoofing), and classify it. Also the
// Records and Msgs the router sends, and which agent-named topics it accepts.
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  Roles,
  usp,
  type FabricPublisher,
  type usp_record,
} from '@octomesh/contracts';

/** Why an inbound Record is dropped; each has its own counter. */
export const DropReasons = [
  'bad-record',
  'bad-msg',
  'unsupported-record',
  'wrong-to-id',
  'no-identity',
  'not-device',
  'spoofed',
  'unexpected-msg',
] as const;
/** One of {@link DropReasons}. */
export type DropReason = (typeof DropReasons)[number];

/** An inbound Record, classified. */
export type Inbound =
  | { kind: 'connect'; endpointId: string; mqttVersion: 4 | 5; subscribedTopic: string }
  | { kind: 'disconnect'; endpointId: string; reason: string }
  | { kind: 'answer'; endpointId: string; msgId: string; record: Uint8Array; msg: Uint8Array }
  | { kind: 'notify'; endpointId: string; toId: string; msg: usp.Msg; bytes: Uint8Array }
  | { kind: 'drop'; reason: DropReason; detail: string };

const drop = (reason: DropReason, detail: string): Inbound => ({ kind: 'drop', reason, detail });

/** Classifies the payload of a PUBLISH an agent sent to a controller or api topic. */
export function classifyInbound(
  payload: Uint8Array,
  publisher: FabricPublisher | undefined,
  controllerIds: ReadonlySet<string>,
): Inbound {
  // Only what a broker authenticated counts: the mesh's own messages carry no publisher.
  if (publisher === undefined) return drop('no-identity', 'no authenticated publisher');
  // Only devices speak as agents (issue 9 §6): an anonymous client (development mode) names its
  // own endpoint id, and a controller or admin is no agent, so their Records never count.
  if (publisher.role !== Roles.device)
    return drop('not-device', `role ${JSON.stringify(publisher.role.slice(0, 64))}`);
  if (publisher.endpointId === '')
    return drop('no-identity', 'publisher has no authenticated endpoint id');
  let record: usp_record.Record;
  try {
    record = decodeUspRecord(payload);
  } catch (error) {
    return drop('bad-record', (error as Error).message);
  }
  if (!controllerIds.has(record.toId))
    return drop('wrong-to-id', `to_id ${JSON.stringify(record.toId.slice(0, 128))}`);
  if (record.fromId !== publisher.endpointId)
    return drop(
      'spoofed',
      `from_id ${JSON.stringify(record.fromId.slice(0, 128))} sent by ${publisher.endpointId}`,
    );
  const endpointId = record.fromId;
  switch (record.recordType) {
    case 'mqttConnect': {
      const c = record.mqttConnect!;
      // MQTTConnectRecord.MQTTVersion: 0 V3_1_1, 1 V5; anything else is no Record we know.
      if (c.version !== 0 && c.version !== 1)
        return drop('bad-record', `unknown MQTT version ${String(c.version).slice(0, 16)}`);
      return {
        kind: 'connect',
        endpointId,
        mqttVersion: c.version === 0 ? 4 : 5,
        subscribedTopic: c.subscribedTopic ?? '',
      };
    }
    case 'disconnect':
      return { kind: 'disconnect', endpointId, reason: record.disconnect?.reason ?? '' };
    case 'noSessionContext':
      break;
    default:
      return drop('unsupported-record', `record type ${record.recordType ?? 'none'}`);
  }
  const bytes = record.noSessionContext?.payload ?? new Uint8Array();
  let msg: usp.Msg;
  try {
    msg = decodeUspMsg(bytes);
  } catch (error) {
    return drop('bad-msg', (error as Error).message);
  }
  const msgId = msg.header?.msgId ?? '';
  if (msg.body?.response != null || msg.body?.error != null)
    return { kind: 'answer', endpointId, msgId, record: payload, msg: bytes };
  if (msg.body?.request?.notify != null)
    return { kind: 'notify', endpointId, toId: record.toId, msg, bytes };
  return drop('unexpected-msg', `msg type ${msg.header?.msgType ?? 'none'} from an agent`);
}

/** A NoSessionContext Record carrying `msg` from a controller to an agent. */
export function recordFor(toId: string, fromId: string, msg: Uint8Array): Uint8Array {
  return encodeUspRecord({
    version: '1.4',
    toId,
    fromId,
    noSessionContext: { payload: msg },
  });
}

/** The NotifyResp that answers a Notify (same msg_id and subscription id). */
export function notifyResponse(notify: usp.Msg): Uint8Array {
  return encodeUspMsg({
    header: { msgId: notify.header?.msgId ?? '', msgType: usp.Header.MsgType.NOTIFY_RESP },
    body: {
      response: {
        notifyResp: { subscriptionId: notify.body?.request?.notify?.subscriptionId ?? '' },
      },
    },
  });
}

/**
 * Whether a topic an agent named (Connect Record subscribed_topic, Response Topic) lies inside
 * its own agent tree. Anything else is ignored: a device must not make the router send another
 * device's requests somewhere it chose.
 */
export function isOwnAgentTopic(topic: string, ownTopic: string): boolean {
  return topic === ownTopic || topic.startsWith(`${ownTopic}/`);
}

/**
 * The agent topic to register from a Connect Record's subscribed_topic: the named topic (without
 * a trailing `/#`) when it lies in the agent's own tree and holds no wildcard, else the agent's
 * own topic; `ignored` when a named topic was refused (counted).
 */
export function agentTopicFromConnect(
  subscribedTopic: string,
  ownTopic: string,
): { agentTopic: string; ignored: boolean } {
  const named = subscribedTopic.replace(/\/#$/, '');
  if (isOwnAgentTopic(named, ownTopic) && !/[+#]/.test(named))
    return { agentTopic: named, ignored: false };
  return { agentTopic: ownTopic, ignored: named !== '' };
}

/**
 * Where the router answers an agent (NotifyResp): its MQTT 5 Response Topic when that lies in
 * its own tree, else its registered agent topic, else its own topic; `ignored` when a Response
 * Topic outside the tree was refused (counted).
 */
export function replyTopicFor(
  responseTopic: string | undefined,
  ownTopic: string,
  registeredTopic: string | null | undefined,
): { topic: string; ignored: boolean } {
  if (responseTopic !== undefined && isOwnAgentTopic(responseTopic, ownTopic))
    return { topic: responseTopic, ignored: false };
  return { topic: registeredTopic || ownTopic, ignored: responseTopic !== undefined };
}
