// The caller's deadline travels with each request, so a service under load skips requests
// whose caller has already given up instead of doing expensive work (scrypt) for nobody.
import type { MsgHdrs } from '@nats-io/nats-core';

/** Header carrying the caller's deadline as milliseconds since the Unix epoch. */
export const DEADLINE_HEADER = 'Octomesh-Deadline';

/** Sets the deadline `timeoutMs` from now on `headers`. */
export function setDeadline(headers: MsgHdrs, timeoutMs: number, now = Date.now()): MsgHdrs {
  headers.set(DEADLINE_HEADER, String(now + timeoutMs));
  return headers;
}

/** The request's deadline (ms since the epoch), or undefined when it carried none. */
export function readDeadline(headers: MsgHdrs | undefined): number | undefined {
  if (headers === undefined || !headers.has(DEADLINE_HEADER)) return undefined;
  const deadline = Number(headers.get(DEADLINE_HEADER));
  return Number.isFinite(deadline) ? deadline : undefined;
}

/** True when the request carried a deadline that has passed. */
export function deadlinePassed(headers: MsgHdrs | undefined, now = Date.now()): boolean {
  const deadline = readDeadline(headers);
  return deadline !== undefined && deadline < now;
}
