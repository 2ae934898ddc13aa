// Mutated MQTT packets for fuzzing the engine: valid seeds of every packet type a client
// sends, fast-check mutations of their bytes (overwritten, inserted, cut), and one fuzz case
// driven over an in-memory stream (the Duplex interface listeners hand the engine). Shared by
// tests/mqtt-engine/mutated-packets.test.ts (100,000 cases in CI) and bench/fuzz (1,000,000).
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';

/** An MQTT protocol level the fuzzer speaks. */
export type FuzzVersion = 4 | 5;

/** What a fuzz case drives: the engine's accept(). */
export interface FuzzTarget {
  accept(stream: Duplex, meta: { sourceAddress: string; listener: string }): unknown;
}

/** Valid packets of each type a client sends, the seeds of the mutations. */
export function packetSeeds(version: FuzzVersion): Buffer[] {
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
export const mutatedPacket = (version: FuzzVersion): fc.Arbitrary<Buffer> =>
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
      const all = packetSeeds(version);
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
function memoryClient(target: FuzzTarget, version: FuzzVersion) {
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
  target.accept(stream, { sourceAddress: '127.0.0.1:1', listener: 'memory' });
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

/** How one fuzz case ended. */
export interface FuzzOutcome {
  /** The PINGREQ after the mutation was answered: the connection was still served. */
  served: boolean;
  /** The reason code of the DISCONNECT the engine sent, if it sent one. */
  disconnectCode: number | undefined;
}

/**
 * One case: CONNECT (valid), the mutated bytes, PINGREQ, then the end of the stream; resolves
 * when the engine has handled what it received and closed.
 */
export async function runFuzzCase(
  target: FuzzTarget,
  version: FuzzVersion,
  bytes: Buffer,
  clientId: string,
  credentials: { username: string; password: string },
): Promise<FuzzOutcome> {
  const client = memoryClient(target, version);
  client.send(
    mqttPacket.generate(
      {
        cmd: 'connect',
        protocolVersion: version,
        clientId,
        clean: true,
        keepalive: 60,
        username: credentials.username,
        password: Buffer.from(credentials.password),
      },
      { protocolVersion: version },
    ),
  );
  await until(() => client.packets.some((p) => p.cmd === 'connack'), 'CONNACK');
  // A cut packet just waits for bytes that never come; the end of the stream settles it.
  client.send(bytes);
  client.send(Buffer.from([0xc0, 0x00]));
  client.send(null);
  await until(() => client.ended, 'the connection to end');
  const disconnect = client.packets.find(
    (p): p is mqttPacket.IDisconnectPacket => p.cmd === 'disconnect',
  );
  client.destroy();
  return {
    served: client.packets.some((p) => p.cmd === 'pingresp'),
    disconnectCode: disconnect?.reasonCode,
  };
}
