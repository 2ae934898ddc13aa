// Controller requests: send a USP Msg (or Record) to an agent and match its answer. Each request
// goes out with a msg_id of the router's own, unique across the cluster (domain/requests.ts),
// and waits under (endpoint, that msg_id) in this replica. An answer read by a replica that
// holds no such request is passed to every replica on `mesh.usp.v1.answers`; the one holding it
// resolves it and gives the controller the answer with its own msg_id back.
import { randomBytes } from 'node:crypto';
import { mesh, RequestRefusedError, Subjects } from '@octomesh/contracts';
import { headersOf, type Msg } from '@octomesh/nats-kit';
import {
  checkSendRequest,
  PendingRequests,
  restoreAnswer,
  wireMsgIds,
  wireRequest,
  type Answer,
  type RequestSettings,
} from './domain/requests.ts';
import { USP_CONTENT_TYPE } from './fabric.ts';
import type { RouterParts } from './router-parts.ts';

// Headers of a passed-on answer: which request it may be for.
const ENDPOINT_HEADER = 'Usp-Endpoint-Id';
const MSG_ID_HEADER = 'Usp-Msg-Id';

interface Waiting {
  wireMsgId: string;
  msgId: string;
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Requests from controllers to agents. */
export class Requests {
  readonly #parts: RouterParts;
  readonly #settings: RequestSettings;
  readonly #pending = new PendingRequests<Waiting>();
  // 64 random bits per process: wire msg_ids of two replicas never collide.
  readonly #nextWireMsgId = wireMsgIds(randomBytes(8).toString('hex'));
  #subscription: { unsubscribe(): void } | undefined;

  constructor(parts: RouterParts) {
    this.#parts = parts;
    this.#settings = {
      controllerIds: parts.config.USP_CONTROLLER_IDS,
      requestTimeoutMs: parts.config.USP_REQUEST_TIMEOUT_MS,
      maxRequestTimeoutMs: parts.config.USP_MAX_REQUEST_TIMEOUT_MS,
    };
  }

  /** Starts reading answers other replicas pass on. */
  start(): void {
    this.#subscription = this.#parts.nc.subscribe(Subjects.uspAnswers, {
      callback: (error, msg) => {
        if (error === null) this.#onPassedAnswer(msg);
      },
    });
  }

  /** Stops reading passed-on answers and forgets waiting requests. */
  stop(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    for (const waiting of this.#pending.takeAll()) clearTimeout(waiting.timer);
  }

  /** Requests waiting for their answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** The controller API: sends a Msg (or Record) to an endpoint and waits for its answer. */
  async send(request: mesh.usp.v1.SendRequest): Promise<mesh.usp.v1.ISendReply> {
    const { registry, publish, topics, config, counters } = this.#parts;
    const checked = checkSendRequest(request, this.#settings);
    if (this.#pending.size >= config.USP_MAX_PENDING)
      throw new RequestRefusedError(503, 'too many requests waiting for answers');
    const wire = wireRequest(request, checked, this.#nextWireMsgId);
    const { endpointId, timeoutMs } = checked;

    const endpoint = await registry.forRequest(endpointId);
    if (endpoint === undefined)
      throw new RequestRefusedError(404, `unknown endpoint ${endpointId}`);
    if (!endpoint.online) throw new RequestRefusedError(409, `endpoint ${endpointId} is offline`);

    const started = Date.now();
    const answer = new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.take(endpointId, wire.wireMsgId);
        counters.timeouts++;
        reject(new RequestRefusedError(504, `no answer from ${endpointId} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.#pending.add(endpointId, wire.wireMsgId, {
        wireMsgId: wire.wireMsgId,
        msgId: wire.msgId,
        resolve,
        reject,
        timer,
      });
    });
    // MQTT 5 agents answer on the Response Topic, which the default policy lets each device
    // publish to for itself only; the Correlation Data is the wire msg_id. MQTT 3.1.1 agents
    // answer on their reply-to controller topic.
    publish(endpoint.agentTopic || topics.agent(endpointId), wire.record, {
      contentType: USP_CONTENT_TYPE,
      responseTopic: topics.api(endpointId),
      correlationData: Buffer.from(wire.wireMsgId),
    });
    counters.requestsSent++;
    const result = await answer;
    return { msg: result.msg, record: result.record, rttMs: Date.now() - started };
  }

  /** An agent's answer read by this replica (`msgId` is the wire msg_id it echoed). */
  answer(endpointId: string, msgId: string, answer: Answer): void {
    if (this.#resolve(endpointId, msgId, answer)) return;
    // Perhaps another replica sent the request: every replica checks its own pending table.
    this.#parts.counters.answersUnmatched++;
    this.#parts.nc.publish(Subjects.uspAnswers, mesh.usp.v1.SendReply.encode(answer).finish(), {
      headers: headersOf([
        [ENDPOINT_HEADER, encodeURIComponent(endpointId)],
        [MSG_ID_HEADER, encodeURIComponent(msgId)],
      ]),
    });
  }

  #onPassedAnswer(msg: Msg): void {
    try {
      const endpointId = decodeURIComponent(msg.headers?.get(ENDPOINT_HEADER) ?? '');
      const msgId = decodeURIComponent(msg.headers?.get(MSG_ID_HEADER) ?? '');
      const reply = mesh.usp.v1.SendReply.decode(msg.data);
      this.#resolve(endpointId, msgId, { record: reply.record, msg: reply.msg });
    } catch {
      // Only router replicas publish here; a bad message is ignored.
    }
  }

  #resolve(endpointId: string, wireMsgId: string, answer: Answer): boolean {
    const waiting = this.#pending.take(endpointId, wireMsgId);
    if (waiting === undefined) return false;
    clearTimeout(waiting.timer);
    this.#parts.counters.answersMatched++;
    try {
      waiting.resolve(restoreAnswer(answer, waiting.wireMsgId, waiting.msgId));
    } catch (error) {
      // The answer decoded when it was read; this is a bug, answered as an internal error.
      waiting.reject(error as Error);
    }
    return true;
  }
}
