import fc from 'fast-check';
import mqtt, { type Packet } from 'mqtt-packet';
import { checkFixedHeader, checkPacketBody } from './check-packet.ts';
import type { PacketViolation } from './packet-violation.ts';

/** Runs both checks on one whole packet as the parser would; the violation, if any. */
function check(bytes: Buffer, level: number): PacketViolation | undefined {
  const header = checkFixedHeader(bytes[0]!, level);
  if (header !== undefined) return header;
  let length = 0;
  let multiplier = 1;
  let pos = 1;
  for (;;) {
    const byte = bytes[pos++]!;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
  }
  return checkPacketBody(bytes[0]!, bytes.subarray(pos), length, level);
}

// Strings a client may send: any Unicode scalar value but U+0000.
const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\u0000', ''));
const nonEmpty = text.filter((s) => s.length > 0);
const topicName = nonEmpty.map((s) => s.replaceAll(/[+#]/g, '_'));
const packetId = fc.integer({ min: 1, max: 65535 });
const userProperties = fc.dictionary(nonEmpty, text, { maxKeys: 3 });
const qos = fc.constantFrom<0 | 1 | 2>(0, 1, 2);

/** Packets a well-behaved v5 client sends, as mqtt-packet objects. */
const v5Packets: fc.Arbitrary<Packet> = fc.oneof(
  fc
    .record({
      cmd: fc.constant('connect' as const),
      protocolVersion: fc.constant(5 as const),
      clientId: nonEmpty,
      clean: fc.boolean(),
      keepalive: fc.integer({ min: 0, max: 65535 }),
      username: fc.option(text, { nil: undefined }),
      password: fc.option(fc.uint8Array({ maxLength: 8 }).map(Buffer.from), { nil: undefined }),
      properties: fc.record(
        {
          sessionExpiryInterval: fc.nat(),
          receiveMaximum: fc.integer({ min: 1, max: 65535 }),
          maximumPacketSize: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
          topicAliasMaximum: fc.integer({ min: 0, max: 65535 }),
          requestProblemInformation: fc.boolean(),
          requestResponseInformation: fc.boolean(),
          userProperties,
        },
        { requiredKeys: [] },
      ),
      will: fc.option(
        fc.record({
          topic: topicName,
          payload: fc.uint8Array({ maxLength: 8 }).map(Buffer.from),
          qos,
          retain: fc.boolean(),
          properties: fc.record(
            {
              willDelayInterval: fc.nat(),
              payloadFormatIndicator: fc.boolean(),
              messageExpiryInterval: fc.nat(),
              contentType: text,
              responseTopic: topicName,
              correlationData: fc.uint8Array({ maxLength: 8 }).map(Buffer.from),
              userProperties,
            },
            { requiredKeys: [] },
          ),
        }),
        { nil: undefined },
      ),
    })
    // mqtt-packet writes a password only with a user name.
    .map((c) => ({ ...c, password: c.username === undefined ? undefined : c.password })),
  fc.record({
    cmd: fc.constant('publish' as const),
    topic: topicName,
    payload: fc.uint8Array({ maxLength: 16 }).map(Buffer.from),
    qos,
    retain: fc.boolean(),
    dup: fc.constant(false),
    messageId: packetId,
    properties: fc.record(
      {
        payloadFormatIndicator: fc.boolean(),
        messageExpiryInterval: fc.nat(),
        topicAlias: fc.integer({ min: 1, max: 65535 }),
        responseTopic: topicName,
        correlationData: fc.uint8Array({ maxLength: 8 }).map(Buffer.from),
        contentType: text,
        userProperties,
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    cmd: fc.constantFrom('puback' as const, 'pubrec' as const),
    messageId: packetId,
    reasonCode: fc.constantFrom(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99),
    properties: fc.record({ reasonString: text, userProperties }, { requiredKeys: [] }),
  }),
  fc.record({
    cmd: fc.constantFrom('pubrel' as const, 'pubcomp' as const),
    messageId: packetId,
    reasonCode: fc.constantFrom(0x00, 0x92),
    properties: fc.record({ reasonString: text, userProperties }, { requiredKeys: [] }),
  }),
  fc.record({
    cmd: fc.constant('subscribe' as const),
    messageId: packetId,
    subscriptions: fc.array(
      fc.record({
        topic: nonEmpty,
        qos,
        nl: fc.boolean(),
        rap: fc.boolean(),
        rh: fc.constantFrom(0, 1, 2),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    properties: fc.record(
      { subscriptionIdentifier: fc.integer({ min: 1, max: 268_435_455 }), userProperties },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    cmd: fc.constant('unsubscribe' as const),
    messageId: packetId,
    unsubscriptions: fc.array(nonEmpty, { minLength: 1, maxLength: 3 }),
    properties: fc.record({ userProperties }, { requiredKeys: [] }),
  }),
  fc.constant({ cmd: 'pingreq' as const }),
  fc.record({
    cmd: fc.constant('disconnect' as const),
    reasonCode: fc.constantFrom(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x98),
    properties: fc.record(
      { sessionExpiryInterval: fc.nat(), reasonString: text, userProperties },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    cmd: fc.constant('auth' as const),
    reasonCode: fc.constantFrom(0x00, 0x18, 0x19),
    properties: fc.record(
      {
        authenticationMethod: text,
        authenticationData: fc.uint8Array({ maxLength: 8 }).map(Buffer.from),
        reasonString: text,
        userProperties,
      },
      { requiredKeys: [] },
    ),
  }),
) as fc.Arbitrary<Packet>;

/** A shared subscription cannot have No Local [MQTT-3.8.3-4]: real clients never send that. */
function wellBehaved(packet: Packet): Packet {
  if (packet.cmd !== 'subscribe') return packet;
  return {
    ...packet,
    subscriptions: packet.subscriptions.map((s) =>
      s.topic.startsWith('$share/') ? { ...s, nl: false } : s,
    ),
  };
}

/** The same packets as 3.1.1 sends them: no properties, no MQTT 5 options, no AUTH. */
function asV4(packet: Packet): Packet | undefined {
  switch (packet.cmd) {
    case 'auth':
      return undefined;
    case 'connect': {
      const { properties: _p, will, ...rest } = packet;
      const password = rest.username === undefined ? undefined : rest.password;
      return {
        ...rest,
        password,
        protocolVersion: 4,
        ...(will !== undefined ? { will: { ...will, properties: undefined } } : {}),
      } as Packet;
    }
    case 'subscribe':
      return {
        ...packet,
        properties: undefined,
        subscriptions: packet.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })),
      };
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'disconnect':
      return { cmd: packet.cmd, messageId: (packet as { messageId?: number }).messageId } as Packet;
    default:
      return { ...packet, properties: undefined } as Packet;
  }
}

describe('packet checks', () => {
  test('every packet mqtt-packet writes for a well-behaved MQTT 5 client passes', () => {
    fc.assert(
      fc.property(v5Packets, (packet) => {
        const bytes = mqtt.generate(wellBehaved(packet), { protocolVersion: 5 });
        // mqtt-packet's generator refuses a few odd objects (an empty user property map).
        fc.pre(bytes.length > 0);
        const violation = check(bytes, 5);
        if (violation !== undefined) throw new Error(`${violation.rule}: ${violation.message}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('every packet mqtt-packet writes for a well-behaved MQTT 3.1.1 client passes', () => {
    fc.assert(
      fc.property(v5Packets, (packet) => {
        const v4 = asV4(wellBehaved(packet));
        if (v4 === undefined) return;
        const bytes = mqtt.generate(v4, { protocolVersion: 4 });
        fc.pre(bytes.length > 0);
        const violation = check(bytes, 4);
        if (violation !== undefined) throw new Error(`${violation.rule}: ${violation.message}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('any bytes give a verdict: a violation or none, never another error (no read past the packet)', () => {
    const mutated = fc
      .tuple(
        v5Packets,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([packet, flips, cut]) => {
        const bytes = Buffer.from(mqtt.generate(wellBehaved(packet), { protocolVersion: 5 }));
        if (bytes.length < 2) return Buffer.from([0xc0, 0x00]);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        // Bytes changed anywhere (header and lengths too), and sometimes the tail cut off.
        return bytes.subarray(0, Math.max(2, bytes.length - (cut % 4)));
      });
    fc.assert(
      fc.property(mutated, fc.constantFrom(4, 5), (bytes, level) => {
        const body = bytes.subarray(2);
        const violation =
          checkFixedHeader(bytes[0]!, level) ??
          checkPacketBody(bytes[0]!, body, body.length, level);
        if (violation !== undefined) expect([0x81, 0x82, 0x84]).toContain(violation.violationCode);
      }),
      { numRuns: 5000 },
    );
  });

  test('a Variable Byte Integer in more bytes than needed is malformed in MQTT 5 [MQTT-1.5.5-1]', () => {
    // SUBSCRIBE, id 1, property length 0 written as 0x80 0x00.
    const bytes = Buffer.from([0x82, 0x08, 0x00, 0x01, 0x80, 0x00, 0x00, 0x01, 0x61, 0x00]);
    expect(check(bytes, 5)?.rule).toBe('[MQTT-1.5.5-1]');
  });

  test('a CONNECT at an unknown level asks for CONNACK 0x01, and names the level of a bad one', () => {
    const level6 = Buffer.from([0x10, 0x0a, 0, 4, 0x4d, 0x51, 0x54, 0x54, 6, 0x02, 0, 60, 0, 0]);
    expect(check(level6, 4)?.violationCode).toBe(0x84);
    const trailing = Buffer.concat([
      mqtt.generate({ cmd: 'connect', clientId: 'c', protocolVersion: 5 }, { protocolVersion: 5 }),
      Buffer.from([0]),
    ]);
    trailing[1]! += 1;
    const violation = check(trailing, 4);
    expect(violation?.violationCode).toBe(0x81);
    expect(violation?.connectLevel).toBe(5);
  });
});
