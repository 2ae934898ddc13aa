import type { StoredSession } from '@octomesh/mqtt-engine';
import { decodeSessionRecord, encodeSessionRecord } from './session-record.ts';

const session: StoredSession = {
  clientId: 'dev-1',
  identitySubject: 'user:dev-1',
  expirySeconds: 3600,
  disconnectedAt: 1_700_000_000_000,
  subscriptions: [
    {
      clientId: 'dev-1',
      filter: 'a/+',
      options: {
        qos: 1,
        noLocal: true,
        retainAsPublished: false,
        retainHandling: 1,
        subscriptionIdentifier: 7,
      },
    },
    {
      clientId: 'dev-1',
      filter: 'b/#',
      shareGroup: 'g',
      options: { qos: 2, noLocal: false, retainAsPublished: true, retainHandling: 0 },
    },
  ],
};

const bytesOf = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const stored = (): Record<string, unknown> =>
  JSON.parse(
    new TextDecoder().decode(
      encodeSessionRecord({ kind: 'session', owner: 'r1', since: 5, session }),
    ),
  ) as Record<string, unknown>;
// The stored record with one field of its first subscription (or of the session) replaced.
const withSubscription = (change: Record<string, unknown>): Uint8Array => {
  const record = stored();
  const s = record.session as { subscriptions: Record<string, unknown>[] };
  s.subscriptions[0] = { ...s.subscriptions[0], ...change };
  return bytesOf(record);
};
const withOptions = (change: Record<string, unknown>): Uint8Array => {
  const record = stored();
  const s = record.session as { subscriptions: { options: Record<string, unknown> }[] };
  s.subscriptions[0]!.options = { ...s.subscriptions[0]!.options, ...change };
  return bytesOf(record);
};
const withSession = (change: Record<string, unknown>): Uint8Array => {
  const record = stored();
  record.session = { ...(record.session as object), ...change };
  return bytesOf(record);
};

describe('session records in the sessions bucket', () => {
  test('a session record decodes back to the session it was made from', () => {
    const bytes = encodeSessionRecord({ kind: 'session', owner: 'r1', since: 5, session });
    expect(decodeSessionRecord(bytes, 'dev-1', 100)).toEqual({
      ok: true,
      record: { kind: 'session', owner: 'r1', since: 5, session },
    });
  });

  test('an ended record decodes with its end time', () => {
    const bytes = encodeSessionRecord({ kind: 'ended', owner: 'r2', since: 5, endedAt: 9 });
    expect(decodeSessionRecord(bytes, 'dev-1', 100)).toEqual({
      ok: true,
      record: { kind: 'ended', owner: 'r2', since: 5, endedAt: 9 },
    });
  });

  test('fields a record does not define are not passed on to the engine', () => {
    const record = stored();
    (record.session as { extra?: number }).extra = 1;
    const decoded = decodeSessionRecord(bytesOf(record), 'dev-1', 100);
    expect(decoded.ok && decoded.record.kind === 'session' && decoded.record.session).toEqual(
      session,
    );
  });

  test.each([
    ['bytes that are not UTF-8 JSON', new Uint8Array([0xff, 0x7b]), 'not JSON'],
    ['JSON that is not an object', bytesOf([1]), 'not an object'],
    ['a record of an unknown version', bytesOf({ ...stored(), v: 0 }), 'record version 0'],
    ['a record under another client id', withSession({ clientId: 'dev-2' }), 'client id'],
    ['an expiry that is a string', withSession({ expirySeconds: '60' }), 'expirySeconds'],
    ['an expiry beyond four bytes', withSession({ expirySeconds: 2 ** 32 }), 'expirySeconds'],
    ['subscriptions that are not an array', withSession({ subscriptions: {} }), 'not an array'],
    ['a negative disconnect time', withSession({ disconnectedAt: -1 }), 'disconnectedAt'],
    ['an empty identity subject', withSession({ identitySubject: '' }), 'identitySubject'],
    ['a filter with # inside [MQTT-4.7.1-1]', withSubscription({ filter: 'a/#/b' }), 'filter'],
    ['a filter with a partial + [MQTT-4.7.1-2]', withSubscription({ filter: 'a+' }), 'filter'],
    ['an empty filter', withSubscription({ filter: '' }), 'filter'],
    ['a share group with / [MQTT-4.8.2-2]', withSubscription({ shareGroup: 'g/x' }), 'share'],
    [
      'No Local on a shared subscription [MQTT-3.8.3-4]',
      withSubscription({ shareGroup: 'g' }),
      'No Local',
    ],
    ['QoS 3', withOptions({ qos: 3 }), 'qos'],
    ['Retain Handling 3', withOptions({ retainHandling: 3 }), 'retainHandling'],
    ['No Local that is not a boolean', withOptions({ noLocal: 1 }), 'noLocal'],
    [
      'subscription identifier 0 [MQTT-3.8.2-2]',
      withOptions({ subscriptionIdentifier: 0 }),
      'subscriptionIdentifier',
    ],
  ])('%s: refused, the problem named', (_what, bytes, problem) => {
    const decoded = decodeSessionRecord(bytes, 'dev-1', 100);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.problem).toContain(problem);
  });

  test('a record with more subscriptions than allowed is refused', () => {
    const bytes = encodeSessionRecord({ kind: 'session', owner: 'r1', since: 5, session });
    expect(decodeSessionRecord(bytes, 'dev-1', 1)).toMatchObject({ ok: false });
  });

  test('a record of a newer version is told apart from a broken one', () => {
    expect(decodeSessionRecord(bytesOf({ ...stored(), v: 2 }), 'dev-1', 100)).toMatchObject({
      ok: false,
      unknownVersion: true,
    });
  });
});
