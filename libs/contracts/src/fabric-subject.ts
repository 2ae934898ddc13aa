// The fabric's subjects: every MQTT PUBLISH crosses NATS on `mqtt.msg.<topic levels>`, one NATS
// token per MQTT level. The encoding is reversible and injective, and each token is a plain
// NATS token (no '.', '*', '>', whitespace, never empty), so no choice of topic characters lets
// a device publish on, or be received through, a subject that belongs to another topic.
//
// A non-empty level is encoded like a KV key (kv-key.ts): [A-Za-z0-9_-] stay literal and every
// other UTF-8 byte becomes `=XX` (uppercase hex), so readable topics stay readable and every
// '$' (a leading one included) is `=24`. An empty level is a lone `=`: an encoded level only
// ever holds '=' followed by two hex digits, so no non-empty level produces it, and it does not
// lean on U+0000 being forbidden the way an `=00` token would.
//
// Size: a topic of n UTF-8 bytes gives a subject of at most 9 + 3n characters. The broker caps
// topics at 1024 bytes (mqtt-engine limits), so a subject stays under 3100 characters, within
// nats-server's default max_control_line (4 KiB) with room for a reply subject. A deployment
// that raises the topic limit must raise max_control_line too; nothing here refuses sizes.
import { OctomeshError } from './errors.ts';
import { decodeKvKey, encodeKvKey } from './kv-key.ts';

/** The subject prefix of the fabric: `mqtt.msg.<encoded topic levels>`. */
export const FABRIC_SUBJECT_PREFIX = 'mqtt.msg';

/** The token of an empty topic level ('a//b' has one): a lone '=' never starts an escape. */
export const EMPTY_LEVEL_TOKEN = '=';

const SUBJECT_START = `${FABRIC_SUBJECT_PREFIX}.`;
// The first token of a topic whose first level starts with '$', which the UTF-8 byte 0x24
// alone encodes; an empty first level is `=`, so it never looks like one.
const DOLLAR_TOKEN_START = '=24';
const SHARE_LEVEL = '$share';
const hasWildcard = (value: string): boolean => value.includes('+') || value.includes('#');
// What a decoded level can never hold: '/', a wildcard or U+0000 [MQTT-4.7.0-1] [MQTT-4.7.3-2].
const impossibleInLevel = (level: string): boolean =>
  level.includes('/') || hasWildcard(level) || level.includes('\u0000');

/** Thrown for a topic or filter the fabric cannot carry, or a subject it did not produce. */
export class FabricSubjectError extends OctomeshError {
  constructor(message: string, options?: ErrorOptions) {
    super('FABRIC_SUBJECT_INVALID', message, options ?? {});
  }
}

/** Why a topic name or filter cannot be encoded at all, or undefined. */
function stringProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty [MQTT-4.7.3-1]';
  if (value.includes('\u0000')) return 'contains U+0000 [MQTT-4.7.3-2]';
  // A lone surrogate has no UTF-8 encoding and would merge with U+FFFD [MQTT-1.5.4-1].
  if (!value.isWellFormed()) return 'contains a lone surrogate [MQTT-1.5.4-1]';
  return undefined;
}

function encodeLevel(level: string): string {
  return level.length === 0 ? EMPTY_LEVEL_TOKEN : encodeKvKey(level);
}

/** Encodes an MQTT topic name as its fabric subject, e.g. `a/os::1` → `mqtt.msg.a.os=3A=3A1`. */
export function topicToSubject(topic: string): string {
  const problem = stringProblem(topic);
  if (problem !== undefined) throw new FabricSubjectError(`topic ${problem}`);
  if (hasWildcard(topic)) {
    throw new FabricSubjectError('a topic name must not contain + or # [MQTT-4.7.0-1]');
  }
  return `${SUBJECT_START}${topic.split('/').map(encodeLevel).join('.')}`;
}

function decodeToken(token: string, subject: string): string {
  if (token === EMPTY_LEVEL_TOKEN) return '';
  let level: string;
  try {
    // Refuses empty tokens, '*', '>', lowercase hex, escaped literals and invalid UTF-8.
    level = decodeKvKey(token);
  } catch (cause) {
    throw new FabricSubjectError(`not a fabric subject: ${JSON.stringify(subject)}`, { cause });
  }
  // '=2F' would decode to a second subject for 'a/b', '=2B' / '=23' to a wildcard.
  if (impossibleInLevel(level)) {
    throw new FabricSubjectError(
      `fabric subject escapes a character no level holds: ${JSON.stringify(subject)}`,
    );
  }
  return level;
}

/** Decodes a subject made by {@link topicToSubject}; throws {@link FabricSubjectError} on anything else. */
export function subjectToTopic(subject: string): string {
  if (!subject.startsWith(SUBJECT_START)) {
    throw new FabricSubjectError(`not a fabric subject: ${JSON.stringify(subject)}`);
  }
  const topic = subject
    .slice(SUBJECT_START.length)
    .split('.')
    .map((token) => decodeToken(token, subject))
    .join('/');
  // `mqtt.msg.=` would be the empty topic, which has no subject [MQTT-4.7.3-1].
  if (topic.length === 0) throw new FabricSubjectError('fabric subject of an empty topic');
  return topic;
}

/** Splits a filter into levels, or throws when it is no plain MQTT topic filter. */
function filterLevels(filter: string): string[] {
  const problem = stringProblem(filter);
  if (problem !== undefined) throw new FabricSubjectError(`topic filter ${problem}`);
  const levels = filter.split('/');
  // The caller subscribes to the filter inside the share group, not to the group [MQTT-4.8.2-1].
  if (levels[0] === SHARE_LEVEL) {
    throw new FabricSubjectError('strip the share group from a $share filter first');
  }
  const last = levels.length - 1;
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== last)) {
      throw new FabricSubjectError("'#' must be alone in the last level [MQTT-4.7.1-1]");
    }
    if (level.includes('+') && level !== '+') {
      throw new FabricSubjectError("'+' must occupy a whole level [MQTT-4.7.1-2]");
    }
  });
  return levels;
}

/**
 * The NATS subjects that together receive every topic an MQTT filter matches, and nothing
 * else except $-topics under a filter that starts with a wildcard: use
 * {@link fabricSubscription} when the filter may start with '+' or '#'. The subjects are
 * disjoint, so a message arrives once.
 */
export function filterToSubjects(filter: string): string[] {
  const levels = filterLevels(filter);
  const tokens = levels.map((level) => (level === '+' ? '*' : encodeLevel(level)));
  if (levels.at(-1) !== '#') return [`${SUBJECT_START}${tokens.join('.')}`];
  const parent = tokens.slice(0, -1);
  // 'a/#' also matches 'a' (MQTT 5 §4.7.1.2); a lone '#' has no parent and matches everything.
  if (parent.length === 0) return [`${SUBJECT_START}>`];
  return [`${SUBJECT_START}${parent.join('.')}`, `${SUBJECT_START}${parent.join('.')}.>`];
}

/** How a subscriber receives an MQTT filter's topics from the fabric. */
export interface FabricSubscription {
  /** The subjects to subscribe to: see {@link filterToSubjects}. */
  readonly subjects: readonly string[];
  /** Whether a message delivered on one of `subjects` matches the filter. */
  readonly admits: (subject: string) => boolean;
}

/**
 * The subjects of an MQTT filter plus the check NATS cannot express: a filter starting with a
 * wildcard must not match topics whose first level starts with '$' [MQTT-4.7.2-1].
 */
export function fabricSubscription(filter: string): FabricSubscription {
  const subjects = filterToSubjects(filter);
  const skipsDollarTopics = filter.startsWith('+') || filter.startsWith('#');
  return {
    subjects,
    admits: skipsDollarTopics
      ? (subject) => !subject.startsWith(DOLLAR_TOKEN_START, SUBJECT_START.length)
      : () => true,
  };
}
