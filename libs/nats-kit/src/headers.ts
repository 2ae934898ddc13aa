// NATS headers from plain (name, value) entries, so services build them without importing
// the NATS client.
import { headers, type MsgHdrs } from '@nats-io/nats-core';

/** Headers holding `entries` in order (a name may repeat). */
export function headersOf(entries: Iterable<readonly [string, string]>): MsgHdrs {
  const result = headers();
  for (const [name, value] of entries) result.append(name, value);
  return result;
}
