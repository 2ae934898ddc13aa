// USP Messages (TR-369 1.4, usp.Msg), the payload of a NoSessionContextRecord, to and from bytes.
import { InvalidMessageError } from '../errors.ts';
import { usp } from '../proto.ts';
import { decodeChecked } from './decode-checked.ts';

/** Encodes a Msg; throws InvalidMessageError when it is ill-typed or lacks header or body. */
export function encodeUspMsg(msg: usp.IMsg): Uint8Array {
  const problem = usp.Msg.verify(msg as Record<string, unknown>) ?? findMsgProblem(msg);
  if (problem !== undefined) {
    throw new InvalidMessageError(`cannot encode usp.Msg: ${problem}`);
  }
  return usp.Msg.encode(msg).finish();
}

/** Decodes and checks a Msg; throws UspDecodeError for bytes that are not a valid one. */
export function decodeUspMsg(bytes: Uint8Array): usp.Msg {
  return decodeChecked(bytes, 'usp.Msg', usp.Msg, findMsgProblem);
}

// The proto marks header and body "Make required in the protocol"; proto3 cannot, so we do. A
// body carrying none of request, response and error is as empty as a missing one.
function findMsgProblem(msg: usp.IMsg): string | undefined {
  if (msg.header == null) return 'header is not set';
  if (msg.body == null) return 'body is not set';
  if (usp.Body.create(msg.body).msgBody === undefined) {
    return 'body carries none of request, response, error';
  }
  return undefined;
}
