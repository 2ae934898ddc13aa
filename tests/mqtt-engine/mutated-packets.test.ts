// Mutated packets after a good CONNECT: whatever bytes a client sends, its connection either
// goes on or ends with a reason the spec gives. No client byte may reach the engine's generic
// "handler failed" path (DISCONNECT 0x80), and the engine serves on. The engine is driven over
// an in-memory stream (the same Duplex interface its listeners hand it), so thousands of cases
// run in seconds; the raw-byte table (malformed-packets.test.ts) covers real sockets.
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { startTestBroker, type TestBroker } from './harness.ts';

type Version = 4 | 5;

const accounts = { adm: { password: 'pwa', role: 'admin' } };

/** Valid packets of each type a client sends, the seeds of the mutations. */
function seeds(version: Version): Buffer[] {
  const v5 = version === 5;
  const props = <T extends object>(p: T): { properties?: T } => (v5 ? { properties: p } : {});
  const packets: mqttPacket.Packet[] = [
    {
      cmd: 'publish',
      topic: 'fuzz/a',
      payload: Buffer.from('x'),
      qos: 0,
      retain: false,
      dup: false,
    },
    {
      cmd: 'publish',
      topic: 'fuzz/b',
      payload: Buffer.from('hello'),
      qos: 1,
      messageId: 11,
      retain: true,
      dup: false,
      ...props({
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        responseTopic: 'fuzz/reply',
        correlationData: Buffer.from([1, 2]),
        userProperties: { a: 'b' },
        topicAlias: 2,
      }),
    },
    {
      cmd: 'publish',
      topic: 'fuzz/c',
      payload: Buffer.alloc(3),
      qos: 2,
      messageId: 12,
      retain: false,
      dup: false,
    },
    { cmd: 'pubrel', messageId: 12 },
    {
      cmd: 'puback',
      messageId: 1,
      ...(v5 ? { reasonCode: 0x10, properties: { reasonString: 'r' } } : {}),
    },
    { cmd: 'pubrec', messageId: 2 },
    { cmd: 'pubcomp', messageId: 3 },
    {
      cmd: 'subscribe',
      messageId: 4,
      subscriptions: [
        { topic: 'fuzz/#', qos: 1, ...(v5 ? { nl: true, rap: true, rh: 1 } : {}) },
        { topic: '$share/g/fuzz/+', qos: 0 },
      ] as mqttPacket.ISubscription[],
      ...props({ subscriptionIdentifier: 5, userProperties: { s: 't' } }),
    },
    {
      cmd: 'unsubscribe',
      messageId: 5,
      unsubscriptions: ['fuzz/#', 'x'],
      ...props({ userProperties: { u: 'v' } }),
    },
    { cmd: 'pingreq' },
    {
      cmd: 'disconnect',
      ...(v5
        ? { reasonCode: 0x04, properties: { sessionExpiryInterval: 0, reasonString: 'bye' } }
        : {}),
    },
  ];
  if (v5)
    packets.push({ cmd: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'X' } });
  return packets.map((p) => mqttPacket.generate(p, { protocolVersion: version }));
}

/** A seed with up to four bytes overwritten, maybe a byte inserted, maybe its tail cut. */
const mutation = (version: Version) =>
  fc
    .record({
      seed: fc.nat(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      insert: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { nil: undefined }),
      cut: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ seed, flips, insert, cut }) => {
      const all = seeds(version);
      let bytes = Buffer.from(all[seed % all.length]!);
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      if (insert !== undefined) {
        const at = insert[0] % bytes.length;
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from([insert[1]]),
          bytes.subarray(at),
        ]);
      }
      return bytes.subarray(0, Math.max(1, bytes.length - cut));
    });

/** An in-memory client stream: what the engine writes is parsed as it comes. */
function memoryClient(broker: TestBroker, version: Version) {
  const packets: mqttPacket.Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: version });
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', () => undefined);
  let ended = false;
  const stream = new Duplex({
    // As a TCP socket: the end of the input ends the output.
    allowHalfOpen: false,
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      parser.parse(chunk);
      callback();
    },
    final(callback) {
      ended = true;
      callback();
    },
  });
  stream.on('close', () => (ended = true));
  broker.engine.accept(stream, { sourceAddress: '127.0.0.1:1', listener: 'memory' });
  return {
    packets,
    send: (bytes: Buffer | null) => stream.push(bytes),
    get ended() {
      return ended || stream.destroyed;
    },
    destroy: () => stream.destroy(),
  };
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

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
    'MQTT %i: 5,000 mutated packets each end in service or a spec reason code, never 0x80',
    async (version) => {
      let cases = 0;
      let served = 0;
      await fc.assert(
        fc.asyncProperty(mutation(version), async (bytes) => {
          cases++;
          const client = memoryClient(broker, version);
          client.send(
            mqttPacket.generate(
              {
                cmd: 'connect',
                protocolVersion: version,
                clientId: `fuzz-${cases}`,
                clean: true,
                keepalive: 60,
                username: 'adm',
                password: Buffer.from('pwa'),
              },
              { protocolVersion: version },
            ),
          );
          await until(() => client.packets.some((p) => p.cmd === 'connack'), 'CONNACK');
          // The mutation, a PINGREQ, then the end of the stream: the engine handles what it
          // received (a cut packet just waits for bytes that never come) and closes.
          client.send(bytes);
          client.send(Buffer.from([0xc0, 0x00]));
          client.send(null);
          await until(() => client.ended, 'the connection to end');
          if (client.packets.some((p) => p.cmd === 'pingresp')) served++;
          const disconnect = client.packets.find(
            (p): p is mqttPacket.IDisconnectPacket => p.cmd === 'disconnect',
          );
          client.destroy();
          expect(failures).toEqual([]);
          if (disconnect !== undefined) expect(disconnect.reasonCode).not.toBe(0x80);
        }),
        { numRuns: 5000 },
      );
      // Most mutations break a packet; some leave a valid one that is served.
      expect(served).toBeGreaterThan(0);
      expect(served).toBeLessThan(cases * 0.75);
    },
  );
});
