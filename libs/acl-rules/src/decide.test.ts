import { decide } from './decide.ts';
import type { AclEffect, AclIdentity, AclRule } from './model.ts';
import { deciders } from './test-support/deciders.ts';

const alice: AclIdentity = {
  username: 'alice',
  clientId: 'c-alice',
  endpointId: 'os::0001',
  role: 'operator',
};
const bob: AclIdentity = {
  username: 'bob',
  clientId: 'c-bob',
  endpointId: 'os::0002',
  role: 'viewer',
};

function rule(
  id: string,
  subject: string,
  action: AclRule['action'],
  topic: string,
  effect: AclEffect,
): AclRule {
  return { id, subject, action, topic, effect };
}

describe.each(deciders)('decisions by %s', (_name, build) => {
  test('denies by default when no rule allows, naming no rule', () => {
    expect(build([])(alice, { action: 'publish', topic: 'a' })).toEqual({
      allow: false,
      ruleId: undefined,
      reason: 'no rule allows',
    });
  });

  test('allows by the first allow rule that matches, naming it', () => {
    const judge = build([
      rule('narrow', '*', 'publish', 'a/b', 'allow'),
      rule('wide', '*', 'publish', 'a/#', 'allow'),
    ]);
    expect(judge(alice, { action: 'publish', topic: 'a/b' })).toEqual({
      allow: true,
      ruleId: 'narrow',
      reason: 'allowed by rule narrow',
    });
    expect(judge(alice, { action: 'publish', topic: 'a/c' })).toMatchObject({
      allow: true,
      ruleId: 'wide',
    });
  });

  test('keeps publish and subscribe rules apart', () => {
    const judge = build([rule('sub', '*', 'subscribe', 'a', 'allow')]);
    expect(judge(alice, { action: 'subscribe', topic: 'a' }).allow).toBe(true);
    expect(judge(alice, { action: 'publish', topic: 'a' }).allow).toBe(false);
  });

  describe('deny rules', () => {
    const allowAll = rule('allow-all', '*', 'publish', 'a/#', 'allow');
    const denySecret = rule('deny-secret', '*', 'publish', 'a/secret', 'deny');

    test('beat allow rules whatever their order, and are named', () => {
      expect(build([allowAll])(alice, { action: 'publish', topic: 'a/secret' }).allow).toBe(true);
      for (const rules of [
        [allowAll, denySecret],
        [denySecret, allowAll],
      ]) {
        expect(build(rules)(alice, { action: 'publish', topic: 'a/secret' })).toEqual({
          allow: false,
          ruleId: 'deny-secret',
          reason: 'denied by rule deny-secret',
        });
        expect(build(rules)(alice, { action: 'publish', topic: 'a/public' })).toMatchObject({
          allow: true,
          ruleId: 'allow-all',
        });
      }
    });

    test('name the first matching deny rule in list order', () => {
      const judge = build([
        allowAll,
        rule('deny-2', '*', 'publish', 'a/+', 'deny'),
        rule('deny-1', 'user:alice', 'publish', 'a/secret', 'deny'),
      ]);
      expect(judge(alice, { action: 'publish', topic: 'a/secret' }).ruleId).toBe('deny-2');
    });

    test('deny a subscription whose filter could receive any denied topic', () => {
      const rules = [
        rule('allow-all', '*', 'subscribe', 'a/#', 'allow'),
        rule('deny-secret', '*', 'subscribe', 'a/secret', 'deny'),
      ];
      const judge = build(rules);
      expect(judge(alice, { action: 'subscribe', topic: 'a/public' }).allow).toBe(true);
      for (const topic of ['a/secret', 'a/+', 'a/#', '$share/g/a/+']) {
        expect(judge(alice, { action: 'subscribe', topic })).toMatchObject({
          allow: false,
          ruleId: 'deny-secret',
        });
      }
    });

    test('only apply to the identities their subject names', () => {
      const judge = build([allowAll, rule('deny-bob', 'user:bob', 'publish', 'a/#', 'deny')]);
      expect(judge(alice, { action: 'publish', topic: 'a/x' }).allow).toBe(true);
      expect(judge(bob, { action: 'publish', topic: 'a/x' })).toMatchObject({
        allow: false,
        ruleId: 'deny-bob',
      });
    });
  });

  describe('templates', () => {
    test('let each identity reach only its own expansion', () => {
      const judge = build([rule('own', '*', 'subscribe', 'dev/%e/#', 'allow')]);
      expect(judge(alice, { action: 'subscribe', topic: 'dev/os::0001/#' }).allow).toBe(true);
      expect(judge(alice, { action: 'subscribe', topic: 'dev/os::0002/#' }).allow).toBe(false);
      expect(judge(bob, { action: 'subscribe', topic: 'dev/os::0002/x' }).allow).toBe(true);
    });

    test('an allow rule the identity cannot use safely simply does not apply', () => {
      const judge = build([rule('own', '*', 'publish', 'dev/%u', 'allow')]);
      expect(judge(alice, { action: 'publish', topic: 'dev/alice' }).allow).toBe(true);
      expect(judge({ ...alice, username: '' }, { action: 'publish', topic: 'dev/' })).toEqual({
        allow: false,
        ruleId: undefined,
        reason: 'no rule allows',
      });
    });

    test('a deny rule the identity cannot use safely fails closed, naming the rule', () => {
      const rules = [
        rule('allow-all', '*', 'publish', '#', 'allow'),
        rule('deny-own-secret', '*', 'publish', 'secret/%c', 'deny'),
      ];
      const judge = build(rules);
      expect(judge(alice, { action: 'publish', topic: 'news' }).allow).toBe(true);
      expect(judge(alice, { action: 'publish', topic: 'secret/c-alice' })).toMatchObject({
        allow: false,
        ruleId: 'deny-own-secret',
      });
      for (const clientId of ['x/y', '+', '#', '']) {
        const decision = judge({ ...alice, clientId }, { action: 'publish', topic: 'news' });
        expect(decision).toEqual({
          allow: false,
          ruleId: 'deny-own-secret',
          reason: expect.stringMatching(
            /^identity is unsafe for deny rule deny-own-secret: client id /,
          ),
        });
      }
    });

    test('an unsafe deny rule fails closed only for its own action and subjects', () => {
      const rules = [
        rule('allow-all', '*', 'publish', '#', 'allow'),
        rule('allow-sub', '*', 'subscribe', '#', 'allow'),
        rule('deny-bob', 'user:bob', 'publish', 'x/%c', 'deny'),
      ];
      const judge = build(rules);
      expect(judge({ ...alice, clientId: '+' }, { action: 'publish', topic: 'news' }).allow).toBe(
        true,
      );
      expect(judge({ ...bob, clientId: '+' }, { action: 'subscribe', topic: 'news' }).allow).toBe(
        true,
      );
      expect(judge({ ...bob, clientId: '+' }, { action: 'publish', topic: 'news' })).toMatchObject({
        allow: false,
        ruleId: 'deny-bob',
      });
    });

    test('an unsafe deny rule fails closed for a value that would make a $-topic', () => {
      const judge = build([
        rule('allow-all', '*', 'subscribe', '#', 'allow'),
        rule('deny-own', '*', 'subscribe', '%u/private', 'deny'),
      ]);
      expect(judge(alice, { action: 'subscribe', topic: 'x' }).allow).toBe(true);
      expect(
        judge({ ...alice, username: '$SYS' }, { action: 'subscribe', topic: 'x' }),
      ).toMatchObject({ allow: false, ruleId: 'deny-own' });
    });
  });

  describe('subjects', () => {
    test.each([
      ['user:alice', { ...bob, username: 'alice' }],
      ['endpoint:os::0001', { ...bob, endpointId: 'os::0001' }],
      ['client:c-alice', { ...bob, clientId: 'c-alice' }],
      ['role:operator', { ...bob, role: 'operator' }],
    ])('%s applies to an identity with that value and to no other', (subject, matching) => {
      const judge = build([rule('r', subject, 'publish', 'a', 'allow')]);
      expect(judge(matching, { action: 'publish', topic: 'a' }).allow).toBe(true);
      expect(judge(bob, { action: 'publish', topic: 'a' }).allow).toBe(false);
    });

    test('compares a subject with the matching identity field only', () => {
      const judge = build([rule('r', 'user:c-alice', 'publish', 'a', 'allow')]);
      expect(judge(alice, { action: 'publish', topic: 'a' }).allow).toBe(false);
    });

    test("'*' applies to everyone, even an identity with every field empty", () => {
      const nobody = { username: '', clientId: '', endpointId: '', role: '' };
      expect(
        build([rule('r', '*', 'publish', 'a', 'allow')])(nobody, { action: 'publish', topic: 'a' })
          .allow,
      ).toBe(true);
    });
  });

  describe('checks', () => {
    const judge = build([
      rule('pub', '*', 'publish', '#', 'allow'),
      rule('sub', '*', 'subscribe', '#', 'allow'),
    ]);

    test.each(['', 'a/+', 'a/#', 'a\u0000'])(
      'denies publishing to the invalid topic name %j, naming the problem',
      (topic) => {
        expect(judge(alice, { action: 'publish', topic })).toEqual({
          allow: false,
          ruleId: undefined,
          reason: expect.stringMatching(/^invalid topic name: .*MQTT-4\.7/),
        });
      },
    );

    test.each(['', 'a/#/b', 'a+', '$share//a', '$share/g', '$share/g/a#'])(
      'denies subscribing to the invalid filter %j',
      (topic) => {
        expect(judge(alice, { action: 'subscribe', topic })).toEqual({
          allow: false,
          ruleId: undefined,
          reason: expect.stringMatching(/^invalid topic filter: /),
        });
      },
    );

    test('denies an unknown action', () => {
      const check = { action: 'delete' as unknown as 'publish', topic: 'a' };
      expect(judge(alice, check)).toMatchObject({
        allow: false,
        ruleId: undefined,
        reason: expect.stringMatching(/unknown action/),
      });
    });

    test('judges a shared subscription by its inner filter', () => {
      const narrow = build([rule('sub', '*', 'subscribe', 'a/#', 'allow')]);
      expect(narrow(alice, { action: 'subscribe', topic: '$share/g/a/b' })).toMatchObject({
        allow: true,
        ruleId: 'sub',
      });
      expect(narrow(alice, { action: 'subscribe', topic: '$share/g/b' }).allow).toBe(false);
      expect(narrow(alice, { action: 'subscribe', topic: '$share/a/x' }).allow).toBe(false);
    });
  });

  describe('$-topics [MQTT-4.7.2-1]', () => {
    test("an allow '#' does not reach $SYS, a rule naming $SYS does", () => {
      const judge = build([
        rule('all', '*', 'subscribe', '#', 'allow'),
        rule('any-first', '*', 'subscribe', '+/#', 'allow'),
      ]);
      expect(judge(alice, { action: 'subscribe', topic: '$SYS/#' }).allow).toBe(false);
      expect(judge(alice, { action: 'subscribe', topic: '$SYS/broker/load' }).allow).toBe(false);
      const withSys = build([rule('sys', '*', 'subscribe', '$SYS/#', 'allow')]);
      expect(withSys(alice, { action: 'subscribe', topic: '$SYS/broker/load' })).toMatchObject({
        allow: true,
        ruleId: 'sys',
      });
    });

    test("a deny '#' does not block $SYS, which it cannot match", () => {
      const judge = build([
        rule('sys', '*', 'subscribe', '$SYS/#', 'allow'),
        rule('no-data', '*', 'subscribe', '#', 'deny'),
      ]);
      expect(judge(alice, { action: 'subscribe', topic: '$SYS/#' })).toMatchObject({
        allow: true,
        ruleId: 'sys',
      });
      expect(judge(alice, { action: 'subscribe', topic: 'a' })).toMatchObject({
        allow: false,
        ruleId: 'no-data',
      });
    });
  });

  test('requires one allow pattern to cover the whole filter, not several together', () => {
    const judge = build([
      rule('parent', '*', 'subscribe', 'a', 'allow'),
      rule('below', '*', 'subscribe', 'a/+/#', 'allow'),
    ]);
    expect(judge(alice, { action: 'subscribe', topic: 'a' })).toMatchObject({
      allow: true,
      ruleId: 'parent',
    });
    expect(judge(alice, { action: 'subscribe', topic: 'a/+' })).toMatchObject({
      allow: true,
      ruleId: 'below',
    });
    // 'a/#' matches exactly the topics of 'a' and 'a/+/#' together, but neither rule covers it alone.
    expect(judge(alice, { action: 'subscribe', topic: 'a/#' }).allow).toBe(false);
  });
});

describe('decide() on rules that skipped validation', () => {
  test('never matches an empty identity field with an empty subject value', () => {
    const rules = [rule('r', 'endpoint:', 'publish', 'a', 'allow')];
    expect(
      decide(rules, { ...alice, endpointId: '' }, { action: 'publish', topic: 'a' }).allow,
    ).toBe(false);
  });

  test('treats an unknown effect as a deny, so corruption cannot widen access', () => {
    const rules = [
      rule('all', '*', 'publish', '#', 'allow'),
      rule('odd', '*', 'publish', 'a', 'maybe' as AclEffect),
    ];
    expect(decide(rules, alice, { action: 'publish', topic: 'a' })).toMatchObject({
      allow: false,
      ruleId: 'odd',
    });
  });

  test('fails closed on a deny rule whose topic is not a valid filter', () => {
    const rules = [
      rule('all', '*', 'publish', '#', 'allow'),
      rule('broken', '*', 'publish', 'a/#/b', 'deny'),
    ];
    expect(decide(rules, alice, { action: 'publish', topic: 'z' })).toMatchObject({
      allow: false,
      ruleId: 'broken',
    });
  });
});
