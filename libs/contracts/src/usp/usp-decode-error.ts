// The one error USP decoding throws, so callers can answer a bad Record or Msg (drop it, or reply
// with a USP Error) without parsing protobufjs' messages.
import { OctomeshError } from '../errors.ts';

/** The USP message types the boundary decodes. */
export type UspTypeName = 'usp_record.Record' | 'usp.Msg';

/** Bytes that are not a valid USP Record or Msg; `cause` holds protobufjs' error when it threw. */
export class UspDecodeError extends OctomeshError {
  readonly typeName: UspTypeName;
  readonly problem: string;

  constructor(typeName: UspTypeName, problem: string, options: { cause?: unknown } = {}) {
    super('USP_DECODE_FAILED', `cannot decode ${typeName}: ${problem}`, { cause: options.cause });
    this.typeName = typeName;
    this.problem = problem;
  }
}
