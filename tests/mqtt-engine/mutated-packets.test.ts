// Mutated packets after a good CONNECT: whatever bytes a client sends, its connection either
// goes on or ends with a reason the spec gives. No client byte may reach the engine's generic
// "handler failed" path (DISCONNECT 0x80), and the engine serves on. The engine is driven over
// an in-memory stream (libs/testing mqtt-fuzz.ts), so 50,000 cases per version run in seconds;
// the raw-byte table (malformed-packets.test.ts) covers real sockets, and bench/fuzz runs a
// million.
import fc from 'fast-check';
import { mutatedPacket, runFuzzCase } from '@octomesh/testing';
import { eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';

const accounts = { adm: { password: 'pwa', role: 'admin' } };
const RUNS = 50_000;

describe('mutated packets never reach the generic error path', () => {
  let broker: TestBroker;
  const failures: string[] = [];

  beforeAll(async () => {
    const note = (level: string) => (data: object, message: string) => {
      if (level === 'error' || message === 'handler failed')
        failures.push(`${message} ${JSON.stringify(data)}`);
    };
    broker = await startTestBroker(accounts, {
      limits: { maxPublishRate: 0, sysIntervalSeconds: 0 },
      logger: {
        debug: note('debug'),
        info: note('info'),
        warn: note('warn'),
        error: note('error'),
      },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  test.each([4, 5] as const)(
    'MQTT %i: 50,000 mutated packets each end in service or a spec reason code, never 0x80',
    async (version) => {
      let cases = 0;
      let served = 0;
      await fc.assert(
        fc.asyncProperty(mutatedPacket(version), async (bytes) => {
          cases++;
          const outcome = await runFuzzCase(broker.engine, version, bytes, `fuzz-${cases}`, {
            username: 'adm',
            password: 'pwa',
          });
          if (outcome.served) served++;
          expect(failures).toEqual([]);
          if (outcome.disconnectCode !== undefined) expect(outcome.disconnectCode).not.toBe(0x80);
        }),
        { numRuns: RUNS },
      );
      // Most mutations break a packet; some leave a valid one that is served.
      expect(cases).toBe(RUNS);
      expect(served).toBeGreaterThan(0);
      expect(served).toBeLessThan(cases * 0.75);
      // Every connection is gone (the last one's socket closes a moment after its end): nothing
      // leaks per case.
      await eventually('every connection gone', () =>
        broker.engine.openConnections === 0 ? true : undefined,
      );
    },
    120_000,
  );
});
