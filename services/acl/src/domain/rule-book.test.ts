import { defaultUspRules } from '@octomesh/acl-rules';
import { RuleBook } from './rule-book.ts';

const device = { username: 'd', clientId: 'c', endpointId: 'e1', role: 'device' };
const rule = (id: string, effect = 'allow') => ({
  id,
  subject: 'role:device',
  action: 'publish',
  topic: 'extra/%e',
  effect,
});

describe('RuleBook', () => {
  test('stored rules add to the defaults and deletes remove them', () => {
    const book = new RuleBook(defaultUspRules('p'));
    expect(book.ruleSet.decide(device, { action: 'publish', topic: 'extra/e1' }).allow).toBe(false);
    expect(book.apply('extra', 3, rule('extra')).problem).toBeUndefined();
    expect(book.ruleSet.decide(device, { action: 'publish', topic: 'extra/e1' }).allow).toBe(true);
    book.apply('extra', 4, undefined);
    expect(book.ruleSet.decide(device, { action: 'publish', topic: 'extra/e1' }).allow).toBe(false);
    expect(book.revision).toBe(4);
  });

  test('an invalid replacement drops the previous version and is reported', () => {
    const book = new RuleBook([]);
    book.apply('extra', 1, rule('extra'));
    const change = book.apply('extra', 2, { ...rule('extra'), topic: 'a/#/b' });
    expect(change.problem).toBeDefined();
    expect(book.invalid.get('extra')).toBeDefined();
    expect(book.ruleSet.decide(device, { action: 'publish', topic: 'extra/e1' }).allow).toBe(false);
  });

  test('a rule whose id differs from its key, or claims a default id, is refused', () => {
    const book = new RuleBook([]);
    expect(book.apply('a', 1, rule('b')).problem).toMatch(/differs/);
    expect(book.apply('default:x', 2, rule('default:x')).problem).toMatch(/reserved/);
    expect(book.rules()).toHaveLength(0);
  });
});
