// USP Records (TR-369 1.4, usp_record.Record) to and from the bytes an MTP carries. The Record's
// payload stays bytes: a NoSessionContextRecord's payload is a serialized usp.Msg that the caller
// decodes with decodeUspMsg, while a SessionContextRecord's payloads may be segments of one.
import { InvalidMessageError } from '../errors.ts';
import { usp_record } from '../proto.ts';
import { decodeChecked } from './decode-checked.ts';

/** Encodes a Record; throws InvalidMessageError when it is ill-typed or has no record_type. */
export function encodeUspRecord(record: usp_record.IRecord): Uint8Array {
  const problem =
    usp_record.Record.verify(record as Record<string, unknown>) ??
    findRecordProblem(usp_record.Record.create(record));
  if (problem !== undefined) {
    throw new InvalidMessageError(`cannot encode usp_record.Record: ${problem}`);
  }
  return usp_record.Record.encode(record).finish();
}

/** Decodes and checks a Record; throws UspDecodeError for bytes that are not a valid one. */
export function decodeUspRecord(bytes: Uint8Array): usp_record.Record {
  return decodeChecked(bytes, 'usp_record.Record', usp_record.Record, findRecordProblem);
}

// A Record with no record_type carries nothing an endpoint could act on.
function findRecordProblem(record: usp_record.Record): string | undefined {
  return record.recordType === undefined ? 'record_type is not set' : undefined;
}
