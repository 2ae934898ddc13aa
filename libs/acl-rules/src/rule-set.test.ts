import { decide } from './decide.ts';
import { defaultUspRules } from './default-rules.ts';
import { AclRuleError } from './errors.ts';
import type { AclCheck, AclDecision, AclIdentity, AclRule } from './model.ts';
import { RuleSet } from './rule-set.ts';
import { seededRandom } from './test-support/seeded-random.ts';
import type { SeededRandom } from './test-support/seeded-random.ts';
import { thrownBy } from './test-support/thrown-by.ts';

describe('RuleSet', () => {
  test('reports how many rules it holds', () => {
    expect(new RuleSet(defaultUspRules('usp')).size).toBe(defaultUspRules('usp').length);
    expect(new RuleSet([]).size).toBe(0);
  });

  test('rejects invalid rules, listing every problem of every rule by id and position', () => {
    const rules = [
      { id: 'ok', subject: '*', action: 'publish', topic: 'a', effect: 'allow' },
      { id: 'bad', subject: 'group:x', action: 'publish', topic: 'a/%z', effect: 'allow' },
      { id: 'ok', subject: '*', action: 'publish', topic: 'b', effect: 'deny' },
    ] as AclRule[];
    const error = thrownBy(() => new RuleSet(rules));
    expect(error).toBeInstanceOf(AclRuleError);
    expect((error as AclRuleError).problems).toEqual([
      expect.stringMatching(/^ACL rule bad \(#1\): subject must be/),
      expect.stringMatching(/^ACL rule bad \(#1\): topic unknown template variable %z/),
      'ACL rule ok (#2): duplicate id',
    ]);
  });

  test('does not change when the input rules are changed afterwards', () => {
    const rules: AclRule[] = [
      { id: 'r', subject: '*', action: 'publish', topic: 'a', effect: 'allow' },
    ];
    const set = new RuleSet(rules);
    (rules[0] as AclRule).topic = 'b';
    expect(
      set.decide(
        { username: 'u', clientId: 'c', endpointId: 'e', role: 'r' },
        { action: 'publish', topic: 'a' },
      ).allow,
    ).toBe(true);
  });
});

describe('RuleSet agrees with decide()', () => {
  // Small alphabets make rules, identities and checks collide often, including hostile values.
  const LEVELS = ['a', 'b', '$s', '', 'e1', 'alice', 'c1'];
  const TEMPLATE_LEVELS = ['%e', '%u', 'x%c', '%%'];
  const SUBJECTS = [
    '*',
    'role:device',
    'role:admin',
    'user:alice',
    'user:bob',
    'endpoint:e1',
    'endpoint:+',
    'client:c1',
    'client:x/y',
  ];
  const USERNAMES = ['alice', 'bob', '', '$x', 'a/b'];
  const CLIENT_IDS = ['c1', 'c2', '', '+', 'x/y'];
  const ENDPOINT_IDS = ['e1', 'e2', '', '+', 'x/#'];
  const ROLES = ['device', 'admin', ''];

  function randomFilter(random: SeededRandom, levels: readonly string[]): string {
    const depth = 1 + random.below(3);
    const parts = Array.from({ length: depth }, (_, i) => {
      const choices = i === depth - 1 ? [...levels, '+', '#'] : [...levels, '+'];
      return random.pick(choices);
    });
    const filter = parts.join('/');
    return filter === '' ? 'a' : filter;
  }

  function randomRules(random: SeededRandom): AclRule[] {
    return Array.from({ length: 1 + random.below(12) }, (_, i) => ({
      id: `r${i}`,
      subject: random.pick(SUBJECTS),
      action: random.pick(['publish', 'subscribe'] as const),
      topic: randomFilter(random, [...LEVELS, ...TEMPLATE_LEVELS]),
      // Mostly allows, so that deny, allow and default outcomes all stay common.
      effect: random.below(4) === 0 ? 'deny' : 'allow',
    }));
  }

  function randomIdentity(random: SeededRandom): AclIdentity {
    return {
      username: random.pick(USERNAMES),
      clientId: random.pick(CLIENT_IDS),
      endpointId: random.pick(ENDPOINT_IDS),
      role: random.pick(ROLES),
    };
  }

  function randomCheck(random: SeededRandom): AclCheck {
    if (random.below(2) === 0) {
      const levels = Array.from({ length: 1 + random.below(3) }, () =>
        random.pick([...LEVELS, 'x%', 'xc1']),
      );
      return { action: 'publish', topic: levels.join('/') };
    }
    const filter = randomFilter(random, LEVELS);
    return { action: 'subscribe', topic: random.below(5) === 0 ? `$share/g/${filter}` : filter };
  }

  test('on random rules, identities and checks, including hostile identities', () => {
    const random = seededRandom(20_240_369);
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 300; round++) {
      const rules = randomRules(random);
      const set = new RuleSet(rules);
      for (let i = 0; i < 40; i++) {
        const identity = randomIdentity(random);
        const check = randomCheck(random);
        const expected = decide(rules, identity, check);
        const actual = set.decide(identity, check);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          throw new Error(
            `${JSON.stringify({ rules, identity, check })}: RuleSet ${JSON.stringify(actual)} != decide ${JSON.stringify(expected)}`,
          );
        }
        const kind = outcomeKind(expected);
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
      }
    }
    // The sample must exercise every kind of decision, or agreement would prove little.
    for (const kind of ['allowed', 'denied by rule', 'unsafe', 'no rule', 'invalid']) {
      expect(outcomes.get(kind) ?? 0).toBeGreaterThan(50);
    }
  });

  test('on the default USP policy across roles, hostile ids and USP topics', () => {
    const p = 'oktopus/usp/v1';
    const rules = defaultUspRules(p);
    const set = new RuleSet(rules);
    const ids = ['os::00D09E-1234', 'os::00D09E-9999', '', '+', '#', 'a/b'];
    const topics = ids.flatMap((id) => [
      `${p}/agent/${id}`,
      `${p}/controller/${id}`,
      `${p}/api/${id}`,
      `${p}/status/${id}`,
    ]);
    const filters = [
      ...topics,
      '#',
      '+/#',
      '$SYS/#',
      `${p}/agent/+`,
      `${p}/#`,
      `$share/g/${p}/controller/#`,
    ];
    for (const role of ['device', 'controller', 'admin', 'anonymous', '']) {
      for (const endpointId of ids) {
        const identity = { username: 'u', clientId: 'c', endpointId, role };
        const checks: AclCheck[] = [
          ...topics.map((topic) => ({ action: 'publish' as const, topic })),
          ...filters.map((topic) => ({ action: 'subscribe' as const, topic })),
        ];
        for (const check of checks) {
          expect(set.decide(identity, check)).toEqual(decide(rules, identity, check));
        }
      }
    }
  });
});

function outcomeKind(decision: AclDecision): string {
  if (decision.allow) return 'allowed';
  if (decision.reason.startsWith('identity is unsafe')) return 'unsafe';
  if (decision.reason.startsWith('denied by rule')) return 'denied by rule';
  if (decision.reason.startsWith('invalid')) return 'invalid';
  return 'no rule';
}
