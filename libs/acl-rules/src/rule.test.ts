import { AclRuleError } from './errors.ts';
import { parseRule } from './rule.ts';
import { thrownBy } from './test-support/thrown-by.ts';

const valid = {
  id: 'site-1:devices.read_own',
  subject: 'role:device',
  action: 'subscribe',
  topic: 'oktopus/usp/v1/agent/%e/#',
  effect: 'allow',
  description: 'devices read their own topics',
};

function problemsOf(input: unknown): string[] {
  const error = thrownBy(() => parseRule(input));
  expect(error).toBeInstanceOf(AclRuleError);
  return (error as AclRuleError).problems;
}

describe('parseRule', () => {
  test('returns a clean copy of a valid rule', () => {
    const rule = parseRule(valid);
    expect(rule).toEqual(valid);
    expect(rule).not.toBe(valid);
  });

  test('accepts a rule without a description', () => {
    const { description: _description, ...bare } = valid;
    expect(parseRule(bare)).toEqual(bare);
  });

  test.each(['*', 'role:device', 'user:alice', 'endpoint:os::00D09E-1234', 'client:c-1'])(
    'accepts the subject %j',
    (subject) => {
      expect(parseRule({ ...valid, subject }).subject).toBe(subject);
    },
  );

  test('reports every problem of a bad rule in one error', () => {
    const error = thrownBy(() =>
      parseRule({
        id: 'bad id!',
        subject: 'group:x',
        action: 'read',
        topic: 'a/#/b',
        effect: 'maybe',
        description: 7,
        extra: true,
      }),
    );
    expect(error).toBeInstanceOf(AclRuleError);
    expect(error).toMatchObject({ code: 'ACL_RULE_INVALID', name: 'AclRuleError' });
    const { problems, message } = error as AclRuleError;
    expect(problems).toEqual([
      expect.stringMatching(/^id may hold only/),
      expect.stringMatching(/^subject must be/),
      expect.stringMatching(/^action must be one of publish, subscribe/),
      expect.stringMatching(/^effect must be one of allow, deny/),
      expect.stringMatching(/^topic .*MQTT-4\.7\.1-1/),
      expect.stringMatching(/^description must be a string/),
      'unknown field "extra"',
    ]);
    for (const problem of problems) expect(message).toContain(problem);
  });

  test('names the rule in the message when its id is usable', () => {
    expect((thrownBy(() => parseRule({ ...valid, effect: 'no' })) as Error).message).toMatch(
      /^invalid ACL rule site-1:devices\.read_own: /,
    );
  });

  test.each([
    [{ ...valid, id: '' }, /id must not be empty/],
    [{ ...valid, id: 'x'.repeat(129) }, /at most 128/],
    [{ ...valid, id: 42 }, /id must be a string/],
    [{ ...valid, subject: 'endpoint:' }, /subject must be/],
    [{ ...valid, subject: 'role' }, /subject must be/],
    [{ ...valid, subject: '**' }, /subject must be/],
    [{ ...valid, topic: '' }, /topic must not be empty/],
    [{ ...valid, topic: 'a/%x' }, /unknown template variable %x/],
    [{ ...valid, topic: '$share/g/a' }, /must not start with \$share/],
    [{ ...valid, description: 'd'.repeat(257) }, /at most 256/],
    [{ ...valid, action: undefined }, /action must be one of/],
  ])('rejects %j', (input, problem) => {
    expect(problemsOf(input)).toEqual([expect.stringMatching(problem)]);
  });

  test('accepts an id of exactly 128 characters and a description of exactly 256', () => {
    expect(() =>
      parseRule({ ...valid, id: 'x'.repeat(128), description: 'd'.repeat(256) }),
    ).not.toThrow();
  });

  test.each([null, 'rule', 7, [valid]])('rejects %j, which is not a JSON object', (input) => {
    expect(problemsOf(input)).toEqual(['rule must be a JSON object']);
  });

  test('lists all missing fields of an empty object', () => {
    expect(problemsOf({})).toHaveLength(5);
  });
});
