import { SharedGroups } from './shared-groups.ts';
import { SubscriptionIndex } from './subscription-index.ts';
import type { Subscription } from './subscription-index.ts';

function sub(clientId: string, filter: string, shareGroup?: string): Subscription {
  const subscription: Subscription = {
    clientId,
    filter,
    options: { qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
  };
  if (shareGroup !== undefined) subscription.shareGroup = shareGroup;
  return subscription;
}

function indexOf(...subs: Subscription[]): SubscriptionIndex {
  const index = new SubscriptionIndex();
  for (const s of subs) index.add(s);
  return index;
}

/** Who receives each of `count` messages on `topic`, as "client" or "client@group" per message. */
function receivers(
  groups: SharedGroups,
  index: SubscriptionIndex,
  topic: string,
  count: number,
  accept?: (member: Subscription) => boolean,
): string[][] {
  const rounds: string[][] = [];
  for (let i = 0; i < count; i++) {
    const { deliveries } = groups.select(index.match(topic), accept);
    rounds.push(
      deliveries.map((s) =>
        s.shareGroup === undefined ? s.clientId : `${s.clientId}@${s.shareGroup}`,
      ),
    );
  }
  return rounds;
}

describe('SharedGroups', () => {
  test('sends each message to one member of the group, round robin in subscription order', () => {
    const index = indexOf(
      sub('m1', 'jobs/+', 'g'),
      sub('m2', 'jobs/+', 'g'),
      sub('m3', 'jobs/+', 'g'),
    );

    expect(receivers(new SharedGroups(), index, 'jobs/1', 6)).toEqual([
      ['m1@g'],
      ['m2@g'],
      ['m3@g'],
      ['m1@g'],
      ['m2@g'],
      ['m3@g'],
    ]);
  });

  test('serves every group of a topic, and the non-shared subscribers, with each message', () => {
    const index = indexOf(
      sub('m1', 'jobs/#', 'g'),
      sub('m2', 'jobs/#', 'g'),
      sub('n1', 'jobs/+', 'h'),
      sub('p1', 'jobs/1'),
      sub('p2', '#'),
    );

    const rounds = receivers(new SharedGroups(), index, 'jobs/1', 2).map((r) => r.sort());
    expect(rounds).toEqual([
      ['m1@g', 'n1@h', 'p1', 'p2'],
      ['m2@g', 'n1@h', 'p1', 'p2'],
    ]);
  });

  test('treats one group name with two filters as two shared subscriptions', () => {
    const index = indexOf(sub('m1', 'jobs/+', 'g'), sub('m2', 'jobs/#', 'g'));

    expect(receivers(new SharedGroups(), index, 'jobs/1', 1)[0]?.sort()).toEqual(['m1@g', 'm2@g']);
  });

  test('skips members the predicate rejects and carries on round robin after the chosen one', () => {
    const index = indexOf(sub('m1', 'jobs', 'g'), sub('m2', 'jobs', 'g'), sub('m3', 'jobs', 'g'));
    const busy = new Set(['m2']);

    const rounds = receivers(new SharedGroups(), index, 'jobs', 4, (m) => !busy.has(m.clientId));

    expect(rounds).toEqual([['m1@g'], ['m3@g'], ['m1@g'], ['m3@g']]);
  });

  test('reports a group whose members are all rejected as unplaced instead of dropping it', () => {
    const index = indexOf(sub('m1', 'jobs', 'g'), sub('m2', 'jobs', 'g'), sub('p1', 'jobs'));

    const { deliveries, unplaced } = new SharedGroups().select(index.match('jobs'), () => false);

    expect(deliveries.map((s) => s.clientId)).toEqual(['p1']);
    expect(unplaced).toEqual([
      { group: 'g', filter: 'jobs', members: [sub('m1', 'jobs', 'g'), sub('m2', 'jobs', 'g')] },
    ]);
  });

  test('spreads messages over the remaining members once a member unsubscribes', () => {
    const index = indexOf(sub('m1', 'jobs', 'g'), sub('m2', 'jobs', 'g'), sub('m3', 'jobs', 'g'));
    const groups = new SharedGroups();
    receivers(groups, index, 'jobs', 2);

    index.remove('m2', 'jobs', 'g');
    const after = receivers(groups, index, 'jobs', 6).flat();

    expect(after).not.toContain('m2@g');
    expect(after.filter((r) => r === 'm1@g')).toHaveLength(3);
    expect(after.filter((r) => r === 'm3@g')).toHaveLength(3);
  });

  test('spreads messages over the remaining members once a member session ends', () => {
    const index = indexOf(sub('m1', 'jobs', 'g'), sub('m2', 'jobs', 'g'), sub('m2', 'other'));
    const groups = new SharedGroups();

    index.removeClient('m2');

    expect(receivers(groups, index, 'jobs', 3)).toEqual([['m1@g'], ['m1@g'], ['m1@g']]);
  });

  test('gives a member that joins its turn in the rotation', () => {
    const index = indexOf(sub('m1', 'jobs', 'g'));
    const groups = new SharedGroups();
    receivers(groups, index, 'jobs', 1);

    index.add(sub('m2', 'jobs', 'g'));

    expect(receivers(groups, index, 'jobs', 4).flat()).toEqual(['m2@g', 'm1@g', 'm2@g', 'm1@g']);
  });

  test('hands back the match list itself when no shared subscription matched', () => {
    const matches = [sub('p1', 'jobs'), sub('p2', '#')];

    const { deliveries, unplaced } = new SharedGroups().select(matches);

    expect(deliveries).toBe(matches);
    expect(unplaced).toEqual([]);
  });

  test('picks nothing from a group without members', () => {
    expect(new SharedGroups().pick('g', 'jobs', [])).toBeUndefined();
  });

  test('remembers at most maxTrackedGroups positions, forgetting the oldest', () => {
    const groups = new SharedGroups({ maxTrackedGroups: 2 });
    const members = [sub('m1', 'a', 'g'), sub('m2', 'a', 'g')];
    groups.pick('g1', 'a', members);
    groups.pick('g2', 'a', members);
    groups.pick('g3', 'a', members);

    expect(groups.trackedGroups).toBe(2);
    // g1 was forgotten, so its rotation starts again at the first member.
    expect(groups.pick('g1', 'a', members)?.clientId).toBe('m1');
    expect(groups.pick('g3', 'a', members)?.clientId).toBe('m2');
  });

  test('restarts a group rotation after forget', () => {
    const groups = new SharedGroups();
    const members = [sub('m1', 'a', 'g'), sub('m2', 'a', 'g')];
    groups.pick('g', 'a', members);

    groups.forget('g', 'a');

    expect(groups.trackedGroups).toBe(0);
    expect(groups.pick('g', 'a', members)?.clientId).toBe('m1');
  });
});
