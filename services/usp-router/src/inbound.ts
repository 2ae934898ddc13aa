// Inbound Records: everything agents publish on <prefix>/controller/# and <prefix>/api/#, read
// from the fabric as one queue group (replicas share them). Each Record is checked and classified
// (domain/records.ts); a dropped one is counted by reason and logged without its payload. A
// Connect or Disconnect Record changes presence, an answer goes to request matching, and a
// Notify goes to controllers (and is answered with NotifyResp when asked to).
import {
  decodeFabricHeaders,
  filterToSubjects,
  mesh,
  QueueGroups,
  subjectToTopic,
  uspNotifySubject,
  type FabricMessage,
  type usp,
} from '@octomesh/contracts';
import type { Msg } from '@octomesh/nats-kit';
import {
  agentTopicFromConnect,
  classifyInbound,
  notifyResponse,
  recordFor,
  replyTopicFor,
  type DropReason,
} from './domain/records.ts';
import { USP_CONTENT_TYPE } from './fabric.ts';
import type { Presence } from './presence.ts';
import type { Requests } from './requests.ts';
import type { RouterParts } from './router-parts.ts';

/** Told about every Record that passed the checks, as the agent published it. */
export type RecordObserver = (topic: string, endpointId: string, record: Uint8Array) => void;

/** What inbound Records work with. */
export interface InboundParts extends RouterParts {
  presence: Presence;
  requests: Requests;
  onRecord?: RecordObserver | undefined;
}

/** Reads and handles the Records agents publish. */
export class InboundRecords {
  readonly #parts: InboundParts;
  readonly #controllerIds: ReadonlySet<string>;
  readonly #subscriptions: { unsubscribe(): void }[] = [];

  constructor(parts: InboundParts) {
    this.#parts = parts;
    this.#controllerIds = new Set(parts.config.USP_CONTROLLER_IDS);
  }

  /** Starts reading Records from the fabric. */
  start(): void {
    const { nc, topics, logger } = this.#parts;
    const filters = [`${topics.controller}/#`, `${topics.prefix}/api/#`];
    for (const subject of filters.flatMap(filterToSubjects)) {
      this.#subscriptions.push(
        nc.subscribe(subject, {
          queue: QueueGroups.uspRouter,
          callback: (error, msg) => {
            if (error === null)
              this.#onRecord(msg).catch((e: unknown) =>
                logger.error(
                  { subject: msg.subject.slice(0, 200), error: (e as Error).message },
                  'usp record not handled',
                ),
              );
          },
        }),
      );
    }
  }

  /** Stops reading Records. */
  stop(): void {
    for (const s of this.#subscriptions.splice(0)) s.unsubscribe();
  }

  async #onRecord(msg: Msg): Promise<void> {
    const { counters, presence, requests, logger } = this.#parts;
    counters.recordsReceived++;
    let fabric: FabricMessage;
    let topic: string;
    try {
      const headers = msg.headers;
      if (headers === undefined) throw new Error('no headers');
      fabric = decodeFabricHeaders((name) => headers.values(name));
      topic = subjectToTopic(msg.subject);
    } catch (error) {
      this.#dropped('bad-record', `fabric: ${(error as Error).message}`, undefined);
      return;
    }
    const inbound = classifyInbound(msg.data, fabric.publisher, this.#controllerIds);
    if (inbound.kind === 'drop') {
      this.#dropped(inbound.reason, inbound.detail, fabric.publisher);
      return;
    }
    // Only Records that passed every check reach the observer (Oktopus compatibility).
    this.#parts.onRecord?.(topic, inbound.endpointId, msg.data);
    switch (inbound.kind) {
      case 'connect': {
        const { agentTopic, ignored } = agentTopicFromConnect(
          inbound.subscribedTopic,
          this.#parts.topics.agent(inbound.endpointId),
        );
        if (ignored) counters.foreignTopicsIgnored++;
        await presence.markOnline(inbound.endpointId, {
          agentTopic,
          mqttVersion: inbound.mqttVersion,
          ...(fabric.publisher !== undefined ? { clientId: fabric.publisher.clientId } : {}),
        });
        logger.info({ endpointId: inbound.endpointId, topic }, 'usp endpoint connected');
        return;
      }
      case 'disconnect':
        await presence.markOffline(inbound.endpointId, undefined);
        return;
      case 'answer':
        requests.answer(inbound.endpointId, inbound.msgId, {
          record: inbound.record,
          msg: inbound.msg,
        });
        await presence.touch(inbound.endpointId);
        return;
      case 'notify':
        await this.#notify(inbound.endpointId, inbound.toId, inbound.msg, inbound.bytes, fabric);
        return;
    }
  }

  #dropped(
    reason: DropReason,
    detail: string,
    publisher: FabricMessage['publisher'] | undefined,
  ): void {
    this.#parts.counters.dropped[reason]++;
    // Never the payload: only why, and who sent it.
    this.#parts.logger.warn(
      { reason, detail, endpointId: publisher?.endpointId, role: publisher?.role },
      'usp record dropped',
    );
  }

  async #notify(
    endpointId: string,
    toId: string,
    notify: usp.Msg,
    bytes: Uint8Array,
    fabric: FabricMessage,
  ): Promise<void> {
    const { nc, registry, publish, topics, config, counters, presence } = this.#parts;
    counters.notifications++;
    const sendResp = notify.body?.request?.notify?.sendResp === true;
    const answer = sendResp && config.USP_AUTO_NOTIFY_RESP;
    nc.publish(
      uspNotifySubject(endpointId),
      mesh.usp.v1.NotifyEvent.encode({
        endpointId,
        msg: bytes,
        answered: answer,
        receivedMs: Date.now(),
      }).finish(),
    );
    await presence.touch(endpointId);
    if (!answer) return;
    const endpoint = await registry.forRequest(endpointId);
    // An MQTT 5 Response Topic is used only when it lies inside the agent's own tree.
    const { topic, ignored } = replyTopicFor(
      fabric.responseTopic,
      topics.agent(endpointId),
      endpoint?.agentTopic,
    );
    if (ignored) counters.foreignTopicsIgnored++;
    publish(topic, recordFor(endpointId, toId, notifyResponse(notify)), {
      contentType: USP_CONTENT_TYPE,
    });
    counters.notifyResponsesSent++;
  }
}
