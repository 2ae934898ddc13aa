import { topicMatches, validateTopicFilter, validateTopicName } from '@octomesh/acl-rules';
import {
  InvalidSubscriptionError,
  MergeError,
  SubscriptionIndex,
  mergeForClient,
  mergeOverlapping,
} from './subscription-index.ts';
import type { QoS, Subscription, SubscriptionOptions } from './subscription-index.ts';

function sub(
  clientId: string,
  filter: string,
  options: Partial<SubscriptionOptions> = {},
  shareGroup?: string,
): Subscription {
  const subscription: Subscription = {
    clientId,
    filter,
    options: { qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0, ...options },
  };
  if (shareGroup !== undefined) subscription.shareGroup = shareGroup;
  return subscription;
}

function describeSub(s: Subscription): string {
  return `${s.clientId} ${s.shareGroup === undefined ? '' : `$share/${s.shareGroup}/`}${s.filter}`;
}

/** The matches for a topic as sorted "client filter" strings. */
function matched(index: SubscriptionIndex, topic: string): string[] {
  return index.match(topic).map(describeSub).sort();
}

function indexOf(...subs: Subscription[]): SubscriptionIndex {
  const index = new SubscriptionIndex();
  for (const s of subs) index.add(s);
  return index;
}

/** mulberry32: random but reproducible, so a failing case can be replayed. */
function seededRandom(seed: number): { below(bound: number): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { below: (bound) => Math.floor(next() * bound) };
}

describe('SubscriptionIndex matching', () => {
  test('matches a filter without wildcards only against the identical topic', () => {
    const index = indexOf(sub('c1', 'a/b'));

    expect(matched(index, 'a/b')).toEqual(['c1 a/b']);
    for (const topic of ['a/bc', 'a/b/c', 'a', 'A/b', 'a/b/']) {
      expect(matched(index, topic)).toEqual([]);
    }
  });

  test('matches + against exactly one level, an empty one included', () => {
    const index = indexOf(sub('c1', 'a/+'), sub('c2', '+/+/c'));

    expect(matched(index, 'a/b')).toEqual(['c1 a/+']);
    expect(matched(index, 'a/')).toEqual(['c1 a/+']);
    expect(matched(index, 'x//c')).toEqual(['c2 +/+/c']);
    expect(matched(index, 'a')).toEqual([]);
    expect(matched(index, 'a/b/c')).toEqual(['c2 +/+/c']);
    expect(matched(index, 'a/b/c/d')).toEqual([]);
  });

  test('matches # against every deeper level and the parent level itself (MQTT 5 §4.7.1.2)', () => {
    const index = indexOf(sub('c1', 'a/#'), sub('c2', '#'));

    expect(matched(index, 'a')).toEqual(['c1 a/#', 'c2 #']);
    expect(matched(index, 'a/b/c/d')).toEqual(['c1 a/#', 'c2 #']);
    expect(matched(index, 'ab')).toEqual(['c2 #']);
    expect(matched(index, '/a')).toEqual(['c2 #']);
  });

  test('treats empty levels as real levels', () => {
    const index = indexOf(sub('c1', 'a//b'), sub('c2', 'a/+/b'), sub('c3', 'a/b'));

    expect(matched(index, 'a//b')).toEqual(['c1 a//b', 'c2 a/+/b']);
    expect(matched(index, 'a/b')).toEqual(['c3 a/b']);
  });

  test('never matches a $-topic with a filter starting with a wildcard [MQTT-4.7.2-1]', () => {
    const index = indexOf(
      sub('c1', '#'),
      sub('c2', '+/broker/uptime'),
      sub('c3', '$SYS/#'),
      sub('c4', '$SYS/+/uptime'),
      sub('c5', '$SYS/broker/uptime'),
    );

    expect(matched(index, '$SYS/broker/uptime')).toEqual([
      'c3 $SYS/#',
      'c4 $SYS/+/uptime',
      'c5 $SYS/broker/uptime',
    ]);
    expect(matched(index, 'x/broker/uptime')).toEqual(['c1 #', 'c2 +/broker/uptime']);
  });

  test('lets wildcards after the first level match levels starting with $', () => {
    const index = indexOf(sub('c1', 'a/+'), sub('c2', 'a/#'));

    expect(matched(index, 'a/$x')).toEqual(['c1 a/+', 'c2 a/#']);
  });

  test('returns every matching subscription of a client once, overlapping ones included', () => {
    const index = indexOf(sub('c1', 'a/b'), sub('c1', 'a/+'), sub('c1', '+/b'), sub('c1', '#'));

    expect(matched(index, 'a/b')).toEqual(['c1 #', 'c1 +/b', 'c1 a/+', 'c1 a/b']);
  });

  test('returns shared and non-shared subscriptions, members of one group adjacent', () => {
    const index = indexOf(
      sub('m1', 'a/+', {}, 'g'),
      sub('p1', 'a/+'),
      sub('h1', 'a/+', {}, 'h'),
      sub('m2', 'a/+', {}, 'g'),
      sub('m3', 'a/+', {}, 'g'),
    );

    const groups = index.match('a/b').map((s) => s.shareGroup ?? '-');
    expect([...groups].sort()).toEqual(['-', 'g', 'g', 'g', 'h']);
    const firstG = groups.indexOf('g');
    expect(groups.slice(firstG, firstG + 3)).toEqual(['g', 'g', 'g']);
  });

  test('returns nothing when nobody subscribed', () => {
    expect(new SubscriptionIndex().match('a/b')).toEqual([]);
  });
});

describe('SubscriptionIndex bookkeeping', () => {
  test('replaces a subscription with the same client, filter and group [MQTT-3.8.4-3]', () => {
    const index = indexOf(sub('c1', 'a/+', { qos: 0 }));

    expect(index.add(sub('c1', 'a/+', { qos: 2, subscriptionIdentifier: 7 }))).toEqual({
      replaced: true,
    });
    expect(index.size).toBe(1);
    expect(index.match('a/b').map((s) => s.options)).toEqual([
      expect.objectContaining({ qos: 2, subscriptionIdentifier: 7 }),
    ]);
    expect(index.subscriptionsOf('c1')).toHaveLength(1);
  });

  test('keeps a client subscription, and its shared ones in different groups, apart', () => {
    const index = new SubscriptionIndex();

    expect(index.add(sub('c1', 'a/b'))).toEqual({ replaced: false });
    expect(index.add(sub('c1', 'a/b', {}, 'g'))).toEqual({ replaced: false });
    expect(index.add(sub('c1', 'a/b', {}, 'h'))).toEqual({ replaced: false });
    expect(index.add(sub('c2', 'a/b'))).toEqual({ replaced: false });
    expect(index.size).toBe(4);
    expect(matched(index, 'a/b')).toEqual([
      'c1 $share/g/a/b',
      'c1 $share/h/a/b',
      'c1 a/b',
      'c2 a/b',
    ]);
  });

  test('removes one subscription, leaving the others that share its filter', () => {
    const index = indexOf(sub('c1', 'a/+'), sub('c2', 'a/+'), sub('c1', 'a/+', {}, 'g'));

    expect(index.remove('c1', 'a/+')).toBe(true);
    expect(matched(index, 'a/b')).toEqual(['c1 $share/g/a/+', 'c2 a/+']);
    expect(index.remove('c1', 'a/+', 'g')).toBe(true);
    expect(matched(index, 'a/b')).toEqual(['c2 a/+']);
    expect(index.size).toBe(1);
  });

  test('reports false when removing a subscription the client does not hold', () => {
    const index = indexOf(sub('c1', 'a/+'), sub('c1', 'x', {}, 'g'));

    expect(index.remove('c2', 'a/+')).toBe(false);
    expect(index.remove('c1', 'a/b')).toBe(false);
    expect(index.remove('c1', 'a/#')).toBe(false);
    expect(index.remove('c1', 'x')).toBe(false);
    expect(index.remove('c1', 'x', 'h')).toBe(false);
    expect(index.size).toBe(2);
  });

  test('removes every subscription of a client and says how many', () => {
    const index = indexOf(
      sub('c1', 'a/b'),
      sub('c1', 'a/#'),
      sub('c1', 'a/b', {}, 'g'),
      sub('c2', 'a/b'),
    );

    expect(index.removeClient('c1')).toBe(3);
    expect(matched(index, 'a/b')).toEqual(['c2 a/b']);
    expect(index.subscriptionsOf('c1')).toEqual([]);
    expect(index.removeClient('c1')).toBe(0);
    expect(index.size).toBe(1);
  });

  test('lists a client subscriptions in the order they were made, replacements in place', () => {
    const first = sub('c1', 'a');
    const index = indexOf(first, sub('c1', 'b/#'), sub('c1', 'c', {}, 'g'));
    index.add(sub('c1', 'b/#', { qos: 1 }));

    expect(index.subscriptionsOf('c1').map(describeSub)).toEqual([
      'c1 a',
      'c1 b/#',
      'c1 $share/g/c',
    ]);
    expect(index.subscriptionsOf('c1')[1]?.options.qos).toBe(1);
    expect(index.subscriptionsOf('nobody')).toEqual([]);
  });

  test('frees every trie node once the subscriptions using it are gone', () => {
    const index = indexOf(sub('c1', 'a/b/+/d'), sub('c2', 'a/b/#'), sub('c3', 'a/b'));
    const withAll = index.filterNodes;

    index.remove('c1', 'a/b/+/d');
    expect(index.filterNodes).toBeLessThan(withAll);
    expect(matched(index, 'a/b/x/d')).toEqual(['c2 a/b/#']);

    index.remove('c2', 'a/b/#');
    index.removeClient('c3');
    expect(index.filterNodes).toBe(0);
    expect(index.size).toBe(0);
  });

  test('keeps trie nodes still used by a deeper filter when a shallower one goes', () => {
    const index = indexOf(sub('c1', 'a/+'), sub('c2', 'a/+/c/#'));

    index.remove('c1', 'a/+');

    expect(matched(index, 'a/b/c')).toEqual(['c2 a/+/c/#']);
    expect(matched(index, 'a/b')).toEqual([]);
  });

  test.each([
    ['a/#/b', 0x8f],
    ['a+', 0x8f],
    ['', 0x8f],
  ])('refuses the malformed filter %j with InvalidSubscriptionError', (filter, reasonCode) => {
    const index = new SubscriptionIndex();

    expect(() => index.add(sub('c1', filter))).toThrow(InvalidSubscriptionError);
    expect(() => index.add(sub('c1', filter))).toThrow(
      expect.objectContaining({ reasonCode }) as Error,
    );
    expect(index.size).toBe(0);
  });

  test.each(['', 'g/h', 'g+', '#'])(
    'refuses the share group %j [MQTT-4.8.2-1] [MQTT-4.8.2-2]',
    (group) => {
      expect(() => new SubscriptionIndex().add(sub('c1', 'a', {}, group))).toThrow(
        InvalidSubscriptionError,
      );
    },
  );

  test('refuses No Local on a shared subscription as a protocol error [MQTT-3.8.3-4]', () => {
    expect(() => new SubscriptionIndex().add(sub('c1', 'a', { noLocal: true }, 'g'))).toThrow(
      expect.objectContaining({ code: 'SUBSCRIPTION_INVALID', reasonCode: 0x82 }) as Error,
    );
  });
});

describe('SubscriptionIndex agrees with topicMatches', () => {
  const LEVELS = ['a', 'b', '', '$s', 'c'];

  function randomLevels(random: { below(bound: number): number }, wildcards: boolean): string {
    const count = 1 + random.below(4);
    const levels: string[] = [];
    for (let i = 0; i < count; i++) {
      const roll = random.below(10);
      if (wildcards && i === count - 1 && roll === 0) levels.push('#');
      else if (wildcards && roll < 3) levels.push('+');
      else levels.push(LEVELS[random.below(LEVELS.length)]!);
    }
    return levels.join('/');
  }

  test.each([1, 2, 3, 4, 5])(
    'matches exactly the subscriptions whose filter matches, through adds and removals (seed %i)',
    (seed) => {
      const random = seededRandom(seed);
      const index = new SubscriptionIndex();
      const held = new Map<string, Subscription>();
      const keyOf = (s: Subscription): string =>
        `${s.clientId}\u0000${s.shareGroup}\u0000${s.filter}`;
      const topics: string[] = [];
      while (topics.length < 60) {
        const topic = randomLevels(random, false);
        if (validateTopicName(topic) === undefined) topics.push(topic);
      }
      const check = (): void => {
        for (const topic of topics) {
          const expected = [...held.values()]
            .filter((s) => topicMatches(s.filter, topic))
            .map(keyOf)
            .sort();
          expect(index.match(topic).map(keyOf).sort()).toEqual(expected);
        }
      };

      for (let i = 0; i < 300; i++) {
        const filter = randomLevels(random, true);
        if (validateTopicFilter(filter) !== undefined) continue;
        const group = random.below(4) === 0 ? `g${random.below(2)}` : undefined;
        const s = sub(`c${random.below(12)}`, filter, {}, group);
        index.add(s);
        held.set(keyOf(s), s);
      }
      expect(index.size).toBe(held.size);
      check();

      for (const s of [...held.values()]) {
        if (random.below(2) === 0) continue;
        expect(index.remove(s.clientId, s.filter, s.shareGroup)).toBe(true);
        held.delete(keyOf(s));
      }
      const leaving = `c${random.below(12)}`;
      const leavingCount = [...held.values()].filter((s) => s.clientId === leaving).length;
      expect(index.removeClient(leaving)).toBe(leavingCount);
      for (const [key, s] of held) if (s.clientId === leaving) held.delete(key);
      expect(index.size).toBe(held.size);
      check();

      for (const s of held.values()) index.remove(s.clientId, s.filter, s.shareGroup);
      expect(index.size).toBe(0);
      expect(index.filterNodes).toBe(0);
    },
  );
});

describe('mergeForClient', () => {
  test('delivers one copy at the highest QoS of the overlapping subscriptions [MQTT-3.3.4-2]', () => {
    const merged = mergeForClient([
      sub('c1', 'a/+', { qos: 1 }),
      sub('c1', '#', { qos: 2 }),
      sub('c1', 'a/b', { qos: 0 }),
    ]);

    expect(merged?.qos).toBe(2);
  });

  test('carries the identifier of every overlapping subscription that has one, each once [MQTT-3.3.4-3] [MQTT-3.3.4-4]', () => {
    const merged = mergeForClient([
      sub('c1', 'a/+', { subscriptionIdentifier: 7 }),
      sub('c1', 'a/b'),
      sub('c1', '#', { subscriptionIdentifier: 9 }),
      sub('c1', '+/b', { subscriptionIdentifier: 7 }),
    ]);

    expect(merged).toEqual({
      clientId: 'c1',
      qos: 0,
      retainAsPublished: false,
      subscriptionIdentifiers: [7, 9],
    });
  });

  test('keeps the RETAIN flag as published when any overlapping subscription asked for it', () => {
    const asked = [sub('c1', 'a/+'), sub('c1', '#', { retainAsPublished: true })];

    expect(mergeForClient(asked)?.retainAsPublished).toBe(true);
    expect(mergeForClient([sub('c1', 'a/+'), sub('c1', '#')])?.retainAsPublished).toBe(false);
  });

  test('leaves out a No Local subscription for the publisher own message, keeping the others [MQTT-3.8.3-3]', () => {
    const subs = [
      sub('c1', 'a/+', { qos: 2, noLocal: true, subscriptionIdentifier: 1 }),
      sub('c1', '#', { qos: 1, subscriptionIdentifier: 2 }),
    ];

    expect(mergeForClient(subs, 'c1')).toMatchObject({ qos: 1, subscriptionIdentifiers: [2] });
    expect(mergeForClient(subs, 'c2')).toMatchObject({ qos: 2, subscriptionIdentifiers: [1, 2] });
    expect(mergeForClient(subs)).toMatchObject({ qos: 2, subscriptionIdentifiers: [1, 2] });
  });

  test('delivers nothing when No Local removes every matching subscription [MQTT-3.8.3-3]', () => {
    const subs = [sub('c1', 'a/+', { noLocal: true }), sub('c1', '#', { noLocal: true })];

    expect(mergeForClient(subs, 'c1')).toBeUndefined();
    expect(mergeForClient([])).toBeUndefined();
  });

  test('refuses subscriptions of several clients, or shared ones, with MergeError', () => {
    expect(() => mergeForClient([sub('c1', 'a'), sub('c2', 'a')])).toThrow(MergeError);
    expect(() => mergeForClient([sub('c1', 'a', { noLocal: true }), sub('c2', 'a')], 'c1')).toThrow(
      MergeError,
    );
    expect(() => mergeForClient([sub('c1', 'a'), sub('c1', 'a', {}, 'g')])).toThrow(MergeError);
  });
});

describe('mergeOverlapping', () => {
  test('makes one copy per client from its non-shared matches, in order of first match', () => {
    const copies = mergeOverlapping([
      sub('c2', 'a/+', { qos: 1 }),
      sub('c1', 'a/b', { subscriptionIdentifier: 3 }),
      sub('c2', '#', { qos: 2, subscriptionIdentifier: 4 }),
    ]);

    expect(copies).toEqual([
      { clientId: 'c2', qos: 2, retainAsPublished: false, subscriptionIdentifiers: [4] },
      { clientId: 'c1', qos: 0, retainAsPublished: false, subscriptionIdentifiers: [3] },
    ]);
  });

  test('gives a shared subscription its own copy, even for a client that also matched directly (MQTT 5 §4.8.2)', () => {
    const copies = mergeOverlapping([
      sub('c1', 'a/+', { qos: 1 as QoS, subscriptionIdentifier: 1 }),
      sub('c1', 'a/#', { qos: 2 as QoS, subscriptionIdentifier: 2 }, 'g'),
    ]);

    expect(copies).toEqual([
      { clientId: 'c1', qos: 1, retainAsPublished: false, subscriptionIdentifiers: [1] },
      {
        clientId: 'c1',
        qos: 2,
        retainAsPublished: false,
        subscriptionIdentifiers: [2],
        shareGroup: 'g',
      },
    ]);
  });

  test('applies No Local to the publisher own subscriptions only [MQTT-3.8.3-3]', () => {
    const copies = mergeOverlapping(
      [sub('c1', 'a', { noLocal: true }), sub('c2', 'a', { noLocal: true })],
      'c1',
    );

    expect(copies.map((copy) => copy.clientId)).toEqual(['c2']);
  });
});

describe('interest (what a replica announces to the others)', () => {
  function observed(): {
    index: SubscriptionIndex;
    events: string[];
  } {
    const events: string[] = [];
    const index = new SubscriptionIndex({
      onInterest: (filter, group, present) =>
        events.push(`${present ? '+' : '-'}${group === undefined ? '' : `${group}:`}${filter}`),
    });
    return { index, events };
  }

  test('a filter is announced on its first subscription and withdrawn after its last', () => {
    const { index, events } = observed();
    index.add(sub('c1', 'a/+'));
    index.add(sub('c2', 'a/+'));
    index.add(sub('c1', 'a/+', { qos: 1 })); // replaced: no change of interest
    expect(events).toEqual(['+a/+']);
    index.remove('c1', 'a/+');
    expect(events).toEqual(['+a/+']);
    index.remove('c2', 'a/+');
    expect(events).toEqual(['+a/+', '-a/+']);
    expect([...index.interest()]).toEqual([]);
  });

  test('shared groups count apart from the plain filter, and per group', () => {
    const { index, events } = observed();
    index.add(sub('c1', 'x/y', {}, 'g1'));
    index.add(sub('c2', 'x/y', {}, 'g2'));
    index.add(sub('c3', 'x/y'));
    index.add(sub('c4', 'x/y', {}, 'g1'));
    expect(events).toEqual(['+g1:x/y', '+g2:x/y', '+x/y']);
    expect([...index.interest()]).toEqual([
      { filter: 'x/y', shareGroup: 'g1' },
      { filter: 'x/y', shareGroup: 'g2' },
      { filter: 'x/y', shareGroup: undefined },
    ]);
    index.removeClient('c1');
    index.removeClient('c2');
    expect(events.slice(3)).toEqual(['-g2:x/y']);
  });

  test('removing a client withdraws each filter only it held', () => {
    const { index, events } = observed();
    index.add(sub('c1', 'a/#'));
    index.add(sub('c1', 'b'));
    index.add(sub('c2', 'b'));
    index.removeClient('c1');
    expect(events).toEqual(['+a/#', '+b', '-a/#']);
  });

  test('without an observer nothing is counted', () => {
    const index = new SubscriptionIndex();
    index.add(sub('c1', 'a'));
    expect([...index.interest()]).toEqual([]);
  });
});
