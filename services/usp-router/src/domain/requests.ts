// Request matching as pure logic (issue 9 §5). Controllers choose their msg_ids, so two of
// them may use one id for one endpoint at once, each through another router replica. The
// router therefore sends every request with a msg_id of its own, unique across the cluster,
// matches the answer by (endpoint, that id) and gives the controller its answer with its own
// msg_id restored. Agents echo msg_id (and MQTT 5 agents the Correlation Data) unchanged, so
// this is transparent to them.
import {
  decodeUspMsg,
  decodeUspRecord,
  encodeUspMsg,
  encodeUspRecord,
  RequestRefusedError,
  validateEndpointIdForTopic,
  type mesh,
  type usp,
} from '@octomesh/contracts';
import { recordFor } from './records.ts';

/** What the router's settings say about requests. */
export interface RequestSettings {
  /** Controller endpoint ids served; the first is the default from_id. */
  controllerIds: readonly string[];
  requestTimeoutMs: number;
  maxRequestTimeoutMs: number;
}

/** A send request that passed the checks that need no decoding. */
export interface CheckedRequest {
  endpointId: string;
  controllerId: string;
  timeoutMs: number;
}

/** Checks a send request's endpoint, its choice of msg or record, its controller and deadline. */
export function checkSendRequest(
  request: mesh.usp.v1.ISendRequest,
  settings: RequestSettings,
): CheckedRequest {
  const endpointId = request.endpointId ?? '';
  const idProblem = validateEndpointIdForTopic(endpointId);
  if (idProblem !== undefined) throw new RequestRefusedError(400, `endpoint id: ${idProblem}`);
  const hasMsg = (request.msg?.length ?? 0) > 0;
  const hasRecord = (request.record?.length ?? 0) > 0;
  if (hasMsg === hasRecord) throw new RequestRefusedError(400, 'set exactly one of msg and record');
  const controllerId = request.controllerId || settings.controllerIds[0]!;
  if (!settings.controllerIds.includes(controllerId))
    throw new RequestRefusedError(
      400,
      `controller id ${controllerId} is not served by this router`,
    );
  const timeoutMs = Math.min(
    request.timeoutMs || settings.requestTimeoutMs,
    settings.maxRequestTimeoutMs,
  );
  return { endpointId, controllerId, timeoutMs };
}

/** A request as it goes to the agent. */
export interface WireRequest {
  /** The Record sent, carrying {@link wireMsgId}. */
  record: Uint8Array;
  /** The router's msg_id on the wire: the key of the pending request. */
  wireMsgId: string;
  /** The msg_id the controller gets back: its own, or the router's when it gave none. */
  msgId: string;
}

/**
 * Makes unique wire msg_ids for one router process. `tag` must be unique per process (random);
 * the controller's msg_id stays in front so agent logs still show it.
 */
export function wireMsgIds(tag: string): (controllerMsgId: string) => string {
  let next = 0;
  return (controllerMsgId) => {
    next = (next + 1) % Number.MAX_SAFE_INTEGER;
    const own = `${tag}.${next.toString(36)}`;
    return controllerMsgId === '' ? own : `${controllerMsgId}#${own}`;
  };
}

/**
 * The Record to send for a checked request, with a new wire msg_id from `nextWireMsgId`. A Msg
 * is wrapped in a Record (to_id the endpoint, from_id the controller); a given Record must be a
 * no_session_context one addressed to the endpoint, with a msg_id and no signature (the new
 * msg_id would break it).
 */
export function wireRequest(
  request: mesh.usp.v1.ISendRequest,
  checked: CheckedRequest,
  nextWireMsgId: (controllerMsgId: string) => string,
): WireRequest {
  try {
    if ((request.msg?.length ?? 0) > 0) {
      const msg = decodeUspMsg(request.msg!);
      const given = msg.header?.msgId ?? '';
      const wireMsgId = nextWireMsgId(given);
      const record = recordFor(checked.endpointId, checked.controllerId, withMsgId(msg, wireMsgId));
      return { record, wireMsgId, msgId: given || wireMsgId };
    }
    const record = decodeUspRecord(request.record!);
    if (record.recordType !== 'noSessionContext')
      throw new RequestRefusedError(400, 'only no_session_context records can be sent');
    if (record.toId !== checked.endpointId)
      throw new RequestRefusedError(400, 'the record is addressed to another endpoint');
    const msg = decodeUspMsg(record.noSessionContext?.payload ?? new Uint8Array());
    const given = msg.header?.msgId ?? '';
    if (given === '') throw new RequestRefusedError(400, "the record's msg has no msg_id");
    if (record.macSignature.length > 0)
      throw new RequestRefusedError(
        400,
        'a signed record cannot be sent: the router gives it its own msg_id; send the msg',
      );
    const wireMsgId = nextWireMsgId(given);
    return {
      record: withPayload(record, withMsgId(msg, wireMsgId)),
      wireMsgId,
      msgId: given,
    };
  } catch (error) {
    if (error instanceof RequestRefusedError) throw error;
    throw new RequestRefusedError(400, (error as Error).message);
  }
}

/** An agent's answer as the router read it. */
export interface Answer {
  /** The whole Record. */
  record: Uint8Array;
  /** Its usp.Msg. */
  msg: Uint8Array;
}

/**
 * The answer as the controller gets it: carrying the controller's msg_id instead of the wire
 * one. A Record signature the agent added is removed with the change: it no longer matches.
 */
export function restoreAnswer(answer: Answer, wireMsgId: string, msgId: string): Answer {
  if (msgId === wireMsgId) return answer;
  const msg = withMsgId(decodeUspMsg(answer.msg), msgId);
  const record = decodeUspRecord(answer.record);
  return { record: withPayload({ ...record, macSignature: new Uint8Array() }, msg), msg };
}

function withMsgId(msg: usp.IMsg, msgId: string): Uint8Array {
  return encodeUspMsg({ ...msg, header: { ...msg.header, msgId } });
}

function withPayload(record: Parameters<typeof encodeUspRecord>[0], msg: Uint8Array): Uint8Array {
  return encodeUspRecord({ ...record, noSessionContext: { payload: msg } });
}

/**
 * Requests waiting for their answers, keyed by endpoint and wire msg_id: an answer resolves a
 * request only when it comes from the endpoint the request went to.
 */
export class PendingRequests<T> {
  readonly #byKey = new Map<string, T>();

  /** How many are waiting. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Adds a request; false (nothing added) when one with that key is already waiting. */
  add(endpointId: string, wireMsgId: string, request: T): boolean {
    const key = pendingKey(endpointId, wireMsgId);
    if (this.#byKey.has(key)) return false;
    this.#byKey.set(key, request);
    return true;
  }

  /** Removes and returns the request an answer is for, if it is waiting. */
  take(endpointId: string, wireMsgId: string): T | undefined {
    const key = pendingKey(endpointId, wireMsgId);
    const request = this.#byKey.get(key);
    this.#byKey.delete(key);
    return request;
  }

  /** Removes and returns every waiting request. */
  takeAll(): T[] {
    const all = [...this.#byKey.values()];
    this.#byKey.clear();
    return all;
  }
}

// NUL cannot occur in an endpoint id that is a valid topic level.
function pendingKey(endpointId: string, wireMsgId: string): string {
  return `${endpointId}\u0000${wireMsgId}`;
}
