// Relations between two topic filters, judged by the sets of topic names they match, so a
// SUBSCRIBE can be allowed or denied for everything it could ever receive.
import {
  MULTI_LEVEL_WILDCARD,
  SINGLE_LEVEL_WILDCARD,
  isDollarTopic,
  isWildcardLevel,
  splitLevels,
  validateTopicFilter,
} from './topic.ts';

/** True when a valid filter can match a $-topic, i.e. its first level is a literal starting with '$'. */
function reachesDollarTopics(first: string): boolean {
  return !isWildcardLevel(first) && isDollarTopic(first);
}

/** True when the levels before `end` spell the empty string, which is not a topic [MQTT-4.7.3-1]. */
function parentIsEmpty(levels: readonly string[], end: number): boolean {
  return end === 0 || (end === 1 && levels[0] === '');
}

/** Covers on pre-split valid filters: every topic `filter` matches is matched by `pattern`. */
export function levelsCover(pattern: readonly string[], filter: readonly string[]): boolean {
  // A pattern starting with a wildcard matches no $-topic [MQTT-4.7.2-1], so it cannot cover
  // a filter that reaches some ('#' does not cover '$SYS/#').
  if (isWildcardLevel(pattern[0] as string) && reachesDollarTopics(filter[0] as string))
    return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    // '#' takes any rest, including none: 'a/#' covers 'a' as it matches the parent level.
    if (p === MULTI_LEVEL_WILDCARD) return true;
    if (i >= filter.length) return false;
    const f = filter[i] as string;
    // A pattern '+' or literal level never covers '#', which also reaches deeper (and shallower)
    // topics, except that '+/#' covers '#' (and '/+/#' covers '/#'): there the shallower topic
    // would be empty, and the empty string is no topic [MQTT-4.7.3-1].
    if (f === MULTI_LEVEL_WILDCARD) {
      return (
        p === SINGLE_LEVEL_WILDCARD &&
        pattern[i + 1] === MULTI_LEVEL_WILDCARD &&
        parentIsEmpty(filter, i)
      );
    }
    if (p === SINGLE_LEVEL_WILDCARD) continue;
    // A literal level covers only the same literal, never a '+'.
    if (f !== p) return false;
  }
  return pattern.length === filter.length;
}

/** Intersection on pre-split valid filters: some topic name is matched by both. */
export function levelsIntersect(a: readonly string[], b: readonly string[]): boolean {
  const a0 = a[0] as string;
  const b0 = b[0] as string;
  // Wildcard-first filters see no $-topics [MQTT-4.7.2-1]; the other side must then reach a non-$ topic.
  if (isWildcardLevel(a0) && reachesDollarTopics(b0)) return false;
  if (isWildcardLevel(b0) && reachesDollarTopics(a0)) return false;
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === MULTI_LEVEL_WILDCARD || y === MULTI_LEVEL_WILDCARD) return true;
    if (x === SINGLE_LEVEL_WILDCARD || y === SINGLE_LEVEL_WILDCARD) continue;
    if (x !== y) return false;
  }
  if (a.length === b.length) return true;
  // The longer one must end right here in '#', which matches the parent level as well, unless
  // that parent is the empty string, which is no topic: '/#' and '+' share nothing [MQTT-4.7.3-1].
  const longer = a.length > b.length ? a : b;
  if (longer.length !== shorter + 1 || longer[shorter] !== MULTI_LEVEL_WILDCARD) return false;
  return !(shorter === 1 && (a[0] === '' || b[0] === ''));
}

/** True iff every topic `filter` can match is matched by `pattern`; false when either is invalid. */
export function filterCovers(pattern: string, filter: string): boolean {
  if (validateTopicFilter(pattern) !== undefined || validateTopicFilter(filter) !== undefined)
    return false;
  return levelsCover(splitLevels(pattern), splitLevels(filter));
}

/** True iff some topic name is matched by both filters; false when either is invalid. */
export function filtersIntersect(a: string, b: string): boolean {
  if (validateTopicFilter(a) !== undefined || validateTopicFilter(b) !== undefined) return false;
  return levelsIntersect(splitLevels(a), splitLevels(b));
}
