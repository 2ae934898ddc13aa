import { RetainedIndex } from './retained-index.ts';

describe('RetainedIndex', () => {
  test('counts keys and bytes through puts, replacements and removals', () => {
    const index = new RetainedIndex();
    index.put('a.b', 1, 10, undefined);
    index.put('a', 2, 5, undefined);
    index.put('a.b', 3, 4, undefined);
    expect([index.size, index.bytes, index.bytesOf('a.b'), index.revision]).toEqual([2, 9, 4, 3]);

    index.remove('a', 4);
    index.remove('missing', 5);
    expect([index.size, index.bytes, index.bytesOf('a'), index.bytesOf('a.b')]).toEqual([
      1,
      4,
      undefined,
      4,
    ]);
    expect(index.revision).toBe(5);
  });

  test('keeps a parent key when a deeper one is removed, and the reverse', () => {
    const index = new RetainedIndex();
    index.put('a', 1, 1, undefined);
    index.put('a.b.c', 2, 1, undefined);
    index.remove('a.b.c', 3);
    expect(index.keysMatching('>', 10)).toEqual(['a']);
    index.put('a.b.c', 4, 1, undefined);
    index.remove('a', 5);
    expect(index.keysMatching('>', 10)).toEqual(['a.b.c']);
  });

  test.each([
    ['a.*', ['a.b', 'a.c']],
    ['a.>', ['a.b', 'a.b.c', 'a.c']],
    ['*.b', ['a.b', 'z.b']],
    ['a', ['a']],
    ['>', ['a', 'a.b', 'a.b.c', 'a.c', 'z.b']],
    ['q.*', []],
    ['a.b.c.d', []],
  ])('finds the keys of the filter %s', (filter, keys) => {
    const index = new RetainedIndex();
    ['a', 'a.b', 'a.c', 'a.b.c', 'z.b'].forEach((key, i) => index.put(key, i + 1, 1, undefined));
    expect(index.keysMatching(filter, 100)?.sort()).toEqual(keys);
  });

  test('stops a walk past `max` keys instead of listing them all', () => {
    const index = new RetainedIndex();
    for (let i = 0; i < 10; i++) index.put(`a.${i}`, i + 1, 1, undefined);
    expect(index.keysMatching('a.*', 10)).toHaveLength(10);
    expect(index.keysMatching('a.*', 9)).toBeUndefined();
    expect(index.keysMatching('>', 9)).toBeUndefined();
  });

  test('lists expired keys with the revision that carries their expiry', () => {
    const index = new RetainedIndex();
    index.put('a', 1, 1, 100);
    index.put('b', 2, 1, 200);
    index.put('c', 3, 1, undefined);
    expect(index.expired(150, 10)).toEqual([{ key: 'a', expiresAt: 100, revision: 1 }]);
    index.put('a', 4, 1, undefined);
    expect(index.expired(250, 10).map((e) => e.key)).toEqual(['b']);
    expect(index.expired(250, 0)).toEqual([]);
  });

  test('resolves a wait for a write once its revision is applied, at once when already past', async () => {
    const index = new RetainedIndex();
    const waiting = index.waitFor('a', 2, 10_000);
    index.put('b', 1, 1, undefined);
    index.put('a', 2, 1, undefined);
    await expect(waiting).resolves.toBe(true);
    await expect(index.waitFor('a', 1, 10_000)).resolves.toBe(true);
  });

  test('resolves a wait for the next change of a key only at a change of that key', async () => {
    const index = new RetainedIndex();
    index.put('a', 1, 1, undefined);
    let seen = false;
    const waiting = index.nextChange('a', 10_000).then((value) => (seen = value));
    index.put('b', 2, 1, undefined);
    await Promise.resolve();
    expect(seen).toBe(false);
    index.remove('a', 3);
    await waiting;
    expect(seen).toBe(true);
  });

  test('resolves a catch-up wait once every revision up to it is applied or replayed', async () => {
    const index = new RetainedIndex();
    const applied = index.caughtUp(2, 10_000);
    const replayed = index.caughtUp(7, 10_000);
    index.put('a', 2, 1, undefined);
    await expect(applied).resolves.toBe(true);
    index.replayedUpTo(7);
    await expect(replayed).resolves.toBe(true);
  });

  test('gives up a wait after its timeout, and every wait when cleared', async () => {
    const index = new RetainedIndex();
    await expect(index.waitFor('a', 1, 5)).resolves.toBe(false);
    const pending = [index.nextChange('a', 10_000), index.caughtUp(9, 10_000)];
    index.put('b', 1, 1, undefined);
    index.clear();
    await expect(Promise.all(pending)).resolves.toEqual([false, false]);
    expect([index.size, index.bytes, index.revision]).toEqual([0, 0, 0]);
  });
});
