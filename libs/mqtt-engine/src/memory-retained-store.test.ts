import { DEFAULT_RETAINED_LIMITS, MemoryRetainedStore } from './memory-retained-store.ts';
import { retainedStoreContract } from './retained-store.contract.ts';

retainedStoreContract('MemoryRetainedStore', ({ limits, now }) => {
  return new MemoryRetainedStore({ ...limits, now });
});

describe('MemoryRetainedStore', () => {
  test('applies the default limits when none are given', () => {
    expect(new MemoryRetainedStore().limits).toEqual(DEFAULT_RETAINED_LIMITS);
  });

  test('counts the UTF-8 bytes of topic and payload, and gives them back on delete', async () => {
    const store = new MemoryRetainedStore();
    await store.set({ topic: 'é/a', payload: Buffer.alloc(10), qos: 0 });
    expect(store.bytes).toBe(4 + 10);

    await store.set({ topic: 'é/a', payload: Buffer.alloc(3), qos: 0 });
    expect(store.bytes).toBe(4 + 3);

    await store.set({ topic: 'é/a', payload: Buffer.alloc(0), qos: 0 });
    expect(store.bytes).toBe(0);
    expect(store.size).toBe(0);
  });

  test('keeps sibling and parent topics when a deeper one is deleted', async () => {
    const store = new MemoryRetainedStore();
    for (const topic of ['a', 'a/b', 'a/b/c', 'a/d']) {
      await store.set({ topic, payload: Buffer.from(topic), qos: 0 });
    }
    await store.set({ topic: 'a/b', payload: Buffer.alloc(0), qos: 0 });
    await store.set({ topic: 'a/b/c', payload: Buffer.alloc(0), qos: 0 });

    expect((await store.match('#')).map((msg) => msg.topic).sort()).toEqual(['a', 'a/d']);
    await store.set({ topic: 'a/b/c', payload: Buffer.from('again'), qos: 0 });
    expect((await store.match('a/+/c')).map((msg) => msg.topic)).toEqual(['a/b/c']);
  });

  test('sweeps expired messages on demand and reports how many went', async () => {
    const store = new MemoryRetainedStore({ now: () => 0 });
    await store.set({ topic: 'a', payload: Buffer.from('x'), qos: 0, expiresAt: 10 });
    await store.set({ topic: 'b', payload: Buffer.from('x'), qos: 0, expiresAt: 20 });
    await store.set({ topic: 'c', payload: Buffer.from('x'), qos: 0 });

    expect(store.purgeExpired(15)).toBe(1);
    expect(store.size).toBe(2);
    expect(store.bytes).toBe(4);
  });

  test('frees the bytes of expired messages it skips while matching', async () => {
    const store = new MemoryRetainedStore({ now: () => 0 });
    await store.set({ topic: 'a/x', payload: Buffer.from('x'), qos: 0, expiresAt: 10 });
    await store.set({ topic: 'a/y', payload: Buffer.from('y'), qos: 0 });

    expect((await store.match('a/+', 10)).map((msg) => msg.topic)).toEqual(['a/y']);
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(4);
  });
});
