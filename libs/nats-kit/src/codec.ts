// Protobuf encode/decode at the NATS boundary: anything that arrives is decoded defensively and
// validated before a handler sees it.
import { InvalidMessageError } from '@octomesh/contracts';

/** Turns values into bytes and back; decode throws InvalidMessageError for bad input. */
export interface Codec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** The static methods protobufjs generates for every message type. */
export interface ProtoType<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(reader: Uint8Array): T;
  verify(message: Record<string, unknown>): string | null;
}

/** Upper bound for a mesh message; a larger body is refused before decoding. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * A codec for a generated protobuf type. `validate` adds domain checks beyond protobuf's own
 * (return a problem string to refuse).
 */
export function protoCodec<T>(
  type: ProtoType<T>,
  name: string,
  validate?: (value: T) => string | undefined,
): Codec<T> {
  return {
    encode(value) {
      const problem = type.verify(value as Record<string, unknown>);
      if (problem !== null) throw new InvalidMessageError(`cannot encode ${name}: ${problem}`);
      return type.encode(value).finish();
    },
    decode(bytes) {
      if (bytes.length > MAX_MESSAGE_BYTES) {
        throw new InvalidMessageError(
          `${name} of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`,
        );
      }
      let value: T;
      try {
        value = type.decode(bytes);
      } catch (error) {
        throw new InvalidMessageError(`cannot decode ${name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const problem = validate?.(value);
      if (problem !== undefined) throw new InvalidMessageError(`invalid ${name}: ${problem}`);
      return value;
    },
  };
}
