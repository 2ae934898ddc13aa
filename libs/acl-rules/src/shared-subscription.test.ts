import { AclTopicError } from './errors.ts';
import { parseSharedSubscription, parseSubscriptionFilter } from './shared-subscription.ts';
import { thrownBy } from './test-support/thrown-by.ts';

describe('parseSubscriptionFilter', () => {
  test('passes a plain filter through with no group', () => {
    expect(parseSubscriptionFilter('a/+/#')).toEqual({
      ok: true,
      group: undefined,
      filter: 'a/+/#',
    });
  });

  test('unwraps $share/<group>/<filter> to judge the inner filter', () => {
    expect(parseSubscriptionFilter('$share/workers/oktopus/usp/v1/agent/+')).toEqual({
      ok: true,
      group: 'workers',
      filter: 'oktopus/usp/v1/agent/+',
    });
    expect(parseSubscriptionFilter('$share/g/#')).toEqual({ ok: true, group: 'g', filter: '#' });
  });

  test('treats a first level that only starts with $share as a plain filter', () => {
    expect(parseSubscriptionFilter('$shared/g/a')).toEqual({
      ok: true,
      group: undefined,
      filter: '$shared/g/a',
    });
  });

  test.each([
    ['$share', /group/],
    ['$share/', /group must not be empty/],
    ['$share//a', /group must not be empty.*MQTT-4\.8\.2-1/],
    ['$share/g', /followed by \/ and a filter.*MQTT-4\.8\.2-2/],
    ['$share/+/a', /group must not contain.*MQTT-4\.8\.2-2/],
    ['$share/#', /group must not contain/],
    ['$share/g/', /\$share filter must not be empty/],
    ['$share/g/a/#/b', /MQTT-4\.7\.1-1/],
  ])('rejects the malformed shared subscription %j', (filter, problem) => {
    const parsed = parseSubscriptionFilter(filter);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toMatch(problem);
  });

  test('rejects a malformed plain filter', () => {
    expect(parseSubscriptionFilter('a/#/b')).toEqual({
      ok: false,
      problem: expect.stringMatching(/MQTT-4\.7\.1-1/),
    });
  });
});

describe('parseSharedSubscription', () => {
  test('returns group and inner filter for a shared subscription', () => {
    expect(parseSharedSubscription('$share/g/a/b')).toEqual({ group: 'g', filter: 'a/b' });
  });

  test('returns undefined for a plain filter', () => {
    expect(parseSharedSubscription('a/b')).toBeUndefined();
  });

  test('throws an AclTopicError with a code for a malformed shared subscription', () => {
    const error = thrownBy(() => parseSharedSubscription('$share//a'));
    expect(error).toBeInstanceOf(AclTopicError);
    expect(error).toMatchObject({
      code: 'ACL_TOPIC_INVALID',
      problem: expect.stringMatching(/group/),
    });
  });
});
