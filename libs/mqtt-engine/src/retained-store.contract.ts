// The behaviour every RetainedStore must show, as a Jest suite each implementation runs from its
// own test file (memory now, NATS KV with the scale-out issue). Test code: import it only from
// *.test.ts files, never from the engine's runtime code.
import { RetainedStoreFullError, RetainedTopicError } from './retained-store.ts';
import type { RetainedMessage, RetainedStore, RetainedStoreLimits } from './retained-store.ts';

/** What the contract hands an implementation's factory: bounds to apply and the clock to expire by. */
export interface RetainedStoreContractSetup {
  limits: RetainedStoreLimits;
  /** ms since the epoch; the contract moves it forward to test expiry. */
  now: () => number;
}

/** Builds a fresh, empty store for one test. */
export type MakeRetainedStore = (
  setup: RetainedStoreContractSetup,
) => RetainedStore | Promise<RetainedStore>;

/** Optional clean-up of each store the contract made (close connections, delete buckets). */
export interface RetainedStoreContractHooks {
  dispose?: (store: RetainedStore) => void | Promise<void>;
}

const START = Date.UTC(2025, 0, 1);
const ROOMY: RetainedStoreLimits = { maxMessages: 1_000, maxBytes: 1_000_000 };

function message(topic: string, payload = 'x', extra: Partial<RetainedMessage> = {}) {
  return { topic, payload: Buffer.from(payload), qos: 1 as const, ...extra };
}

function topicsOf(messages: readonly RetainedMessage[]): string[] {
  return messages.map((msg) => msg.topic).sort();
}

/** The rejection reason of a promise; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Declares the RetainedStore contract suite for one implementation. */
export function retainedStoreContract(
  name: string,
  makeStore: MakeRetainedStore,
  hooks: RetainedStoreContractHooks = {},
): void {
  describe(`${name} honours the RetainedStore contract`, () => {
    let clock = START;
    const made: RetainedStore[] = [];

    async function open(limits: RetainedStoreLimits = ROOMY): Promise<RetainedStore> {
      const store = await makeStore({ limits, now: () => clock });
      made.push(store);
      return store;
    }

    async function storeWith(topics: readonly string[], limits = ROOMY): Promise<RetainedStore> {
      const store = await open(limits);
      for (const topic of topics) await store.set(message(topic, `payload of ${topic}`));
      return store;
    }

    beforeEach(() => {
      clock = START;
    });

    afterEach(async () => {
      for (const store of made.splice(0)) await hooks.dispose?.(store);
    });

    describe('storing', () => {
      test('returns the message set for a topic, payload, QoS and properties included', async () => {
        const store = await open();
        const properties = { contentType: 'application/json', userProperties: { a: '1' } };
        await store.set({ topic: 'a/b', payload: Buffer.from('{}'), qos: 2, properties });

        expect(await store.get('a/b')).toEqual({
          topic: 'a/b',
          payload: Buffer.from('{}'),
          qos: 2,
          properties,
        });
      });

      test('returns nothing for a topic that has no retained message', async () => {
        const store = await storeWith(['a/b']);

        expect(await store.get('a/c')).toBeUndefined();
        expect(await store.get('a')).toBeUndefined();
      });

      test('replaces the message of a topic on a second set [MQTT-3.3.1-5]', async () => {
        const store = await open();
        await store.set(message('a', 'first'));
        await store.set(message('a', 'second', { qos: 0 }));

        const held = await store.get('a');
        expect(held?.payload.toString()).toBe('second');
        expect(held?.qos).toBe(0);
        expect(await store.match('#')).toHaveLength(1);
        if (store.size !== undefined) expect(store.size).toBe(1);
      });

      test('keeps its own copy of the payload when the caller reuses the buffer', async () => {
        const store = await open();
        const payload = Buffer.from('original');
        await store.set({ topic: 'a', payload, qos: 0 });
        payload.write('changed!');

        expect((await store.get('a'))?.payload.toString()).toBe('original');
      });

      test('rejects a topic name with wildcards with RetainedTopicError', async () => {
        const store = await open();

        const error = await rejectionOf(store.set(message('a/+')));
        expect(error).toBeInstanceOf(RetainedTopicError);
        expect((error as RetainedTopicError).reasonCode).toBe(0x90);
      });
    });

    describe('deleting', () => {
      test('removes the message when an empty payload is set for its topic [MQTT-3.3.1-6]', async () => {
        const store = await storeWith(['a/b', 'a/c']);
        await store.set(message('a/b', ''));

        expect(await store.get('a/b')).toBeUndefined();
        expect(topicsOf(await store.match('a/#'))).toEqual(['a/c']);
        if (store.size !== undefined) expect(store.size).toBe(1);
      });

      test('never stores a message with an empty payload [MQTT-3.3.1-7]', async () => {
        const store = await open();
        await store.set(message('a', ''));

        expect(await store.get('a')).toBeUndefined();
        expect(await store.match('#')).toEqual([]);
        if (store.size !== undefined) expect(store.size).toBe(0);
      });
    });

    describe('matching filters', () => {
      const topics = ['a', 'a/b', 'a/c', 'a/b/c', 'ab', '/a', 'a//b'];

      test.each([
        ['a/b', ['a/b']],
        ['a/+', ['a/b', 'a/c']],
        ['a/#', ['a', 'a//b', 'a/b', 'a/b/c', 'a/c']],
        ['+/+', ['/a', 'a/b', 'a/c']],
        ['+', ['a', 'ab']],
        ['#', topics],
        ['a/+/b', ['a//b']],
        ['+/b/#', ['a/b', 'a/b/c']],
        ['/+', ['/a']],
        ['x/#', []],
        ['a/b/c/d', []],
      ])('matches %s level by level, empty levels included', async (filter, expected) => {
        const store = await storeWith(topics);

        expect(topicsOf(await store.match(filter))).toEqual([...expected].sort());
      });

      test('does not match $-topics with filters starting with a wildcard [MQTT-4.7.2-1]', async () => {
        const store = await storeWith(['$SYS/broker/uptime', 'a/broker/uptime']);

        expect(topicsOf(await store.match('#'))).toEqual(['a/broker/uptime']);
        expect(topicsOf(await store.match('+/broker/uptime'))).toEqual(['a/broker/uptime']);
        expect(topicsOf(await store.match('$SYS/#'))).toEqual(['$SYS/broker/uptime']);
        expect(topicsOf(await store.match('$SYS/+/uptime'))).toEqual(['$SYS/broker/uptime']);
      });

      test('rejects a malformed filter with RetainedTopicError', async () => {
        const store = await storeWith(['a/b']);

        const error = await rejectionOf(store.match('a/#/b'));
        expect(error).toBeInstanceOf(RetainedTopicError);
        expect((error as RetainedTopicError).reasonCode).toBe(0x8f);
      });
    });

    describe('message expiry', () => {
      test('no longer matches a message once its expiry time is reached [MQTT-3.3.2-5]', async () => {
        const store = await open();
        await store.set(message('a/b', 'soon gone', { expiresAt: START + 1_000 }));
        await store.set(message('a/c', 'forever'));

        expect(topicsOf(await store.match('a/+', START + 999))).toEqual(['a/b', 'a/c']);
        expect(topicsOf(await store.match('a/+', START + 1_000))).toEqual(['a/c']);
      });

      test('matches by the store clock when no time is given', async () => {
        const store = await open();
        await store.set(message('a', 'soon gone', { expiresAt: START + 1_000 }));
        clock = START + 1_000;

        expect(await store.match('a')).toEqual([]);
      });

      test('no longer gets a message once its expiry time is reached', async () => {
        const store = await open();
        await store.set(message('a', 'soon gone', { expiresAt: START + 1_000 }));
        expect(await store.get('a')).toBeDefined();

        clock = START + 1_000;
        expect(await store.get('a')).toBeUndefined();
      });

      test('treats an already expired message as deleting the topic', async () => {
        const store = await storeWith(['a']);
        await store.set(message('a', 'too late', { expiresAt: START }));

        expect(await store.get('a')).toBeUndefined();
        expect(await store.match('#')).toEqual([]);
      });
    });

    describe('bounds', () => {
      test('refuses a new topic once maxMessages are held, keeping what it holds', async () => {
        const store = await storeWith(['a', 'b'], { maxMessages: 2, maxBytes: 1_000_000 });

        const error = await rejectionOf(store.set(message('c')));
        expect(error).toBeInstanceOf(RetainedStoreFullError);
        expect(error).toMatchObject({
          code: 'RETAINED_STORE_FULL',
          reasonCode: 0x97,
          topic: 'c',
          limit: 'maxMessages',
        });
        expect(await store.get('c')).toBeUndefined();
        expect(topicsOf(await store.match('#'))).toEqual(['a', 'b']);
      });

      test('still replaces a held topic when maxMessages are held', async () => {
        const store = await storeWith(['a', 'b'], { maxMessages: 2, maxBytes: 1_000_000 });
        await store.set(message('a', 'newer'));

        expect((await store.get('a'))?.payload.toString()).toBe('newer');
      });

      test('refuses a message that would pass maxBytes, keeping the one it would replace', async () => {
        // 'a' plus 10 payload bytes counts 11 of the 20 allowed.
        const store = await open({ maxMessages: 100, maxBytes: 20 });
        await store.set(message('a', '0123456789'));

        await expect(store.set(message('b', '0123456789'))).rejects.toMatchObject({
          code: 'RETAINED_STORE_FULL',
          limit: 'maxBytes',
        });
        await store.set(message('a', 'x'.repeat(19)));
        const error = await rejectionOf(store.set(message('a', 'x'.repeat(20))));
        expect(error).toBeInstanceOf(RetainedStoreFullError);
        expect((await store.get('a'))?.payload.toString()).toBe('x'.repeat(19));
        expect(await store.get('b')).toBeUndefined();
      });

      test('makes room for a new topic when a held one is deleted', async () => {
        const store = await storeWith(['a', 'b'], { maxMessages: 2, maxBytes: 1_000_000 });
        await store.set(message('b', ''));
        await store.set(message('c'));

        expect(topicsOf(await store.match('#'))).toEqual(['a', 'c']);
      });

      test('makes room for a new topic by discarding expired messages', async () => {
        const store = await open({ maxMessages: 2, maxBytes: 1_000_000 });
        await store.set(message('a', 'soon gone', { expiresAt: START + 1_000 }));
        await store.set(message('b'));
        clock = START + 1_000;
        await store.set(message('c'));

        expect(topicsOf(await store.match('#'))).toEqual(['b', 'c']);
      });
    });
  });
}
