import { MAX_TOPIC_BYTES, splitLevels, validateTopicFilter, validateTopicName } from './topic.ts';

describe('validateTopicName', () => {
  test.each([
    'a',
    '/',
    'a//b',
    '/a/',
    'oktopus/usp/v1/agent/os::00D09E-1234',
    '$SYS/broker',
    'with space',
    'ü/ß',
  ])('accepts %j', (topic) => {
    expect(validateTopicName(topic)).toBeUndefined();
  });

  test('rejects an empty topic name [MQTT-4.7.3-1]', () => {
    expect(validateTopicName('')).toMatch(/empty.*MQTT-4\.7\.3-1/);
  });

  test('rejects U+0000 anywhere in a topic name [MQTT-4.7.3-2]', () => {
    expect(validateTopicName('a\u0000b')).toMatch(/U\+0000.*MQTT-4\.7\.3-2/);
  });

  test.each(['+', '#', 'a/+', 'a/#', 'a+b', 'a/b#'])(
    'rejects the wildcard-bearing name %j [MQTT-4.7.0-1]',
    (topic) => {
      expect(validateTopicName(topic)).toMatch(/wildcard.*MQTT-4\.7\.0-1/);
    },
  );

  test('accepts exactly 65535 UTF-8 bytes and rejects one byte more [MQTT-4.7.3-3]', () => {
    expect(validateTopicName('a'.repeat(MAX_TOPIC_BYTES))).toBeUndefined();
    expect(validateTopicName('a'.repeat(MAX_TOPIC_BYTES + 1))).toMatch(/65535.*MQTT-4\.7\.3-3/);
  });

  test('counts the limit in UTF-8 bytes, not UTF-16 units [MQTT-4.7.3-3]', () => {
    // 'é' is two bytes in UTF-8 and one UTF-16 unit.
    expect(validateTopicName('é'.repeat(32_767) + 'a')).toBeUndefined();
    expect(validateTopicName('é'.repeat(32_768))).toMatch(/MQTT-4\.7\.3-3/);
  });

  test('rejects a lone surrogate, which has no UTF-8 encoding [MQTT-1.5.4-1]', () => {
    expect(validateTopicName('a/\ud800')).toMatch(/well-formed/);
  });
});

describe('validateTopicFilter', () => {
  test.each([
    '#',
    '+',
    'a/#',
    '/#',
    '+/+',
    'a/+/b',
    '+/',
    'a//+',
    '$SYS/#',
    '$share/g/a/+',
    'os::00D09E-1234/#',
  ])('accepts %j', (filter) => {
    expect(validateTopicFilter(filter)).toBeUndefined();
  });

  test.each(['a#', 'a/#/b', '#/a', 'a/b#', '##', 'a/#/'])(
    "rejects %j: '#' must be alone in the last level [MQTT-4.7.1-1]",
    (filter) => {
      expect(validateTopicFilter(filter)).toMatch(/MQTT-4\.7\.1-1/);
    },
  );

  test.each(['a+', '+a', 'a/+b', 'a/b+/c', '++'])(
    "rejects %j: '+' must occupy a whole level [MQTT-4.7.1-2]",
    (filter) => {
      expect(validateTopicFilter(filter)).toMatch(/MQTT-4\.7\.1-2/);
    },
  );

  test('rejects empty, U+0000 and oversized filters [MQTT-4.7.3-1..3]', () => {
    expect(validateTopicFilter('')).toMatch(/MQTT-4\.7\.3-1/);
    expect(validateTopicFilter('a/\u0000/#')).toMatch(/MQTT-4\.7\.3-2/);
    expect(validateTopicFilter(`${'a'.repeat(MAX_TOPIC_BYTES - 1)}/#`)).toMatch(/MQTT-4\.7\.3-3/);
  });
});

describe('splitLevels', () => {
  test('keeps empty levels, which are real topic levels', () => {
    expect(splitLevels('/a//b/')).toEqual(['', 'a', '', 'b', '']);
  });
});
