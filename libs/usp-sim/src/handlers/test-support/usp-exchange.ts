// Test helpers: a simulated agent's model on a fixed clock, and a request/answer exchange that
// goes through the protobuf encoding both ways, as on the wire.
import { decodeUspMsg, encodeUspMsg, usp } from '@octomesh/contracts';
import type { DeviceModel } from '../../model/device-model.ts';
import { createSimDeviceModel, identityFor } from '../../model/sim-data-model.ts';
import { handleUspMsg } from '../handle-msg.ts';
import type { AgentEffect } from '../handler-context.ts';

/** The controller endpoint id the tests send from. */
export const CONTROLLER_ID = 'self::controller-1';
/** The simulated agent's endpoint id. */
export const AGENT_ID = 'os::012345-SIM-7';
/** The fixed boot time of test models (ms). */
export const BOOT_MS = Date.UTC(2025, 0, 1, 12, 0, 0);

/** A model whose clock reads `clock.ms`. */
export function testModel(clock = { ms: BOOT_MS }): DeviceModel {
  return createSimDeviceModel(identityFor(AGENT_ID), { now: () => clock.ms });
}

/**
 * A message as protobufjs decodes it, typed for tests: every field present (decoding fills
 * repeated and map fields; tests assert on the oneof members they expect, which throws if absent).
 */
export type Decoded<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? Decoded<U>[]
    : T extends object
      ? { [K in keyof T]-?: Decoded<NonNullable<T[K]>> }
      : T;

/** What the agent answered, as a controller decodes it. */
export interface Exchange {
  readonly reply: Decoded<usp.IMsg> | undefined;
  readonly effects: readonly AgentEffect[];
}

/** Sends one request (encoded and decoded like on the wire) and decodes the answer. */
export function exchange(model: DeviceModel, request: usp.IRequest, msgId = 'msg-1'): Exchange {
  const msgType = usp.Header.MsgType[requestType(request)];
  const wire = decodeUspMsg(encodeUspMsg({ header: { msgId, msgType }, body: { request } }));
  const result = handleUspMsg(wire, { model, controllerId: CONTROLLER_ID });
  return {
    reply:
      result.reply === undefined
        ? undefined
        : (decodeUspMsg(encodeUspMsg(result.reply)) as Decoded<usp.IMsg>),
    effects: result.effects,
  };
}

/** The response body of an answer, failing the test when it is an Error. */
export function responseOf(answer: Exchange): Decoded<usp.IResponse> {
  const body = answer.reply?.body;
  if (body?.response == null)
    throw new Error(`expected a response, got ${JSON.stringify(answer.reply)}`);
  return body.response;
}

/** The Error body of an answer, failing the test when it is a response. */
export function errorOf(answer: Exchange): Decoded<usp.IError> {
  const body = answer.reply?.body;
  if (body?.error == null)
    throw new Error(`expected an Error, got ${JSON.stringify(answer.reply)}`);
  return body.error;
}

function requestType(request: usp.IRequest): keyof typeof usp.Header.MsgType {
  if (request.get) return 'GET';
  if (request.set) return 'SET';
  if (request.add) return 'ADD';
  if (request.delete) return 'DELETE';
  if (request.operate) return 'OPERATE';
  if (request.getInstances) return 'GET_INSTANCES';
  if (request.getSupportedDm) return 'GET_SUPPORTED_DM';
  if (request.getSupportedProtocol) return 'GET_SUPPORTED_PROTO';
  if (request.notify) return 'NOTIFY';
  if (request.register) return 'REGISTER';
  return 'DEREGISTER';
}
