import {
  EMPTY_LEVEL_TOKEN,
  FABRIC_SUBJECT_PREFIX,
  FabricSubjectError,
  fabricSubscription,
  filterToSubjects,
  subjectToTopic,
  topicToSubject,
} from './fabric-subject.ts';

// mulberry32: a seeded PRNG, so a failing case can be reproduced.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;

// Characters that stress the encoding: literals, everything NATS treats specially, the escape
// character and text that looks like an escape, '$', controls, Unicode and astral characters.
const SPECIAL = ['.', '*', '>', ' ', '\t', '\r', '\n', '\f', '\v', '=', '$', ':', '%', '\\'];
const LOOKALIKES = ['=24', '=2E', '=3D', '=3a', '=', '==', '=0', 'A', '2', 'F'];
const UNICODE = ['é', 'ß', '\u0085', '\u00a0', '\u2028', '\u3000', '\ufeff', '😀', '\u{10ffff}'];
const PLAIN = ['a', 'b', 'Z', '0', '9', '_', '-'];
const CONTROLS = Array.from({ length: 0x1f }, (_, i) => String.fromCharCode(i + 1)).concat('\x7f');

function randomLevel(random: Random): string {
  if (random() < 0.2) return '';
  const length = 1 + Math.floor(random() * 5);
  let level = random() < 0.15 ? '$' : '';
  for (let i = 0; i < length; i++) {
    level += pick(random, pick(random, [SPECIAL, LOOKALIKES, UNICODE, PLAIN, CONTROLS]));
  }
  return level;
}

/** A random valid topic name: 1 to 6 levels, empty ones included ('/' at either end too). */
function randomTopic(random: Random, level: (random: Random) => string = randomLevel): string {
  const count = 1 + Math.floor(random() * 6);
  const topic = Array.from({ length: count }, () => level(random)).join('/');
  return topic.length === 0 ? randomTopic(random, level) : topic;
}

// A small alphabet, so random filters and topics match each other often.
const SMALL_LEVELS = ['', 'a', 'b', '$a', '$', 'a.b', '*', '>', '=', '=24'];
const smallLevel = (random: Random): string => pick(random, SMALL_LEVELS);

function randomFilter(random: Random): string {
  if (random() < 0.05) return '#';
  const levels = randomTopic(random, smallLevel)
    .split('/')
    .map((level) => (random() < 0.3 ? '+' : level));
  if (random() < 0.3) levels.push('#');
  return levels.join('/');
}

// NATS matching: '*' is one token, '>' one or more trailing tokens.
function natsMatches(subscription: string, subject: string): boolean {
  const pattern = subscription.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '>') return tokens.length > i;
    if (i >= tokens.length) return false;
    if (pattern[i] !== '*' && pattern[i] !== tokens[i]) return false;
  }
  return pattern.length === tokens.length;
}

// MQTT matching (MQTT 5 §4.7), written from the spec: contracts may not import acl-rules.
function mqttMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  // [MQTT-4.7.2-1]: a leading wildcard does not match a topic starting with '$'.
  if ((filter.startsWith('+') || filter.startsWith('#')) && topic.startsWith('$')) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    if (filterLevels[i] === '#') return true;
    if (i >= topicLevels.length) return false;
    if (filterLevels[i] !== '+' && filterLevels[i] !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

// A NATS token: non-empty, no '.', '*', '>' or whitespace; ours are also printable ASCII.
const NATS_TOKEN = /^[^.*>\s]+$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

function topicTokens(subject: string): string[] {
  if (!subject.startsWith(`${FABRIC_SUBJECT_PREFIX}.`)) throw new Error(`no prefix: ${subject}`);
  return subject.slice(FABRIC_SUBJECT_PREFIX.length + 1).split('.');
}

describe('topicToSubject', () => {
  it('keeps a USP agent topic readable and escapes the colons of its endpoint id', () => {
    expect(topicToSubject('oktopus/usp/v1/agent/os::0044-ABC')).toBe(
      'mqtt.msg.oktopus.usp.v1.agent.os=3A=3A0044-ABC',
    );
  });

  it('escapes the characters NATS treats specially, so they stay inside their level', () => {
    expect(topicToSubject('a.b/*/>/c d\te')).toBe('mqtt.msg.a=2Eb.=2A.=3E.c=20d=09e');
  });

  it('escapes a leading $ and every other $', () => {
    expect(topicToSubject('$SYS/a$b')).toBe('mqtt.msg.=24SYS.a=24b');
  });

  it('encodes an empty level as a lone =, which no non-empty level produces', () => {
    expect(EMPTY_LEVEL_TOKEN).toBe('=');
    expect(topicToSubject('/')).toBe('mqtt.msg.=.=');
    expect(topicToSubject('a//b/')).toBe('mqtt.msg.a.=.b.=');
    expect(topicToSubject('=')).toBe('mqtt.msg.=3D');
  });

  it('escapes each UTF-8 byte of non-ASCII characters', () => {
    expect(topicToSubject('é/😀')).toBe('mqtt.msg.=C3=A9.=F0=9F=98=80');
  });

  it.each([
    ['the empty topic [MQTT-4.7.3-1]', ''],
    ['a single-level wildcard [MQTT-4.7.0-1]', 'a/+'],
    ['a multi-level wildcard [MQTT-4.7.0-1]', 'a/#'],
    ['a wildcard inside a level', 'a+b'],
    ['U+0000 [MQTT-4.7.3-2]', 'a\u0000b'],
    ['a lone high surrogate [MQTT-1.5.4-1]', 'a\ud800'],
    ['a lone low surrogate [MQTT-1.5.4-1]', '\udc00/a'],
  ])('refuses %s', (_name, topic) => {
    expect(() => topicToSubject(topic)).toThrow(
      expect.objectContaining({ name: 'FabricSubjectError', code: 'FABRIC_SUBJECT_INVALID' }),
    );
  });
});

describe('subjectToTopic', () => {
  it('decodes the subject of a USP agent topic', () => {
    expect(subjectToTopic('mqtt.msg.oktopus.usp.v1.agent.os=3A=3A0044-ABC')).toBe(
      'oktopus/usp/v1/agent/os::0044-ABC',
    );
  });

  it.each([
    ['another subject', 'mesh.acl.v1.changed'],
    ['the bare prefix', 'mqtt.msg'],
    ['the prefix and a dot', 'mqtt.msg.'],
    ['a longer prefix', 'mqtt.msgs.a'],
    ['an empty token', 'mqtt.msg.a..b'],
    ['a trailing dot', 'mqtt.msg.a.'],
    ['the empty topic', 'mqtt.msg.='],
    ['a doubled empty-level token', 'mqtt.msg.=='],
    ['a * wildcard token', 'mqtt.msg.a.*'],
    ['a > wildcard token', 'mqtt.msg.a.>'],
    ['whitespace', 'mqtt.msg.a b'],
    ['a truncated escape', 'mqtt.msg.ab=4'],
    ['a non-hex escape', 'mqtt.msg.=4G'],
    ['lowercase hex', 'mqtt.msg.os=3a'],
    ['an escaped literal character', 'mqtt.msg.=61'],
    ['an escaped slash, a second spelling of a/b', 'mqtt.msg.a=2Fb'],
    ['an escaped + wildcard', 'mqtt.msg.=2B'],
    ['an escaped # wildcard', 'mqtt.msg.=23'],
    ['an escaped U+0000', 'mqtt.msg.=00'],
    ['a truncated UTF-8 sequence', 'mqtt.msg.=C3'],
    ['an encoded surrogate', 'mqtt.msg.=ED=A0=80'],
    ['an overlong encoding', 'mqtt.msg.=C0=AE'],
  ])('rejects %s', (_name, subject) => {
    expect(() => subjectToTopic(subject)).toThrow(FabricSubjectError);
  });

  it('accepts only the one subject topicToSubject gives, for random subject-like strings', () => {
    const random = seededRandom(0x5eb_1ec7);
    const alphabet = ['a', 'Z', '_', '=', '2', '4', '3', 'A', 'F', 'C', '0', '.', '*', '>', ' '];
    let decoded = 0;
    for (let i = 0; i < 20_000; i++) {
      const length = 1 + Math.floor(random() * 8);
      const subject = `mqtt.msg.${Array.from({ length }, () => pick(random, alphabet)).join('')}`;
      let topic: string;
      try {
        topic = subjectToTopic(subject);
      } catch (error) {
        expect(error).toBeInstanceOf(FabricSubjectError);
        continue;
      }
      decoded++;
      expect(topicToSubject(topic)).toBe(subject);
    }
    // Guard against a generator that never produces a decodable subject.
    expect(decoded).toBeGreaterThan(1_000);
  });
});

describe('the topic encoding (properties over random topics)', () => {
  it('round-trips every topic, special characters, Unicode, empty levels and $ included', () => {
    const random = seededRandom(0x0c70_f4b1);
    const broken: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const topic = randomTopic(random);
      if (subjectToTopic(topicToSubject(topic)) !== topic) broken.push(topic);
    }
    expect(broken).toEqual([]);
  });

  it('gives distinct topics distinct subjects', () => {
    const random = seededRandom(0x1dec_7170);
    const topicBySubject = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const topic = randomTopic(random, random() < 0.5 ? smallLevel : randomLevel);
      const subject = topicToSubject(topic);
      const earlier = topicBySubject.get(subject);
      if (earlier !== undefined) expect(earlier).toBe(topic);
      topicBySubject.set(subject, topic);
    }
    // Guard against a generator that produces too few distinct topics to test injectivity.
    expect(topicBySubject.size).toBeGreaterThan(15_000);
  });

  it('gives look-alike topics distinct subjects', () => {
    const lookalikes = [
      'a/b',
      'a.b',
      'a/b/',
      '/a/b',
      'a//b',
      'a/=/b',
      'a/=2F/b',
      'a=2Fb',
      'a/ /b',
      '$a/b',
      '=24a/b',
      'a/b/=',
      'a/b//',
      'a*b',
      'a>b',
      'a/*',
      'a/>',
    ];
    const subjects = new Set(lookalikes.map(topicToSubject));
    expect(subjects.size).toBe(lookalikes.length);
  });

  it('makes one valid, non-empty NATS token per level', () => {
    const random = seededRandom(0x70_4e45);
    const bad: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const topic = randomTopic(random);
      const tokens = topicTokens(topicToSubject(topic));
      const valid = tokens.every((token) => NATS_TOKEN.test(token) && PRINTABLE_ASCII.test(token));
      if (!valid || tokens.length !== topic.split('/').length) bad.push(topic);
    }
    expect(bad).toEqual([]);
  });

  it('never lets a topic reach the subject or the subtree of another topic', () => {
    const random = seededRandom(0xbad_de71c);
    // Topics a device would like to reach by choosing characters in its own topic.
    const targets = ['other/topic', 'other', '$SYS/broker', 'a/b', '/'];
    const crafted = [
      'other.topic',
      'other/topic.x',
      'other.>',
      'other/*',
      'other/topic ',
      'other\ttopic',
      'other=2Etopic',
      '$SYS.broker',
      '=24SYS/broker',
      'a.b',
      '=',
      '=/=',
    ];
    const topics = [
      ...crafted,
      ...Array.from({ length: 20_000 }, () => randomTopic(random, smallLevel)),
    ];
    const escapes: string[] = [];
    for (const target of targets) {
      const exact = topicToSubject(target);
      for (const topic of topics) {
        const subject = topicToSubject(topic);
        const reachesTopic = natsMatches(exact, subject) !== (topic === target);
        const reachesSubtree =
          natsMatches(`${exact}.>`, subject) !== topic.startsWith(`${target}/`);
        if (reachesTopic || reachesSubtree) escapes.push(`${topic} → ${target}`);
      }
    }
    expect(escapes).toEqual([]);
    // Guard: the random topics do land on the targets and in their subtrees.
    expect(topics.filter((topic) => topic.startsWith('a/b/')).length).toBeGreaterThan(100);
  });
});

describe('filterToSubjects', () => {
  it('maps a plain filter to the subject of that topic', () => {
    expect(filterToSubjects('oktopus/usp/v1/agent/os::1')).toEqual([
      topicToSubject('oktopus/usp/v1/agent/os::1'),
    ]);
  });

  it('maps + to a single-token wildcard, matching empty levels too', () => {
    expect(filterToSubjects('a/+/c')).toEqual(['mqtt.msg.a.*.c']);
    expect(natsMatches('mqtt.msg.a.*.c', topicToSubject('a//c'))).toBe(true);
  });

  it('maps a trailing # to the parent and its subtree, since a/# also matches a', () => {
    expect(filterToSubjects('oktopus/usp/v1/controller/#')).toEqual([
      'mqtt.msg.oktopus.usp.v1.controller',
      'mqtt.msg.oktopus.usp.v1.controller.>',
    ]);
    expect(filterToSubjects('+/#')).toEqual(['mqtt.msg.*', 'mqtt.msg.*.>']);
  });

  it('maps a lone # to every fabric subject', () => {
    expect(filterToSubjects('#')).toEqual(['mqtt.msg.>']);
  });

  it('escapes the levels of a filter like those of a topic', () => {
    expect(filterToSubjects('$SYS/a.b//+/#')).toEqual([
      'mqtt.msg.=24SYS.a=2Eb.=.*',
      'mqtt.msg.=24SYS.a=2Eb.=.*.>',
    ]);
  });

  it.each([
    ['the empty filter [MQTT-4.7.3-1]', ''],
    ['# before the last level [MQTT-4.7.1-1]', 'a/#/b'],
    ['# inside a level [MQTT-4.7.1-1]', 'a/b#'],
    ['+ inside a level [MQTT-4.7.1-2]', 'a/b+/c'],
    ['U+0000 [MQTT-4.7.3-2]', 'a/\u0000'],
    ['a lone surrogate [MQTT-1.5.4-1]', 'a/\ud800'],
    ['a shared subscription, whose group the caller strips', '$share/group/a/#'],
  ])('refuses %s', (_name, filter) => {
    expect(() => filterToSubjects(filter)).toThrow(FabricSubjectError);
  });

  it('makes subjects NATS accepts for a subscription', () => {
    const random = seededRandom(0x5ab_5c81);
    for (let i = 0; i < 5_000; i++) {
      for (const subject of filterToSubjects(randomFilter(random))) {
        const tokens = topicTokens(subject);
        tokens.forEach((token, index) => {
          if (token === '>') expect(index).toBe(tokens.length - 1);
          else if (token !== '*') expect(token).toMatch(NATS_TOKEN);
        });
      }
    }
  });
});

describe('fabricSubscription', () => {
  it('admits $-topics only when the filter does not start with a wildcard [MQTT-4.7.2-1]', () => {
    const sys = topicToSubject('$SYS/broker/load');
    expect(fabricSubscription('#').admits(sys)).toBe(false);
    expect(fabricSubscription('+/broker/load').admits(sys)).toBe(false);
    expect(fabricSubscription('$SYS/#').admits(sys)).toBe(true);
    expect(fabricSubscription('#').admits(topicToSubject('a/$SYS'))).toBe(true);
    // An empty first level is a lone '=', not a '$'.
    expect(fabricSubscription('#').admits(topicToSubject('/a'))).toBe(true);
  });

  it('receives exactly the topics the MQTT filter matches, $ rule included', () => {
    const random = seededRandom(0xf117_e75);
    const wrong: string[] = [];
    let matches = 0;
    let dollarTopicsRefused = 0;
    for (let i = 0; i < 5_000; i++) {
      const filter = randomFilter(random);
      const subscription = fabricSubscription(filter);
      for (let j = 0; j < 20; j++) {
        const topic = randomTopic(random, smallLevel);
        const subject = topicToSubject(topic);
        const delivered = subscription.subjects.filter((s) => natsMatches(s, subject)).length;
        const received = delivered > 0 && subscription.admits(subject);
        // The subjects are disjoint: a message never arrives twice.
        if (delivered > 1 || received !== mqttMatches(filter, topic)) {
          wrong.push(`filter ${JSON.stringify(filter)}, topic ${JSON.stringify(topic)}`);
        }
        if (received) matches++;
        if (delivered > 0 && !received) dollarTopicsRefused++;
      }
    }
    expect(wrong).toEqual([]);
    // Guard against a generator whose filters and topics rarely match or never meet the $ rule.
    expect(matches).toBeGreaterThan(5_000);
    expect(dollarTopicsRefused).toBeGreaterThan(500);
  });

  it('subscribes to the subjects filterToSubjects gives', () => {
    for (const filter of ['#', '+/a', 'a/+/#', '$SYS/#', 'a']) {
      expect(fabricSubscription(filter).subjects).toEqual(filterToSubjects(filter));
    }
  });
});
