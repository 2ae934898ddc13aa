// Dispatches one USP Msg received by an agent to its handler and wraps the answer: the response
// type that goes with each request, an Error for requests an agent does not take (Notify,
// Register, Deregister: 7001) and 7003 for a handler that failed unexpectedly. Responses and
// Errors addressed to the agent answer its own Notify requests.
import { usp } from '@octomesh/contracts';
import { SUPPORTED_USP_VERSIONS } from '../model/sim-data-model.ts';
import { UspErrorCodes } from '../usp/usp-error-codes.ts';
import { errorMsg, responseMsg } from '../usp/usp-messages.ts';
import { handleAdd } from './add.ts';
import { handleDelete } from './delete.ts';
import { handleGetInstances } from './get-instances.ts';
import { handleGetSupportedDm } from './get-supported-dm.ts';
import { handleGet } from './get.ts';
import type {
  AgentEffect,
  HandlerContext,
  HandlerResult,
  RequestOutcome,
} from './handler-context.ts';
import { handleOperate } from './operate.ts';
import { handleSet } from './set.ts';

const MsgType = usp.Header.MsgType;

/** Handles a Msg addressed to the agent; never throws. */
export function handleUspMsg(msg: usp.IMsg, ctx: HandlerContext): HandlerResult {
  const msgId = msg.header?.msgId ?? '';
  const body = msg.body;
  if (body?.request != null) {
    try {
      return handleRequest(msgId, body.request, ctx);
    } catch (error) {
      return {
        reply: errorMsg(msgId, {
          errCode: UspErrorCodes.internalError,
          errMsg: `internal error: ${(error as Error).message}`,
        }),
        effects: [],
      };
    }
  }
  // A NotifyResp, or an Error answering a Notify, ends that Notify's retries.
  if (body?.response?.notifyResp != null || body?.error != null)
    return { reply: undefined, effects: [{ kind: 'notifyAnswered', msgId }] };
  return { reply: undefined, effects: [] };
}

function handleRequest(msgId: string, request: usp.IRequest, ctx: HandlerContext): HandlerResult {
  const answer = (
    msgType: usp.Header.MsgType,
    outcome: RequestOutcome,
    effects: AgentEffect[] = [],
  ) => ({
    reply:
      'error' in outcome
        ? errorMsg(msgId, outcome.error)
        : responseMsg(msgId, msgType, outcome.response),
    effects,
  });
  if (request.get != null)
    return answer(MsgType.GET_RESP, { response: handleGet(request.get, ctx) });
  if (request.set != null) return answer(MsgType.SET_RESP, handleSet(request.set, ctx));
  if (request.add != null) return answer(MsgType.ADD_RESP, handleAdd(request.add, ctx));
  if (request.delete != null) return answer(MsgType.DELETE_RESP, handleDelete(request.delete, ctx));
  if (request.operate != null) {
    const { outcome, effects } = handleOperate(request.operate, ctx);
    return outcome === undefined
      ? { reply: undefined, effects }
      : answer(MsgType.OPERATE_RESP, outcome, effects);
  }
  if (request.getInstances != null)
    return answer(MsgType.GET_INSTANCES_RESP, {
      response: handleGetInstances(request.getInstances, ctx),
    });
  if (request.getSupportedDm != null)
    return answer(MsgType.GET_SUPPORTED_DM_RESP, {
      response: handleGetSupportedDm(request.getSupportedDm, ctx),
    });
  if (request.getSupportedProtocol != null)
    return answer(MsgType.GET_SUPPORTED_PROTO_RESP, {
      response: {
        getSupportedProtocolResp: { agentSupportedProtocolVersions: SUPPORTED_USP_VERSIONS },
      },
    });
  const kind =
    request.notify != null
      ? 'Notify'
      : request.register != null
        ? 'Register'
        : request.deregister != null
          ? 'Deregister'
          : 'this request';
  return answer(MsgType.ERROR, {
    error: { errCode: UspErrorCodes.messageNotSupported, errMsg: `an agent does not take ${kind}` },
  });
}
