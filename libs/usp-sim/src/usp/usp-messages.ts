// Builders for the USP Messages an agent sends: responses, Errors and Notify requests.
import { usp } from '@octomesh/contracts';
import type { UspErrorCode } from './usp-error-codes.ts';

/** A USP Error body (err_code, err_msg and per-path details). */
export interface UspErrorBody {
  readonly errCode: UspErrorCode;
  readonly errMsg: string;
  readonly paramErrs?: readonly usp.Error.IParamError[];
}

/** A response Msg answering `msgId`. */
export function responseMsg(
  msgId: string,
  msgType: usp.Header.MsgType,
  response: usp.IResponse,
): usp.IMsg {
  return { header: { msgId, msgType }, body: { response } };
}

/** An Error Msg answering `msgId`. */
export function errorMsg(msgId: string, error: UspErrorBody): usp.IMsg {
  return {
    header: { msgId, msgType: usp.Header.MsgType.ERROR },
    body: {
      error: {
        errCode: error.errCode,
        errMsg: error.errMsg,
        paramErrs: [...(error.paramErrs ?? [])],
      },
    },
  };
}

/** A Notify request Msg. */
export function notifyMsg(msgId: string, notify: usp.INotify): usp.IMsg {
  return {
    header: { msgId, msgType: usp.Header.MsgType.NOTIFY },
    body: { request: { notify } },
  };
}
