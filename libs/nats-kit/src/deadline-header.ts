// The caller's time budget travels with each request, so a service under load can drop work
// (scrypt) whose caller has already given up. A budget in milliseconds rather than a wall-clock
// instant: the caller's and the service's clocks need not agree.
import type { MsgHdrs } from '@nats-io/nats-core';

/** Header carrying the caller's remaining time budget in milliseconds. */
export const BUDGET_HEADER = 'Octomesh-Budget-Ms';

/** Puts a budget of `timeoutMs` on `headers`. */
export function setBudget(headers: MsgHdrs, timeoutMs: number): MsgHdrs {
  headers.set(BUDGET_HEADER, String(Math.max(0, Math.floor(timeoutMs))));
  return headers;
}

/** The local deadline (ms since the epoch) of a request that arrived at `arrival`, if it had a budget. */
export function readDeadline(
  headers: MsgHdrs | undefined,
  arrival = Date.now(),
): number | undefined {
  if (headers === undefined || !headers.has(BUDGET_HEADER)) return undefined;
  const budget = Number(headers.get(BUDGET_HEADER));
  return Number.isFinite(budget) && budget >= 0 ? arrival + budget : undefined;
}
