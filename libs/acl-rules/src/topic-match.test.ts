import { topicMatches } from './topic-match.ts';

describe('topicMatches', () => {
  test.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/bc', false],
    ['a/b', 'a/b/c', false],
    ['a/b', 'a', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a', false],
    ['a/+', 'a/', true],
    ['a/+', 'a/b/c', false],
    ['+/+', '/a', true],
    ['/+', '/a', true],
    ['+', '/a', false],
    ['a/#', 'a', true],
    ['a/#', 'a/', true],
    ['a/#', 'a/b/c', true],
    ['a/#', 'ab', false],
    ['a/#', 'ab/c', false],
    ['#', 'a', true],
    ['#', '/a', true],
    ['a/+/c/#', 'a/b/c', true],
    ['a/+/c/#', 'a/b/d', false],
    ['os::00D09E-1234', 'os::00D09E-1234', true],
  ])('filter %j against topic %j gives %j', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  test('never lets an exact filter match by prefix (the Oktopus reply-topic hole)', () => {
    expect(topicMatches('usp/controller/dev1', 'usp/controller/dev1')).toBe(true);
    expect(topicMatches('usp/controller/dev1', 'usp/controller/dev10')).toBe(false);
    expect(topicMatches('usp/controller/dev1', 'usp/controller/dev1/x')).toBe(false);
  });

  test.each([
    ['#', '$SYS/uptime', false],
    ['+/uptime', '$SYS/uptime', false],
    ['+', '$SYS', false],
    ['#', '$', false],
    ['$SYS/#', '$SYS/uptime', true],
    ['$SYS/+', '$SYS/uptime', true],
    ['$SYS/#', '$SYS', true],
    ['a/#', 'a/$x', true],
    ['+/+', 'a/$x', true],
  ])('filter %j against $-topic case %j gives %j [MQTT-4.7.2-1]', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  test('compares levels exactly, without case folding or normalisation [MQTT-4.7.3-4]', () => {
    expect(topicMatches('A/b', 'a/b')).toBe(false);
    // U+00E9 against e followed by U+0301: canonically equivalent, yet different topics.
    expect(topicMatches('caf\u00e9', 'cafe\u0301')).toBe(false);
  });

  test('never matches when the filter or the topic is invalid', () => {
    expect(topicMatches('a/#/b', 'a/x/b')).toBe(false);
    expect(topicMatches('a/+', 'a/+')).toBe(false);
    expect(topicMatches('#', '#')).toBe(false);
    expect(topicMatches('#', '')).toBe(false);
  });
});
