// The contract every MessageFabric implementation passes (local now, NATS later). Test code:
// import it from test files only.
import type { MessageFabric } from './message-fabric.ts';
import type { Message } from './types.ts';

function message(topic: string, payload: string): Message {
  return {
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    retain: false,
    properties: { userProperties: { k: 'v' }, correlationData: Buffer.from('c') },
    expiresAt: undefined,
    publisherClientId: 'p',
  };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Declares the fabric contract tests for one implementation. */
export function messageFabricContract(
  name: string,
  makeFabrics: () => Promise<{ a: MessageFabric; b: MessageFabric; dispose(): Promise<void> }>,
): void {
  describe(`${name} message fabric contract`, () => {
    test('a published message reaches every subscriber with its properties intact', async () => {
      const { a, b, dispose } = await makeFabrics();
      const seenA: Message[] = [];
      const seenB: Message[] = [];
      a.subscribe((m) => seenA.push(m));
      b.subscribe((m) => seenB.push(m));
      await a.publish(message('x/y', 'hello'));
      await settle();
      for (const seen of [seenA, seenB]) {
        expect(seen).toHaveLength(1);
        expect(seen[0]!.payload.toString()).toBe('hello');
        expect(seen[0]!.properties.userProperties).toEqual({ k: 'v' });
        expect(seen[0]!.properties.correlationData?.toString()).toBe('c');
        expect(seen[0]!.publisherClientId).toBe('p');
      }
      await dispose();
    });

    test('messages from one publisher arrive in order', async () => {
      const { a, b, dispose } = await makeFabrics();
      const seen: string[] = [];
      b.subscribe((m) => seen.push(m.payload.toString()));
      for (let i = 0; i < 20; i++) await a.publish(message('x/y', `m${i}`));
      await settle();
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      await dispose();
    });

    test('an unsubscribed handler receives nothing more, and a closed fabric refuses to publish', async () => {
      const { a, b, dispose } = await makeFabrics();
      const seen: Message[] = [];
      const stop = b.subscribe((m) => seen.push(m));
      stop();
      await a.publish(message('x/y', 'after'));
      await settle();
      expect(seen).toHaveLength(0);
      await a.close();
      await expect(a.publish(message('x/y', 'closed'))).rejects.toThrow();
      await dispose();
    });
  });
}
