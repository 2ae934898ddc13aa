import { filterCovers, filtersIntersect } from './filter-algebra.ts';
import { seededRandom } from './test-support/seeded-random.ts';
import { topicMatches } from './topic-match.ts';

describe('filterCovers', () => {
  test.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/bc', false],
    ['a/b', 'a/+', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/#', false],
    ['a/+', 'a', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/#', 'a/+/#', true],
    ['a/#', 'a/#', true],
    ['a/#', '+/b', false],
    ['a/+/#', 'a/#', false],
    ['a/b/#', 'a/#', false],
    ['+/#', '#', true],
    ['/+/#', '/#', true],
    ['#', '+/#', true],
    ['#', 'a', true],
    ['+', '#', false],
    ['+/+', '+/+/+', false],
    ['a', 'a/#', false],
    ['ab/#', 'a/b', false],
  ])('pattern %j covers filter %j: %j', (pattern, filter, expected) => {
    expect(filterCovers(pattern, filter)).toBe(expected);
  });

  test.each([
    ['#', '$SYS/#', false],
    ['#', '$SYS', false],
    ['+/#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['$SYS/#', '$SYS/#', true],
    ['$SYS/+', '$SYS/x', true],
    ['$SYS/#', '#', false],
    ['$SYS/#', '+/x', false],
    ['#', '+/x', true],
    ['#', 'a/$x', true],
  ])('pattern %j covers $-edge filter %j: %j [MQTT-4.7.2-1]', (pattern, filter, expected) => {
    expect(filterCovers(pattern, filter)).toBe(expected);
  });

  test('is false when either side is not a valid filter', () => {
    expect(filterCovers('a/#/b', 'a/x/b')).toBe(false);
    expect(filterCovers('#', 'a/#/b')).toBe(false);
    expect(filterCovers('#', '')).toBe(false);
  });
});

describe('filtersIntersect', () => {
  test.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/bc', false],
    ['a/+', 'a/b', true],
    ['+/b', 'a/+', true],
    ['a/+', 'b/+', false],
    ['a/#', 'a', true],
    ['a', 'a/#', true],
    ['a/+', 'a', false],
    ['a/+/#', 'a', false],
    ['a/+/#', 'a/b', true],
    ['a/b/c', 'a/b', false],
    ['#', 'x/y/z', true],
    ['+/+', '+', false],
    ['+/+', '+/#', true],
    ['/#', '+', false],
    ['/#', '#', true],
  ])('%j and %j intersect: %j', (a, b, expected) => {
    expect(filtersIntersect(a, b)).toBe(expected);
    expect(filtersIntersect(b, a)).toBe(expected);
  });

  test.each([
    ['#', '$SYS/x', false],
    ['#', '$SYS/#', false],
    ['+/x', '$SYS/x', false],
    ['+/+', '$SYS/+', false],
    ['$SYS/#', '$SYS/x', true],
    ['$SYS/+', '$SYS', false],
    ['+', '#', true],
    ['+/$x', 'a/+', true],
  ])('%j and %j intersect across the $-rule: %j [MQTT-4.7.2-1]', (a, b, expected) => {
    expect(filtersIntersect(a, b)).toBe(expected);
    expect(filtersIntersect(b, a)).toBe(expected);
  });

  test('is false when either side is not a valid filter', () => {
    expect(filtersIntersect('#', 'a/#/b')).toBe(false);
    expect(filtersIntersect('a+', 'a+')).toBe(false);
  });
});

describe('filter algebra agrees with brute-force matching', () => {
  // Levels from a tiny alphabet, including an empty level and a $-level, so every case of the
  // level rules and the $-rule shows up often.
  const LITERALS = ['a', 'b', '', '$s'];
  const MAX_FILTER_LEVELS = 3;
  // One level deeper than any filter: enough to witness every intersection and every failure to cover.
  const topics = allTopics(MAX_FILTER_LEVELS + 1);
  const random = seededRandom(0x0c70_3e54);

  function allTopics(maxLevels: number): string[] {
    let layer = LITERALS.map((level) => [level]);
    const all: string[] = [];
    for (let depth = 1; depth <= maxLevels; depth++) {
      all.push(...layer.map((levels) => levels.join('/')));
      layer = layer.flatMap((levels) => LITERALS.map((level) => [...levels, level]));
    }
    return all;
  }

  function randomFilter(): string {
    const depth = 1 + random.below(MAX_FILTER_LEVELS);
    const levels: string[] = [];
    for (let i = 0; i < depth; i++) {
      const last = i === depth - 1;
      levels.push(random.pick(last ? [...LITERALS, '+', '#'] : [...LITERALS, '+']));
    }
    const filter = levels.join('/');
    // The single empty level is the empty string: not a filter [MQTT-4.7.3-1].
    return filter === '' ? randomFilter() : filter;
  }

  const pairs = Array.from({ length: 3000 }, () => [randomFilter(), randomFilter()] as const);

  test('the generator reaches wildcards, $-levels and both outcomes', () => {
    const joined = pairs.flat().join(' ');
    expect(joined).toMatch(/#/);
    expect(joined).toMatch(/\+/);
    expect(joined).toMatch(/\$s/);
    expect(pairs.some(([p, f]) => filterCovers(p, f))).toBe(true);
    expect(pairs.some(([p, f]) => !filterCovers(p, f))).toBe(true);
  });

  test('filterCovers(p, f) holds exactly when every generated topic f matches is matched by p', () => {
    for (const [pattern, filter] of pairs) {
      const bruteForce = topics.every(
        (topic) => !topicMatches(filter, topic) || topicMatches(pattern, topic),
      );
      if (filterCovers(pattern, filter) !== bruteForce) {
        throw new Error(`filterCovers(${pattern}, ${filter}) should be ${bruteForce}`);
      }
    }
  });

  test('filtersIntersect(a, b) holds exactly when some generated topic is matched by both', () => {
    for (const [a, b] of pairs) {
      const bruteForce = topics.some((topic) => topicMatches(a, topic) && topicMatches(b, topic));
      if (filtersIntersect(a, b) !== bruteForce) {
        throw new Error(`filtersIntersect(${a}, ${b}) should be ${bruteForce}`);
      }
    }
  });
});
