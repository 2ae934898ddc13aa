// The usp-router's work: Records agents publish (read from the fabric as one queue group, so
// replicas share them), broker events (presence), and controller requests (send a Msg to an
// agent, match its answer by msg_id). Answers that reach a replica which did not send the
// request are passed to every replica on `mesh.usp.v1.answers`; the sender resolves them.
import { randomUUID } from 'node:crypto';
import {
  BrokerEventKinds,
  brokerEventsWildcard,
  decodeFabricHeaders,
  decodeUspMsg,
  decodeUspRecord,
  encodeFabricHeaders,
  encodeUspMsg,
  filterToSubjects,
  mesh,
  QueueGroups,
  Subjects,
  RequestRefusedError,
  subjectToTopic,
  topicToSubject,
  uspNotifySubject,
  uspPresenceSubject,
  uspTopics,
  validateEndpointIdForTopic,
  type FabricMessage,
  type usp,
  type UspTopics,
} from '@octomesh/contracts';
import { headersOf, type Msg, type NatsConnection } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import type { RouterConfig } from './config.ts';
import {
  classifyInbound,
  isOwnAgentTopic,
  notifyResponse,
  recordFor,
  type DropReason,
} from './domain/records.ts';
import type { Endpoint, EndpointRegistry } from './registry.ts';

const ANSWERS_SUBJECT = Subjects.uspAnswers;

/** Counters for /metrics. */
export interface RouterCounters {
  recordsReceived: number;
  dropped: Record<DropReason, number>;
  foreignTopicsIgnored: number;
  requestsSent: number;
  answersMatched: number;
  answersUnmatched: number;
  timeouts: number;
  notifications: number;
  notifyResponsesSent: number;
  presenceChanges: number;
  livenessTimeouts: number;
}

/** What the router tells an observer. */
export interface RouterObserver {
  onRecord?(topic: string, endpointId: string, record: Uint8Array): void;
  onPresence?(endpoint: Endpoint): void;
}

interface Pending {
  endpointId: string;
  resolve: (answer: { record: Uint8Array; msg: Uint8Array }) => void;
  timer: NodeJS.Timeout;
}

/** The router. */
export class UspRouter {
  readonly counters: RouterCounters = {
    recordsReceived: 0,
    dropped: {
      'bad-record': 0,
      'bad-msg': 0,
      'unsupported-record': 0,
      'wrong-to-id': 0,
      'no-identity': 0,
      spoofed: 0,
      'unexpected-msg': 0,
    },
    foreignTopicsIgnored: 0,
    requestsSent: 0,
    answersMatched: 0,
    answersUnmatched: 0,
    timeouts: 0,
    notifications: 0,
    notifyResponsesSent: 0,
    presenceChanges: 0,
    livenessTimeouts: 0,
  };
  readonly #nc: NatsConnection;
  readonly #registry: EndpointRegistry;
  readonly #config: RouterConfig;
  readonly #logger: Logger;
  readonly #topics: UspTopics;
  readonly #controllerIds: ReadonlySet<string>;
  /** Distinguishes this process on the fabric and in msg ids. */
  readonly #replica: string;
  readonly #pending = new Map<string, Pending>();
  #nextId = 0;
  readonly #subscriptions: { unsubscribe(): void }[] = [];
  /** Told about every valid Record and presence change (Oktopus compatibility). */
  observer: RouterObserver | undefined;

  constructor(
    nc: NatsConnection,
    registry: EndpointRegistry,
    config: RouterConfig,
    logger: Logger,
  ) {
    this.#nc = nc;
    this.#registry = registry;
    this.#config = config;
    this.#logger = logger;
    this.#topics = uspTopics(config.USP_TOPIC_PREFIX);
    this.#controllerIds = new Set(config.USP_CONTROLLER_IDS);
    this.#replica = `${config.USP_ROUTER_REPLICA}/${randomUUID().slice(0, 8)}`;
  }

  /** Starts reading agent Records, broker events and answers for other replicas. */
  start(): void {
    const p = this.#topics.prefix;
    const inbound = [...filterToSubjects(`${p}/controller/#`), ...filterToSubjects(`${p}/api/#`)];
    for (const subject of inbound) {
      this.#subscriptions.push(
        this.#nc.subscribe(subject, {
          queue: QueueGroups.uspRouter,
          callback: (error, msg) => {
            if (error === null)
              this.#onRecord(msg).catch((e: unknown) =>
                this.#logger.error(
                  { subject: msg.subject.slice(0, 200), error: (e as Error).message },
                  'usp record not handled',
                ),
              );
          },
        }),
      );
    }
    this.#subscriptions.push(
      this.#nc.subscribe(brokerEventsWildcard, {
        queue: QueueGroups.uspRouter,
        callback: (error, msg) => {
          if (error === null) void this.#onBrokerEvent(msg);
        },
      }),
      this.#nc.subscribe(ANSWERS_SUBJECT, {
        callback: (error, msg) => {
          if (error === null) this.#onForwardedAnswer(msg);
        },
      }),
    );
  }

  /**
   * Liveness: every `intervalMs`, endpoints online but silent for longer than `timeoutMs` are
   * marked offline. Returns a stop function.
   */
  startLiveness(timeoutMs: number, intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void this.#sweepSilent(timeoutMs)
        .catch((error: unknown) =>
          this.#logger.warn({ error: (error as Error).message }, 'liveness sweep failed'),
        )
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async #sweepSilent(timeoutMs: number): Promise<void> {
    const cutoff = Date.now() - timeoutMs;
    const { endpoints } = await this.#registry.list({
      onlineOnly: true,
      prefix: '',
      limit: Number.MAX_SAFE_INTEGER,
    });
    for (const endpoint of endpoints) {
      if (Number(endpoint.lastSeenMs ?? 0) >= cutoff) continue;
      const { before, after } = await this.#registry.update(endpoint.endpointId, (current) =>
        current === undefined ||
        current.online !== true ||
        Number(current.lastSeenMs ?? 0) >= cutoff
          ? undefined
          : { ...current, online: false, changedMs: Date.now() },
      );
      if (before?.online === true && after?.online === false) {
        this.counters.livenessTimeouts++;
        this.#presence(after);
      }
    }
  }

  stop(): void {
    for (const s of this.#subscriptions.splice(0)) s.unsubscribe();
    for (const [key, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(key);
    }
  }

  /** Requests waiting for their answer. */
  get pending(): number {
    return this.#pending.size;
  }

  async #onRecord(msg: Msg): Promise<void> {
    this.counters.recordsReceived++;
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
    const endpointId = fabric.publisher?.endpointId;
    if (inbound.kind === 'drop') {
      this.#dropped(inbound.reason, inbound.detail, endpointId);
      return;
    }
    // Only Records that passed every check reach observers (Oktopus compatibility).
    this.observer?.onRecord?.(topic, inbound.endpointId, msg.data);
    switch (inbound.kind) {
      case 'connect': {
        const own = this.#topics.agent(inbound.endpointId);
        let agentTopic = inbound.subscribedTopic.replace(/\/#$/, '');
        if (!isOwnAgentTopic(agentTopic, own) || /[+#]/.test(agentTopic)) {
          if (agentTopic !== '') this.counters.foreignTopicsIgnored++;
          agentTopic = own;
        }
        await this.#markOnline(inbound.endpointId, {
          agentTopic,
          mqttVersion: inbound.mqttVersion,
          ...(fabric.publisher !== undefined ? { clientId: fabric.publisher.clientId } : {}),
        });
        this.#logger.info({ endpointId: inbound.endpointId, topic }, 'usp endpoint connected');
        return;
      }
      case 'disconnect':
        await this.#markOffline(inbound.endpointId, undefined);
        return;
      case 'answer':
        this.#answer(inbound.endpointId, inbound.msgId, inbound.record, inbound.msg, true);
        await this.#touch(inbound.endpointId);
        return;
      case 'notify':
        await this.#notify(inbound.endpointId, inbound.toId, inbound.msg, inbound.bytes, fabric);
        return;
    }
  }

  #dropped(reason: DropReason, detail: string, endpointId: string | undefined): void {
    this.counters.dropped[reason]++;
    // Never the payload: only why, and who sent it.
    this.#logger.warn({ reason, detail, endpointId }, 'usp record dropped');
  }

  #answer(endpointId: string, msgId: string, record: Uint8Array, msg: Uint8Array, local: boolean) {
    const key = pendingKey(endpointId, msgId);
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      this.#pending.delete(key);
      clearTimeout(pending.timer);
      this.counters.answersMatched++;
      pending.resolve({ record, msg });
      return;
    }
    if (!local) return;
    // Perhaps another replica sent the request: every replica checks its own pending table.
    this.counters.answersUnmatched++;
    this.#nc.publish(ANSWERS_SUBJECT, mesh.usp.v1.SendReply.encode({ record, msg }).finish(), {
      headers: headersOf([
        ['Usp-Endpoint-Id', encodeURIComponent(endpointId)],
        ['Usp-Msg-Id', encodeURIComponent(msgId)],
      ]),
    });
  }

  #onForwardedAnswer(msg: Msg): void {
    try {
      const endpointId = decodeURIComponent(msg.headers?.get('Usp-Endpoint-Id') ?? '');
      const msgId = decodeURIComponent(msg.headers?.get('Usp-Msg-Id') ?? '');
      const reply = mesh.usp.v1.SendReply.decode(msg.data);
      this.#answer(endpointId, msgId, reply.record, reply.msg, false);
    } catch {
      // Only router replicas publish here; a bad message is ignored.
    }
  }

  async #notify(
    endpointId: string,
    toId: string,
    notify: usp.Msg,
    bytes: Uint8Array,
    fabric: FabricMessage,
  ): Promise<void> {
    this.counters.notifications++;
    const sendResp = notify.body?.request?.notify?.sendResp === true;
    const answer = sendResp && this.#config.USP_AUTO_NOTIFY_RESP;
    this.#nc.publish(
      uspNotifySubject(endpointId),
      mesh.usp.v1.NotifyEvent.encode({
        endpointId,
        msg: bytes,
        answered: answer,
        receivedMs: Date.now(),
      }).finish(),
    );
    await this.#touch(endpointId);
    if (!answer) return;
    const endpoint = await this.#registry.forRequest(endpointId);
    const target = this.#replyTopic(endpointId, endpoint, fabric);
    this.#publishToAgent(target, recordFor(endpointId, toId, notifyResponse(notify)), undefined);
    this.counters.notifyResponsesSent++;
  }

  // Where answers to an agent go: its registered agent topic; an MQTT 5 Response Topic is used
  // only when it lies inside the agent's own tree.
  #replyTopic(endpointId: string, endpoint: Endpoint | undefined, fabric: FabricMessage): string {
    const own = this.#topics.agent(endpointId);
    const response = fabric.responseTopic;
    if (response !== undefined && isOwnAgentTopic(response, own)) return response;
    if (response !== undefined) this.counters.foreignTopicsIgnored++;
    return endpoint?.agentTopic || own;
  }

  #publishToAgent(
    topic: string,
    record: Uint8Array,
    request: { endpointId: string; msgId: string } | undefined,
  ): void {
    const fabric: FabricMessage = {
      qos: 1,
      retain: false,
      replica: this.#replica,
      contentType: 'usp.msg',
    };
    if (request !== undefined) {
      // MQTT 5 agents answer on the Response Topic, which the default policy lets each device
      // publish to for itself only; the Correlation Data is the msg_id.
      fabric.responseTopic = this.#topics.api(request.endpointId);
      fabric.correlationData = Buffer.from(request.msgId);
    }
    this.#nc.publish(topicToSubject(topic), record, {
      headers: headersOf(encodeFabricHeaders(fabric)),
    });
  }

  /**
   * Publishes a Record as is to an endpoint's agent topic with the given Response Topic
   * (Oktopus compatibility: the Oktopus controller matches its own answers).
   */
  async forwardToAgent(
    endpointId: string,
    record: Uint8Array,
    responseTopic: string,
  ): Promise<void> {
    const endpoint = await this.#registry.forRequest(endpointId);
    const fabric: FabricMessage = {
      qos: 1,
      retain: false,
      replica: this.#replica,
      contentType: 'usp.msg',
      responseTopic,
    };
    this.#nc.publish(
      topicToSubject(endpoint?.agentTopic || this.#topics.agent(endpointId)),
      record,
      {
        headers: headersOf(encodeFabricHeaders(fabric)),
      },
    );
  }

  /** The controller API: sends a Msg (or Record) to an endpoint and waits for its answer. */
  async send(request: mesh.usp.v1.SendRequest): Promise<mesh.usp.v1.ISendReply> {
    const endpointId = request.endpointId;
    const idProblem = validateEndpointIdForTopic(endpointId);
    if (idProblem !== undefined) throw new RequestRefusedError(400, `endpoint id: ${idProblem}`);
    const hasMsg = request.msg.length > 0;
    const hasRecord = request.record.length > 0;
    if (hasMsg === hasRecord)
      throw new RequestRefusedError(400, 'set exactly one of msg and record');
    const controllerId = request.controllerId || this.#config.USP_CONTROLLER_IDS[0]!;
    if (!this.#controllerIds.has(controllerId))
      throw new RequestRefusedError(
        400,
        `controller id ${controllerId} is not served by this router`,
      );
    const timeoutMs = Math.min(
      request.timeoutMs || this.#config.USP_REQUEST_TIMEOUT_MS,
      this.#config.USP_MAX_REQUEST_TIMEOUT_MS,
    );
    if (this.#pending.size >= this.#config.USP_MAX_PENDING)
      throw new RequestRefusedError(503, 'too many requests waiting for answers');

    let record: Uint8Array;
    let msgId: string;
    try {
      if (hasMsg) {
        const msg = decodeUspMsg(request.msg);
        msgId = msg.header?.msgId || this.#newMsgId();
        const bytes = msg.header?.msgId
          ? request.msg
          : encodeUspMsg({ ...msg, header: { ...msg.header, msgId } });
        record = recordFor(endpointId, controllerId, bytes);
      } else {
        const given = decodeUspRecord(request.record);
        if (given.recordType !== 'noSessionContext')
          throw new RequestRefusedError(400, 'only no_session_context records can be sent');
        if (given.toId !== endpointId)
          throw new RequestRefusedError(400, 'the record is addressed to another endpoint');
        msgId =
          decodeUspMsg(given.noSessionContext?.payload ?? new Uint8Array()).header?.msgId ?? '';
        if (msgId === '') throw new RequestRefusedError(400, "the record's msg has no msg_id");
        record = request.record;
      }
    } catch (error) {
      if (error instanceof RequestRefusedError) throw error;
      throw new RequestRefusedError(400, (error as Error).message);
    }

    const endpoint = await this.#registry.forRequest(endpointId);
    if (endpoint === undefined)
      throw new RequestRefusedError(404, `unknown endpoint ${endpointId}`);
    if (!endpoint.online) throw new RequestRefusedError(409, `endpoint ${endpointId} is offline`);
    const key = pendingKey(endpointId, msgId);
    // Two requests in flight with one msg_id could not be told apart.
    if (this.#pending.has(key))
      throw new RequestRefusedError(409, `msg_id ${msgId} is already waiting for an answer`);

    const started = Date.now();
    const answer = new Promise<{ record: Uint8Array; msg: Uint8Array }>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        this.counters.timeouts++;
        reject(new RequestRefusedError(504, `no answer from ${endpointId} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.#pending.set(key, { endpointId, resolve, timer });
    });
    this.#publishToAgent(endpoint.agentTopic || this.#topics.agent(endpointId), record, {
      endpointId,
      msgId,
    });
    this.counters.requestsSent++;
    const result = await answer;
    return { msg: result.msg, record: result.record, rttMs: Date.now() - started };
  }

  #newMsgId(): string {
    this.#nextId = (this.#nextId + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.#replica}#${this.#nextId}`;
  }

  /** The registry, for the list endpoint. */
  listEndpoints(request: mesh.usp.v1.ListEndpointsRequest) {
    return this.#registry.list({
      onlineOnly: request.onlineOnly,
      prefix: request.prefix,
      limit: Math.min(request.limit || 1000, 10_000),
    });
  }

  async #onBrokerEvent(msg: Msg): Promise<void> {
    const kind = msg.subject.split('.').at(-1);
    try {
      if (kind === BrokerEventKinds.connected) {
        const event = mesh.broker.v1.ClientConnected.decode(msg.data);
        const endpointId = event.identity?.endpointId ?? '';
        if (endpointId === '' || event.identity?.role !== 'device') return;
        await this.#markOnline(endpointId, {
          mqttVersion: event.mqttVersion === 5 ? 5 : 4,
          replica: event.replica,
          clientId: event.clientId,
        });
      } else if (kind === BrokerEventKinds.disconnected) {
        const event = mesh.broker.v1.ClientDisconnected.decode(msg.data);
        const endpointId = event.identity?.endpointId ?? '';
        if (endpointId === '' || event.identity?.role !== 'device') return;
        await this.#markOffline(endpointId, event.clientId);
      }
    } catch (error) {
      this.#logger.warn(
        { subject: msg.subject, error: (error as Error).message },
        'broker event not applied',
      );
    }
  }

  async #markOnline(
    endpointId: string,
    fields: Partial<Pick<Endpoint, 'agentTopic' | 'mqttVersion' | 'replica' | 'clientId'>>,
  ): Promise<void> {
    const now = Date.now();
    const { before, after } = await this.#registry.update(endpointId, (current) => ({
      endpointId,
      agentTopic: current?.agentTopic || this.#topics.agent(endpointId),
      mqttVersion: current?.mqttVersion ?? 5,
      replica: current?.replica ?? '',
      clientId: current?.clientId ?? '',
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      online: true,
      lastSeenMs: now,
      changedMs: current?.online === true ? (current.changedMs ?? now) : now,
    }));
    if (before?.online !== true && after !== undefined) this.#presence(after);
  }

  async #markOffline(endpointId: string, clientId: string | undefined): Promise<void> {
    const now = Date.now();
    const { before, after } = await this.#registry.update(endpointId, (current) => {
      if (current === undefined || current.online !== true) return undefined;
      // A late disconnect of a connection that was already replaced changes nothing.
      if (clientId !== undefined && current.clientId && current.clientId !== clientId)
        return undefined;
      return { ...current, online: false, lastSeenMs: now, changedMs: now };
    });
    if (before?.online === true && after?.online === false) this.#presence(after);
  }

  async #touch(endpointId: string): Promise<void> {
    // last seen is kept to the minute: not a KV write, nor a KV read, per message.
    const now = Date.now();
    const mirrored = this.#registry.mirrored(endpointId);
    if (mirrored !== undefined && now - Number(mirrored.lastSeenMs ?? 0) < 60_000) return;
    await this.#registry.update(endpointId, (current) =>
      current === undefined || now - Number(current.lastSeenMs ?? 0) < 60_000
        ? undefined
        : { ...current, lastSeenMs: now },
    );
  }

  // Presence goes out as `1`/`0` (retained) on <prefix>/status/<id> and as a NATS event.
  #presence(endpoint: Endpoint): void {
    this.counters.presenceChanges++;
    this.observer?.onPresence?.(endpoint);
    const fabric: FabricMessage = { qos: 1, retain: true, replica: this.#replica };
    this.#nc.publish(
      topicToSubject(this.#topics.status(endpoint.endpointId)),
      Buffer.from(endpoint.online ? '1' : '0'),
      { headers: headersOf(encodeFabricHeaders(fabric)) },
    );
    this.#nc.publish(
      uspPresenceSubject(endpoint.endpointId),
      mesh.usp.v1.PresenceEvent.encode({ endpoint }).finish(),
    );
    this.#logger.info(
      { endpointId: endpoint.endpointId, online: endpoint.online },
      'usp endpoint presence',
    );
  }
}

function pendingKey(endpointId: string, msgId: string): string {
  return `${endpointId}\u0000${msgId}`;
}
