// The value kept under a client id in the sessions bucket (nats-session-store.ts), and its
// validation. What comes back from NATS is input like any other: another version, a hand edit
// (`nats kv put`) or a bug elsewhere may have written it, so every field is checked and the
// subscriptions are rebuilt from checked fields before they reach the engine, whose index would
// throw on an invalid filter (subscription-index.ts).
//
// Besides the session itself a record names who wrote it (`owner`: the replica's per-process id)
// and when that replica's connection for the client id attached (`since`), which orders writes
// of replicas that raced (see the store). When a session ends, an `ended` record takes its place
// for a while, so that a late save from an older connection cannot bring it back.
import { validateTopicFilter } from '@octomesh/acl-rules';
import type { StoredSession, Subscription, SubscriptionOptions } from '@octomesh/mqtt-engine';

/** The record layout written by this code; records of other versions are left alone. */
export const SESSION_RECORD_VERSION = 1;

/** What a record says about a client id. */
export type SessionRecord =
  | { kind: 'session'; owner: string; since: number; session: StoredSession }
  | { kind: 'ended'; owner: string; since: number; endedAt: number };

/** A decoded record, or why it cannot be used (`unknownVersion`: written by another version). */
export type DecodedRecord =
  { ok: true; record: SessionRecord } | { ok: false; problem: string; unknownVersion: boolean };

// Bounds of what a record may hold: MQTT strings are at most 65,535 bytes, session expiry is a
// four-byte integer [MQTT-3.1.2-11], subscription identifiers run to 268,435,455 [MQTT-3.3.2-18].
const MAX_STRING = 65_535;
const MAX_EXPIRY_SECONDS = 0xffff_ffff;
const MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;
// A share name never holds these [MQTT-4.8.2-2]; U+0000 is barred from every MQTT string.
const FORBIDDEN_IN_GROUP = ['/', '+', '#', '\u0000'];

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes stored for a record (JSON; the client id of each subscription is implied by the key). */
export function encodeSessionRecord(record: SessionRecord): Uint8Array {
  const head = { v: SESSION_RECORD_VERSION, owner: record.owner, since: record.since };
  if (record.kind === 'ended') {
    return encoder.encode(JSON.stringify({ ...head, endedAt: record.endedAt }));
  }
  const s = record.session;
  return encoder.encode(
    JSON.stringify({
      ...head,
      session: {
        clientId: s.clientId,
        identitySubject: s.identitySubject,
        expirySeconds: s.expirySeconds,
        disconnectedAt: s.disconnectedAt,
        ...(s.connected === true ? { connected: true } : {}),
        subscriptions: s.subscriptions.map((sub) => ({
          filter: sub.filter,
          ...(sub.shareGroup !== undefined ? { shareGroup: sub.shareGroup } : {}),
          options: sub.options,
        })),
      },
    }),
  );
}

/** Thrown inside the decoder only: the first problem found. */
class Invalid extends Error {}

/**
 * Decodes and checks the record stored under `clientId`'s key; at most `maxSubscriptions`
 * subscriptions are accepted.
 */
export function decodeSessionRecord(
  bytes: Uint8Array,
  clientId: string,
  maxSubscriptions: number,
): DecodedRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, problem: 'not JSON', unknownVersion: false };
  }
  if (!isObject(raw)) return { ok: false, problem: 'not an object', unknownVersion: false };
  if (raw.v !== SESSION_RECORD_VERSION) {
    const newer = Number.isSafeInteger(raw.v) && (raw.v as number) > SESSION_RECORD_VERSION;
    return { ok: false, problem: `record version ${String(raw.v)}`, unknownVersion: newer };
  }
  try {
    const owner = text(raw.owner, 'owner', 1);
    const since = instant(raw.since, 'since');
    if (raw.session === undefined) {
      return {
        ok: true,
        record: { kind: 'ended', owner, since, endedAt: instant(raw.endedAt, 'endedAt') },
      };
    }
    const session = decodeSession(raw.session, clientId, maxSubscriptions);
    return { ok: true, record: { kind: 'session', owner, since, session } };
  } catch (error) {
    if (error instanceof Invalid) {
      return { ok: false, problem: error.message, unknownVersion: false };
    }
    throw error;
  }
}

function decodeSession(raw: unknown, clientId: string, maxSubscriptions: number): StoredSession {
  if (!isObject(raw)) throw new Invalid('session is not an object');
  // The key was derived from the client id: a record under another client's key is not theirs.
  if (raw.clientId !== clientId) throw new Invalid('client id does not match the key');
  const subscriptions = raw.subscriptions;
  if (!Array.isArray(subscriptions)) throw new Invalid('subscriptions is not an array');
  if (subscriptions.length > maxSubscriptions) {
    throw new Invalid(`more than ${maxSubscriptions} subscriptions`);
  }
  return {
    clientId,
    identitySubject: text(raw.identitySubject, 'identitySubject', 1),
    expirySeconds: integer(raw.expirySeconds, 'expirySeconds', 0, MAX_EXPIRY_SECONDS),
    subscriptions: subscriptions.map((sub) => decodeSubscription(sub, clientId)),
    disconnectedAt: instant(raw.disconnectedAt, 'disconnectedAt'),
    ...(raw.connected === undefined ? {} : { connected: flag(raw.connected, 'connected') }),
  };
}

// The same checks as the SUBSCRIBE handler and the index (subscription-index.ts assertValid).
function decodeSubscription(raw: unknown, clientId: string): Subscription {
  if (!isObject(raw) || !isObject(raw.options)) throw new Invalid('subscription is not an object');
  const filter = text(raw.filter, 'filter', 1);
  const problem = validateTopicFilter(filter);
  if (problem !== undefined) throw new Invalid(`filter ${JSON.stringify(filter)}: ${problem}`);
  const o = raw.options;
  const options: SubscriptionOptions = {
    qos: integer(o.qos, 'qos', 0, 2) as SubscriptionOptions['qos'],
    noLocal: flag(o.noLocal, 'noLocal'),
    retainAsPublished: flag(o.retainAsPublished, 'retainAsPublished'),
    retainHandling: integer(o.retainHandling, 'retainHandling', 0, 2) as 0 | 1 | 2,
  };
  if (o.subscriptionIdentifier !== undefined) {
    options.subscriptionIdentifier = integer(
      o.subscriptionIdentifier,
      'subscriptionIdentifier',
      1,
      MAX_SUBSCRIPTION_IDENTIFIER,
    );
  }
  if (raw.shareGroup === undefined) return { clientId, filter, options };
  const shareGroup = text(raw.shareGroup, 'shareGroup', 1);
  if (FORBIDDEN_IN_GROUP.some((char) => shareGroup.includes(char))) {
    throw new Invalid('share group holds /, + or # [MQTT-4.8.2-2]');
  }
  if (options.noLocal) throw new Invalid('No Local on a shared subscription [MQTT-3.8.3-4]');
  return { clientId, filter, shareGroup, options };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, minLength: number): string {
  if (typeof value !== 'string' || value.length < minLength || value.length > MAX_STRING) {
    throw new Invalid(`${field} is not a string of ${minLength} to ${MAX_STRING} characters`);
  }
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new Invalid(`${field} is not an integer from ${min} to ${max}`);
  }
  return value as number;
}

function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(`${field} is not a boolean`);
  return value;
}

// Milliseconds since the epoch.
function instant(value: unknown, field: string): number {
  return integer(value, field, 0, Number.MAX_SAFE_INTEGER);
}
