// The USP boundary in three steps, in this order: a wire walk against the schema (protobufjs
// would otherwise accept mistyped fields as garbage), protobufjs' decode, then the rules protobuf
// cannot express (a Record needs a record_type, a Msg a header and body). Every failure becomes a
// UspDecodeError.
import { findWireProblem } from './find-wire-problem.ts';
import { UspDecodeError, type UspTypeName } from './usp-decode-error.ts';
import { uspWireSchema } from './usp-wire-schema.ts';

/** The static decode protobufjs generates for a message type. */
export interface GeneratedDecoder<T> {
  decode(bytes: Uint8Array): T;
}

/** Decodes `bytes` as `typeName` and checks it; throws UspDecodeError for anything invalid. */
export function decodeChecked<T>(
  bytes: Uint8Array,
  typeName: UspTypeName,
  type: GeneratedDecoder<T>,
  findProblem: (message: T) => string | undefined,
): T {
  const wireProblem = findWireProblem(bytes, typeName, uspWireSchema);
  if (wireProblem !== undefined) throw new UspDecodeError(typeName, wireProblem);
  let message: T;
  try {
    message = type.decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UspDecodeError(typeName, reason, { cause: error });
  }
  const problem = findProblem(message);
  if (problem !== undefined) throw new UspDecodeError(typeName, problem);
  return message;
}
