// Matching a topic name against a topic filter, level by level and exactly: 'a/b' never
// matches 'a/bc' (Oktopus matched by prefix and let devices write into each other's topics).
import {
  MULTI_LEVEL_WILDCARD,
  SINGLE_LEVEL_WILDCARD,
  isDollarTopic,
  isWildcardLevel,
  splitLevels,
  validateTopicFilter,
  validateTopicName,
} from './topic.ts';

/** Matches pre-split levels of a valid filter against pre-split levels of a valid topic name. */
export function levelsMatch(filter: readonly string[], topic: readonly string[]): boolean {
  // A filter starting with a wildcard never matches a $-topic [MQTT-4.7.2-1].
  if (isWildcardLevel(filter[0] as string) && isDollarTopic(topic[0] as string)) return false;
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i] as string;
    // '#' also matches the parent level: 'a/#' matches 'a' (MQTT 5 §4.7.1.2) [MQTT-4.7.1-1].
    if (level === MULTI_LEVEL_WILDCARD) return true;
    if (i >= topic.length) return false;
    // Levels compare as they are, without normalisation [MQTT-4.7.3-4].
    if (level !== SINGLE_LEVEL_WILDCARD && level !== topic[i]) return false;
  }
  return filter.length === topic.length;
}

/** True when the topic name is matched by the filter; false when either is invalid. */
export function topicMatches(filter: string, topic: string): boolean {
  if (validateTopicFilter(filter) !== undefined || validateTopicName(topic) !== undefined)
    return false;
  return levelsMatch(splitLevels(filter), splitLevels(topic));
}
