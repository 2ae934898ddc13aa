// The contract every MessageFabric implementation passes: the local one (one replica, both ends
// the same object) and the NATS one (services/broker, two replicas on a real NATS). Test code:
// import it from test files only.
import type { MessageFabric, SharedDelivery } from './message-fabric.ts';
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
    publisher: {
      subject: 'user:pub',
      username: 'pub',
      role: 'device',
      endpointId: 'os::P',
      clientId: 'p',
    },
  };
}

/** Two ends of a fabric: `a` publishes, `b` is another replica (or the same one, locally). */
export interface FabricPair {
  a: MessageFabric;
  b: MessageFabric;
  /** Resolves once `from` knows that `to` declared interest in `topic` (no-op for one replica). */
  interestKnown(from: MessageFabric, topic: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Polls until `probe` is true, or fails after 5 s. */
async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Declares the fabric contract tests for one implementation. */
export function messageFabricContract(name: string, makeFabrics: () => Promise<FabricPair>): void {
  describe(`${name} message fabric contract`, () => {
    test('a published message reaches every interested replica with its properties intact', async () => {
      const { a, b, interestKnown, dispose } = await makeFabrics();
      const seenA: Message[] = [];
      const seenB: Message[] = [];
      a.subscribe((m) => seenA.push(m));
      b.subscribe((m) => seenB.push(m));
      b.interest?.('x/+', undefined, true);
      await interestKnown(a, 'x/y');
      await a.publish(message('x/y', 'hello'));
      await until('b receives', () => seenB.length >= 1);
      const seens = a === b ? [seenA] : [seenA, seenB];
      for (const seen of seens) {
        expect(seen).toHaveLength(1);
        expect(seen[0]!.payload.toString()).toBe('hello');
        expect(seen[0]!.properties.userProperties).toEqual({ k: 'v' });
        expect(seen[0]!.properties.correlationData?.toString()).toBe('c');
        expect(seen[0]!.publisherClientId).toBe('p');
        expect(seen[0]!.publisher?.subject).toBe('user:pub');
        expect(seen[0]!.publisher?.endpointId).toBe('os::P');
      }
      await dispose();
    });

    test('messages from one publisher arrive in order', async () => {
      const { a, b, interestKnown, dispose } = await makeFabrics();
      const seen: string[] = [];
      b.subscribe((m) => seen.push(m.payload.toString()));
      b.interest?.('x/y', undefined, true);
      await interestKnown(a, 'x/y');
      for (let i = 0; i < 20; i++) await a.publish(message('x/y', `m${i}`));
      await until('20 messages', () => seen.length >= 20);
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      await dispose();
    });

    test('overlapping interest on one replica still hands each message over once', async () => {
      const { a, b, interestKnown, dispose } = await makeFabrics();
      const seen: string[] = [];
      b.subscribe((m) => seen.push(m.payload.toString()));
      b.interest?.('x/+', undefined, true);
      b.interest?.('x/#', undefined, true);
      b.interest?.('x/y', undefined, true);
      await interestKnown(a, 'x/y');
      await a.publish(message('x/y', 'once'));
      await a.publish(message('x/z', 'marker'));
      await until('the marker', () => seen.includes('marker'));
      expect(seen.filter((p) => p === 'once')).toHaveLength(1);
      await dispose();
    });

    test('a replica receives only what it declared interest in, and nothing after withdrawing it', async () => {
      const { a, b, interestKnown, dispose } = await makeFabrics();
      const seen: string[] = [];
      b.subscribe((m) => seen.push(m.topic));
      b.interest?.('in/#', undefined, true);
      b.interest?.('gone', undefined, true);
      await interestKnown(a, 'in/1');
      await interestKnown(a, 'gone');
      b.interest?.('gone', undefined, false);
      await a.publish(message('out/1', 'not wanted'));
      await a.publish(message('in/1', 'marker'));
      await until('the marker', () => seen.includes('in/1'));
      // One replica (the local fabric) hands every message back; others only what is wanted.
      if (a !== b) expect(seen).toEqual(['in/1']);
      await dispose();
    });

    test('a shared group’s message goes to exactly one replica, marked with its group', async () => {
      const { a, b, interestKnown, dispose } = await makeFabrics();
      const handed: { at: string; shared: SharedDelivery | undefined }[] = [];
      a.subscribe((m, shared) => handed.push({ at: 'a', shared }));
      if (a !== b) b.subscribe((m, shared) => handed.push({ at: 'b', shared }));
      a.interest?.('jobs/+', 'workers', true);
      b.interest?.('jobs/+', 'workers', true);
      await interestKnown(a, 'jobs/1');
      for (let i = 0; i < 20; i++) await a.publish(message(`jobs/${i}`, `job ${i}`));
      if (a.distributesSharedGroups === true) {
        await until('20 shared deliveries', () => handed.filter((h) => h.shared).length >= 20);
        const shared = handed.filter((h) => h.shared !== undefined);
        expect(shared).toHaveLength(20);
        expect(shared.every((h) => h.shared!.group === 'workers')).toBe(true);
        expect(shared.every((h) => h.shared!.filter === 'jobs/+')).toBe(true);
      } else {
        // The engine picks the member itself: the fabric hands the message over unmarked.
        await until('20 messages', () => handed.length >= 20);
        expect(handed.every((h) => h.shared === undefined)).toBe(true);
      }
      await dispose();
    });

    test('an unsubscribed handler receives nothing more, and a closed fabric refuses to publish', async () => {
      const { a, b, interestKnown, dispose } = await makeFabrics();
      const seen: Message[] = [];
      const markers: Message[] = [];
      const stop = b.subscribe((m) => seen.push(m));
      b.subscribe((m) => markers.push(m));
      b.interest?.('x/y', undefined, true);
      await interestKnown(a, 'x/y');
      stop();
      await a.publish(message('x/y', 'after'));
      await until('the other handler', () => markers.length >= 1);
      expect(seen).toHaveLength(0);
      await a.close();
      await expect(a.publish(message('x/y', 'closed'))).rejects.toThrow();
      await dispose();
    });
  });
}
