import type { AclIdentity } from './model.ts';
import {
  expandTemplate,
  expandTemplateDetailed,
  parseTemplate,
  validateTopicTemplate,
} from './template.ts';
import { MAX_TOPIC_BYTES } from './topic.ts';

const identity: AclIdentity = {
  username: 'alice',
  clientId: 'client-7',
  endpointId: 'os::00D09E-1234',
  role: 'device',
};

describe('expandTemplate', () => {
  test('substitutes %u, %c and %e with the username, client id and endpoint id', () => {
    expect(expandTemplate('u/%u/c/%c/e/%e', identity)).toBe('u/alice/c/client-7/e/os::00D09E-1234');
  });

  test('writes %% as a literal percent sign', () => {
    expect(expandTemplate('100%%/%e', identity)).toBe('100%/os::00D09E-1234');
  });

  test('substitutes inside a level, not only whole levels', () => {
    expect(expandTemplate('dev-%e-x/#', identity)).toBe('dev-os::00D09E-1234-x/#');
  });

  test('returns a template without variables unchanged', () => {
    expect(expandTemplate('a/+/#', identity)).toBe('a/+/#');
  });

  test.each([
    ['', /endpoint id is empty/],
    ['a/b', /contains '\/'/],
    ['+', /contains '\+'/],
    ['#', /contains '#'/],
    ['x/#', /contains '\/'/],
    ['a\u0000b', /U\+0000/],
    ['\ud800', /well-formed/],
  ])('refuses the endpoint id %j, which could reshape the filter', (endpointId, problem) => {
    const unsafe = { ...identity, endpointId };
    expect(expandTemplate('p/agent/%e', unsafe)).toBeUndefined();
    expect(expandTemplateDetailed('p/agent/%e', unsafe)).toEqual({
      ok: false,
      problem: expect.stringMatching(problem),
    });
  });

  test('only checks the values the template uses', () => {
    expect(expandTemplate('p/%u', { ...identity, endpointId: '#' })).toBe('p/alice');
  });

  test('refuses a value that would turn the topic into a $-topic, but allows $ further in [MQTT-4.7.2-1]', () => {
    const dollar = { ...identity, username: '$SYS' };
    expect(expandTemplateDetailed('%u/#', dollar)).toEqual({
      ok: false,
      problem: expect.stringMatching(/starts with '\$'/),
    });
    expect(expandTemplate('users/%u/#', dollar)).toBe('users/$SYS/#');
  });

  test('refuses an expansion longer than a topic may be [MQTT-4.7.3-3]', () => {
    const long = { ...identity, username: 'u'.repeat(MAX_TOPIC_BYTES) };
    expect(expandTemplateDetailed('p/%u', long)).toEqual({
      ok: false,
      problem: expect.stringMatching(/MQTT-4\.7\.3-3/),
    });
  });

  test('returns undefined for an invalid template', () => {
    expect(expandTemplate('p/%x', identity)).toBeUndefined();
    expect(expandTemplate('p/a#', identity)).toBeUndefined();
  });
});

describe('parseTemplate', () => {
  test('splits literal text and variables in order', () => {
    expect(parseTemplate('a/%e-%%-%u')).toEqual({
      ok: true,
      hasVariables: true,
      segments: [{ literal: 'a/' }, { variable: 'e' }, { literal: '-%-' }, { variable: 'u' }],
    });
  });

  test('rejects an unknown variable and a lone trailing percent', () => {
    expect(parseTemplate('a/%r')).toEqual({
      ok: false,
      problem: expect.stringMatching(/unknown template variable %r/),
    });
    expect(parseTemplate('a/%')).toEqual({ ok: false, problem: expect.stringMatching(/lone '%'/) });
  });
});

describe('validateTopicTemplate', () => {
  test.each(['p/agent/%e', 'p/agent/%e/#', '%u/#', 'p/%%/+', '#'])('accepts %j', (template) => {
    expect(validateTopicTemplate(template)).toBeUndefined();
  });

  test.each([
    ['p/%e#', /MQTT-4\.7\.1-1/],
    ['p/+%u', /MQTT-4\.7\.1-2/],
    ['p/%q', /unknown template variable/],
    ['p/%', /lone '%'/],
    ['', /empty/],
  ])('rejects %j', (template, problem) => {
    expect(validateTopicTemplate(template)).toMatch(problem);
  });
});
