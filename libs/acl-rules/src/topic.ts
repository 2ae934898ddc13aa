// Syntax of MQTT topic names and topic filters (MQTT 5 §4.7). Pure string checks, no matching.

/** Largest topic name or filter in UTF-8 bytes [MQTT-4.7.3-3]. */
export const MAX_TOPIC_BYTES = 65_535;

/** The topic level separator. */
export const LEVEL_SEPARATOR = '/';
/** The single-level wildcard. */
export const SINGLE_LEVEL_WILDCARD = '+';
/** The multi-level wildcard. */
export const MULTI_LEVEL_WILDCARD = '#';

/** Splits a topic name or filter into its levels; empty levels are real levels ('/a' has two). */
export function splitLevels(topic: string): string[] {
  return topic.split(LEVEL_SEPARATOR);
}

/** True when the topic (or a level) is reserved for the server because it starts with '$' [MQTT-4.7.2-1]. */
export function isDollarTopic(topic: string): boolean {
  return topic.startsWith('$');
}

/** True when the level is '+' or '#'. */
export function isWildcardLevel(level: string): boolean {
  return level === SINGLE_LEVEL_WILDCARD || level === MULTI_LEVEL_WILDCARD;
}

/** Rules shared by names and filters: non-empty, no U+0000, well-formed, bounded; undefined when fine. */
function commonProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'must not be empty [MQTT-4.7.3-1]';
  if (topic.includes('\u0000')) return 'must not contain U+0000 [MQTT-4.7.3-2]';
  // A lone surrogate has no UTF-8 encoding, so it cannot have come from a well-formed packet.
  if (!topic.isWellFormed()) return 'must be well-formed UTF-8 [MQTT-1.5.4-1]';
  // Three bytes per UTF-16 unit is the worst case, so short strings skip the byte count.
  if (topic.length * 3 > MAX_TOPIC_BYTES && Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) {
    return `must be at most ${MAX_TOPIC_BYTES} UTF-8 bytes [MQTT-4.7.3-3]`;
  }
  return undefined;
}

/** Checks a topic name (what PUBLISH carries); undefined when valid, else the problem. */
export function validateTopicName(topic: string): string | undefined {
  if (typeof topic !== 'string') return 'must be a string';
  const problem = commonProblem(topic);
  if (problem !== undefined) return problem;
  if (topic.includes(SINGLE_LEVEL_WILDCARD) || topic.includes(MULTI_LEVEL_WILDCARD)) {
    return 'must not contain the wildcards + or # [MQTT-4.7.0-1]';
  }
  return undefined;
}

/**
 * Checks the syntax of a topic filter; undefined when valid, else the problem.
 * A `$share/...` filter is judged as plain syntax here: see parseSubscriptionFilter for SUBSCRIBE.
 */
export function validateTopicFilter(filter: string): string | undefined {
  if (typeof filter !== 'string') return 'must be a string';
  const problem = commonProblem(filter);
  if (problem !== undefined) return problem;
  const levels = splitLevels(filter);
  const last = levels.length - 1;
  for (let i = 0; i <= last; i++) {
    const level = levels[i] as string;
    if (level.includes(MULTI_LEVEL_WILDCARD) && (level !== MULTI_LEVEL_WILDCARD || i !== last)) {
      return "'#' must be alone in the last level [MQTT-4.7.1-1]";
    }
    if (level.includes(SINGLE_LEVEL_WILDCARD) && level !== SINGLE_LEVEL_WILDCARD) {
      return "'+' must occupy a whole level [MQTT-4.7.1-2]";
    }
  }
  return undefined;
}
