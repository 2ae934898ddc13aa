// Malformed and illegal packets, driven by raw bytes: one row per rule of MQTT 3.1.1 and 5.0
// (chapters 1-4) about what a client may send, each asserting exactly how the connection ends.
// MQTT 5: DISCONNECT 0x81 Malformed Packet when the bytes cannot be parsed, 0x82 Protocol Error
// when they parse but hold what the spec forbids (§4.13), CONNACK with that code when the
// CONNECT itself is bad; MQTT 3.1.1: the connection closes with nothing sent [MQTT-4.8.0-1],
// no CONNACK for a bad CONNECT [MQTT-3.1.4-1]. Rows marked accepted hold what the spec allows
// and a strict reading might refuse (control characters, U+FEFF, a v5 password alone).
import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { connectPacket, P, packet, prop, props, str, u16, varint } from './wire-bytes.ts';

const accounts = {
  adm: { password: 'pwa', role: 'admin' },
  dev: { password: 'pwd', role: 'device', endpointId: 'os::TABLE-0001' },
};

type Version = 4 | 5;
const BOTH: readonly Version[] = [4, 5];
const V5: readonly Version[] = [5];
const V4: readonly Version[] = [4];

/** How a row's connection must end (MQTT 5 wording; 3.1.1 rows derive theirs). */
type Outcome =
  /** MQTT 5: DISCONNECT with this code, then close; 3.1.1: close, nothing sent. */
  | { disconnect: number }
  /** The row's CONNECT is refused: MQTT 5 CONNACK with this code; 3.1.1 close, no CONNACK. */
  | { connack: number }
  /** CONNACK 0x01 in 3.1.1 form (4 bytes), whatever level was asked for, then close. */
  | 'connack 0x01'
  /** Closed without a packet, whatever the version. */
  | 'close'
  /** Served: the connection answers PINGREQ afterwards. */
  | 'accepted';

/** What a row can do on its connection. */
interface RowIo {
  version: Version;
  send(bytes: Buffer): void;
  packets: mqttPacket.Packet[];
  waitFor<T extends mqttPacket.Packet['cmd']>(
    cmd: T,
  ): Promise<Extract<mqttPacket.Packet, { cmd: T }>>;
}

interface Row {
  /** The spec rule(s) the row checks. */
  rule: string;
  what: string;
  versions: readonly Version[];
  /** The row's bytes are the connection's first packet (CONNECT rows). */
  first?: boolean;
  /** Bytes written after CONNACK (or as the first packet). */
  bytes?: (version: Version) => Buffer;
  /** Or steps, for rows that need an exchange before the violation. */
  steps?: (io: RowIo) => Promise<void>;
  expect: Outcome;
}

const M = { disconnect: ReasonCodes.malformedPacket } as const;
const PE = { disconnect: ReasonCodes.protocolError } as const;
const CM = { connack: ReasonCodes.malformedPacket } as const;
const CPE = { connack: ReasonCodes.protocolError } as const;

/** A property block for v5, nothing for 3.1.1 (where a packet has none). */
const p5 = (version: Version, ...properties: Buffer[]): Buffer =>
  version === 5 ? props(...properties) : Buffer.alloc(0);

const publish = (version: Version, topic: string | Buffer, qos = 0, ...properties: Buffer[]) =>
  packet(
    0x30 | (qos << 1),
    str(topic),
    qos > 0 ? u16(7) : Buffer.alloc(0),
    p5(version, ...properties),
    Buffer.from('payload'),
  );
const subscribe = (
  version: Version,
  filter: string | Buffer,
  options = 0,
  ...properties: Buffer[]
) => packet(0x82, u16(3), p5(version, ...properties), str(filter), Buffer.from([options]));
const unsubscribe = (version: Version, filter: string | Buffer, ...properties: Buffer[]) =>
  packet(0xa2, u16(4), p5(version, ...properties), str(filter));
const good = (version: Version, extra: Partial<Parameters<typeof connectPacket>[0]> = {}) =>
  connectPacket({
    level: version,
    clientId: `row-${Math.random().toString(16).slice(2, 10)}`,
    username: 'adm',
    password: 'pwa',
    ...extra,
  });

/** Ill-formed UTF-8: a lone continuation byte, an overlong '/', a UTF-16 surrogate. */
const BAD_UTF8 = {
  continuation: Buffer.from([0x61, 0x80, 0x62]),
  overlong: Buffer.from([0x61, 0xc0, 0xaf]),
  surrogate: Buffer.from([0x61, 0xed, 0xa0, 0x80]),
  nul: Buffer.from([0x61, 0x00, 0x62]),
};

/** A delivery to this connection at `qos`, answered with the wrong acknowledgement. */
const wrongAck =
  (qos: 1 | 2, answer: (id: number) => Buffer, midway?: (id: number) => Buffer) =>
  async (io: RowIo): Promise<void> => {
    const topic = `table/ack/${Math.random().toString(16).slice(2, 8)}`;
    io.send(subscribe(io.version, topic, qos));
    await io.waitFor('suback');
    const publisher = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    await publisher.publishAsync(topic, 'x', { qos });
    await end(publisher);
    const delivery = await io.waitFor('publish');
    if (midway !== undefined) {
      io.send(midway(delivery.messageId!));
      await io.waitFor('pubrel');
    }
    // What the broker sends from here on is its answer to the violation.
    io.packets.length = 0;
    io.send(answer(delivery.messageId!));
  };

const rows: Row[] = [
  // ── Fixed header (§2.1, §2.2; 3.1.1 §2.2) ──────────────────────────────────────────────
  {
    rule: '§2.1.2',
    what: 'reserved packet type 0',
    versions: BOTH,
    bytes: () => Buffer.from([0x00, 0x00]),
    expect: M,
  },
  {
    rule: '§2.1.2',
    what: 'packet type 15 (AUTH) from a 3.1.1 client',
    versions: V4,
    bytes: () => Buffer.from([0xf0, 0x00]),
    expect: M,
  },
  {
    rule: '§2.1.2',
    what: 'CONNACK from a client',
    versions: BOTH,
    bytes: () => Buffer.from([0x20, 0x02, 0x00, 0x00]),
    expect: PE,
  },
  {
    rule: '§2.1.2',
    what: 'SUBACK from a client',
    versions: BOTH,
    bytes: () => Buffer.from([0x90, 0x03, 0x00, 0x01, 0x00]),
    expect: PE,
  },
  {
    rule: '§2.1.2',
    what: 'UNSUBACK from a client',
    versions: BOTH,
    bytes: () => Buffer.from([0xb0, 0x02, 0x00, 0x01]),
    expect: PE,
  },
  {
    rule: '§2.1.2',
    what: 'PINGRESP from a client',
    versions: BOTH,
    bytes: () => Buffer.from([0xd0, 0x00]),
    expect: PE,
  },
  {
    rule: '[MQTT-2.2.2-2] [MQTT-2.1.3-1]',
    what: 'PUBREL with flags 0000',
    versions: BOTH,
    bytes: () => packet(0x60, u16(1)),
    expect: M,
  },
  {
    rule: '[MQTT-2.2.2-2] [MQTT-2.1.3-1]',
    what: 'SUBSCRIBE with flags 0000',
    versions: BOTH,
    bytes: (v) => {
      const b = subscribe(v, 'a');
      b[0] = 0x80;
      return b;
    },
    expect: M,
  },
  {
    rule: '[MQTT-2.2.2-2] [MQTT-2.1.3-1]',
    what: 'UNSUBSCRIBE with flags 0000',
    versions: BOTH,
    bytes: (v) => {
      const b = unsubscribe(v, 'a');
      b[0] = 0xa0;
      return b;
    },
    expect: M,
  },
  {
    rule: '[MQTT-2.2.2-2] [MQTT-2.1.3-1]',
    what: 'PINGREQ with flags 0001',
    versions: BOTH,
    bytes: () => Buffer.from([0xc1, 0x00]),
    expect: M,
  },
  {
    rule: '[MQTT-2.2.2-2] [MQTT-2.1.3-1]',
    what: 'PUBACK with flags 0010',
    versions: BOTH,
    bytes: () => packet(0x42, u16(1)),
    expect: M,
  },
  {
    rule: '[MQTT-2.2.2-2] [MQTT-2.1.3-1]',
    what: 'DISCONNECT with flags 1000',
    versions: BOTH,
    bytes: () => Buffer.from([0xe8, 0x00]),
    expect: M,
  },
  {
    rule: '[MQTT-3.3.1-4]',
    what: 'PUBLISH with QoS 3',
    versions: BOTH,
    bytes: (v) => {
      const b = publish(v, 'a', 1);
      b[0] = 0x36;
      return b;
    },
    expect: M,
  },
  {
    rule: '[MQTT-3.3.1-2]',
    what: 'PUBLISH QoS 0 with DUP set',
    versions: BOTH,
    bytes: (v) => {
      const b = publish(v, 'a');
      b[0] = 0x38;
      return b;
    },
    expect: M,
  },
  {
    rule: '§1.5.5 / §2.2.3',
    what: 'a Remaining Length of five bytes',
    versions: BOTH,
    bytes: () => Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.5-1]',
    what: 'a Remaining Length not in the fewest bytes (MQTT 5)',
    versions: V5,
    bytes: () => Buffer.from([0xc0, 0x80, 0x00]),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.5-1] (5.0 only)',
    what: 'a Remaining Length not in the fewest bytes is read by 3.1.1',
    versions: V4,
    bytes: () => Buffer.from([0xc0, 0x80, 0x00]),
    expect: 'accepted',
  },

  // ── CONNECT (§3.1) ─────────────────────────────────────────────────────────────────────
  {
    rule: '[MQTT-3.1.0-1]',
    what: 'a first packet other than CONNECT',
    versions: BOTH,
    first: true,
    bytes: () => Buffer.from([0xc0, 0x00]),
    expect: 'close',
  },
  {
    rule: '[MQTT-3.1.0-2]',
    what: 'a second CONNECT',
    versions: BOTH,
    bytes: (v) => good(v),
    expect: PE,
  },
  {
    rule: '[MQTT-3.1.2-1]',
    what: 'protocol name MQTX',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { protocolName: 'MQTX' }),
    expect: 'close',
  },
  {
    rule: '[MQTT-3.1.2-2]',
    what: 'protocol level 0x83 (bridge bit)',
    versions: V4,
    first: true,
    bytes: () => good(4, { level: 0x83, protocolName: 'MQIsdp' }),
    expect: 'connack 0x01',
  },
  {
    rule: '[MQTT-3.1.2-2]',
    what: 'protocol level 0x84 (bridge bit)',
    versions: V4,
    first: true,
    bytes: () => good(4, { level: 0x84 }),
    expect: 'connack 0x01',
  },
  {
    rule: '[MQTT-3.1.2-2]',
    what: 'protocol level 0x85 (bridge bit)',
    versions: V4,
    first: true,
    bytes: () => good(4, { level: 0x85 }),
    expect: 'connack 0x01',
  },
  {
    rule: '[MQTT-3.1.2-2]',
    what: 'protocol level 6',
    versions: V4,
    first: true,
    bytes: () => good(4, { level: 6 }),
    expect: 'connack 0x01',
  },
  {
    rule: '[MQTT-3.1.2-2]',
    what: "protocol name 'MQTT' with level 3",
    versions: V4,
    first: true,
    bytes: () => good(4, { level: 3, protocolName: 'MQTT' }),
    expect: 'connack 0x01',
  },
  {
    rule: '[MQTT-3.1.2-2]',
    what: "protocol name 'MQIsdp' with level 4",
    versions: V4,
    first: true,
    bytes: () => good(4, { protocolName: 'MQIsdp' }),
    expect: 'connack 0x01',
  },
  {
    rule: '[MQTT-3.1.2-3]',
    what: 'the reserved connect flag set',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { flags: 0xc3 }),
    expect: CM,
  },
  {
    rule: '[MQTT-3.1.2-11] [MQTT-3.1.2-13] (3.1.1)',
    what: 'Will QoS 1 without the will flag',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { flags: 0xca }),
    expect: CM,
  },
  {
    rule: '[MQTT-3.1.2-13] [MQTT-3.1.2-15] (3.1.1)',
    what: 'Will Retain without the will flag',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { flags: 0xe2 }),
    expect: CM,
  },
  {
    rule: '[MQTT-3.1.2-12] [MQTT-3.1.2-14] (3.1.1)',
    what: 'Will QoS 3',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { will: { topic: 'w', qos: 3 } }),
    expect: CM,
  },
  {
    rule: '[MQTT-4.7.3-1]',
    what: 'an empty will topic',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { will: { topic: '' } }),
    expect: CPE,
  },
  {
    rule: '[MQTT-3.1.2-22] (3.1.1)',
    what: 'a password flag without the user name flag',
    versions: V4,
    first: true,
    bytes: () => good(4, { flags: 0x42, username: undefined }),
    expect: CM,
  },
  {
    rule: '§3.1.2.9 (5.0 allows a password alone)',
    what: 'a password without a user name goes on to authentication (0x86)',
    versions: V5,
    first: true,
    bytes: () => good(5, { username: undefined }),
    expect: { connack: ReasonCodes.badUserNameOrPassword },
  },
  {
    rule: '[MQTT-3.1.2-18] [MQTT-3.1.2-16] (5.0)',
    what: 'a user name without its flag',
    versions: BOTH,
    first: true,
    bytes: (v) =>
      good(v, {
        flags: 0x42,
        username: undefined,
        password: undefined,
        trailing: Buffer.concat([str('adm'), str('pwa')]),
      }),
    expect: CM,
  },
  {
    rule: '[MQTT-3.1.2-20] [MQTT-3.1.2-18] (5.0)',
    what: 'a password without its flag',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { flags: 0x82, password: undefined, trailing: str('pwa') }),
    expect: CM,
  },
  {
    rule: 'Remaining Length',
    what: 'bytes after the last field of CONNECT',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { trailing: Buffer.from([0x00]) }),
    expect: CM,
  },
  {
    rule: 'Remaining Length',
    what: 'a CONNECT cut short in the client id',
    versions: BOTH,
    first: true,
    bytes: (v) => {
      const b = good(v);
      return Buffer.concat([Buffer.from([0x10, b[1]! - 6]), b.subarray(2, b.length - 6)]);
    },
    expect: CM,
  },
  {
    rule: '[MQTT-1.5.4-2]',
    what: 'U+0000 in the client id',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { clientId: BAD_UTF8.nul }),
    expect: CM,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'ill-formed UTF-8 in the user name',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { username: BAD_UTF8.continuation }),
    expect: CM,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'ill-formed UTF-8 in the will topic',
    versions: BOTH,
    first: true,
    bytes: (v) => good(v, { will: { topic: BAD_UTF8.surrogate } }),
    expect: CM,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Topic Alias in CONNECT properties',
    versions: V5,
    first: true,
    bytes: () => good(5, { properties: props(prop.u16(P.topicAlias, 1)) }),
    expect: CM,
  },
  {
    rule: '§3.1.2.11.2',
    what: 'Session Expiry Interval twice',
    versions: V5,
    first: true,
    bytes: () =>
      good(5, {
        properties: props(
          prop.u32(P.sessionExpiryInterval, 1),
          prop.u32(P.sessionExpiryInterval, 2),
        ),
      }),
    expect: CPE,
  },
  {
    rule: '§3.1.2.11.3',
    what: 'Receive Maximum 0',
    versions: V5,
    first: true,
    bytes: () => good(5, { properties: props(prop.u16(P.receiveMaximum, 0)) }),
    expect: CPE,
  },
  {
    rule: '§3.1.2.11.4',
    what: 'Maximum Packet Size 0',
    versions: V5,
    first: true,
    bytes: () => good(5, { properties: props(prop.u32(P.maximumPacketSize, 0)) }),
    expect: CPE,
  },
  {
    rule: '§3.1.2.11.7',
    what: 'Request Problem Information 2',
    versions: V5,
    first: true,
    bytes: () => good(5, { properties: props(prop.byte(P.requestProblemInformation, 2)) }),
    expect: CPE,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Session Expiry Interval in will properties',
    versions: V5,
    first: true,
    bytes: () =>
      good(5, { will: { topic: 'w', properties: props(prop.u32(P.sessionExpiryInterval, 5)) } }),
    expect: CM,
  },
  {
    rule: '§3.1.3.2',
    what: 'Will Delay Interval twice',
    versions: V5,
    first: true,
    bytes: () =>
      good(5, {
        will: {
          topic: 'w',
          properties: props(prop.u32(P.willDelayInterval, 1), prop.u32(P.willDelayInterval, 1)),
        },
      }),
    expect: CPE,
  },
  {
    rule: '§2.2.2.1',
    what: 'a property whose value is cut short by the property length',
    versions: V5,
    first: true,
    bytes: () =>
      good(5, {
        properties: Buffer.concat([varint(3), Buffer.from([P.sessionExpiryInterval, 0, 0])]),
      }),
    expect: CM,
  },
  {
    rule: '§2.2.2.1',
    what: 'a property length past the end of the packet',
    versions: V5,
    first: true,
    bytes: () => good(5, { properties: Buffer.from([0x7f]) }),
    expect: CM,
  },

  // ── PUBLISH (§3.3) ─────────────────────────────────────────────────────────────────────
  {
    rule: '[MQTT-2.2.1-3]',
    what: 'PUBLISH QoS 1 with packet identifier 0',
    versions: BOTH,
    bytes: (v) => packet(0x32, str('a'), u16(0), p5(v)),
    expect: PE,
  },
  {
    rule: '[MQTT-2.2.1-3]',
    what: 'PUBLISH QoS 2 with packet identifier 0',
    versions: BOTH,
    bytes: (v) => packet(0x34, str('a'), u16(0), p5(v)),
    expect: PE,
  },
  {
    rule: 'Remaining Length',
    what: 'PUBLISH QoS 1 without a packet identifier',
    versions: BOTH,
    bytes: () => packet(0x32, str('a')),
    expect: M,
  },
  {
    rule: 'Remaining Length',
    what: 'a topic length past the end of PUBLISH',
    versions: BOTH,
    bytes: () => packet(0x30, u16(40), Buffer.from('abc')),
    expect: M,
  },
  {
    rule: '[MQTT-4.7.3-1] §3.3.2.3.4',
    what: 'an empty topic without a topic alias',
    versions: BOTH,
    bytes: (v) => publish(v, ''),
    expect: PE,
  },
  {
    rule: '[MQTT-1.5.4-2]',
    what: 'U+0000 in the topic',
    versions: BOTH,
    bytes: (v) => publish(v, BAD_UTF8.nul),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'a lone continuation byte in the topic',
    versions: BOTH,
    bytes: (v) => publish(v, BAD_UTF8.continuation),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'an overlong encoding in the topic',
    versions: BOTH,
    bytes: (v) => publish(v, BAD_UTF8.overlong),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'a UTF-16 surrogate encoded in the topic',
    versions: BOTH,
    bytes: (v) => publish(v, BAD_UTF8.surrogate),
    expect: M,
  },
  {
    rule: '[MQTT-3.3.2-2]',
    what: 'a wildcard in the topic name',
    versions: BOTH,
    bytes: (v) => publish(v, 'a/+'),
    expect: { disconnect: ReasonCodes.topicNameInvalid },
  },
  {
    rule: '§2.2.2.2',
    what: 'a Session Expiry Interval in PUBLISH',
    versions: V5,
    bytes: () => publish(5, 'a', 0, prop.u32(P.sessionExpiryInterval, 1)),
    expect: M,
  },
  {
    rule: '[MQTT-3.3.4-6]',
    what: 'a Subscription Identifier from a client',
    versions: V5,
    bytes: () => publish(5, 'a', 0, prop.varint(P.subscriptionIdentifier, 3)),
    expect: PE,
  },
  {
    rule: '§3.3.2.3.2',
    what: 'Payload Format Indicator twice',
    versions: V5,
    bytes: () =>
      publish(
        5,
        'a',
        0,
        prop.byte(P.payloadFormatIndicator, 0),
        prop.byte(P.payloadFormatIndicator, 0),
      ),
    expect: PE,
  },
  {
    rule: '§3.3.2.3.2',
    what: 'Payload Format Indicator 2',
    versions: V5,
    bytes: () => publish(5, 'a', 0, prop.byte(P.payloadFormatIndicator, 2)),
    expect: PE,
  },
  {
    rule: '[MQTT-3.3.2-4]',
    what: 'a payload announced as UTF-8 that is not',
    versions: V5,
    bytes: () =>
      packet(0x30, str('a'), props(prop.byte(P.payloadFormatIndicator, 1)), Buffer.from([0xff])),
    expect: { disconnect: ReasonCodes.payloadFormatInvalid },
  },
  {
    rule: '§2.2.2.1',
    what: 'a User Property with its value missing',
    versions: V5,
    bytes: () => packet(0x30, str('a'), props(Buffer.from([0x26]), str('name')), Buffer.from('x')),
    expect: M,
  },
  {
    rule: '§2.2.2.1',
    what: 'a property identifier with its value missing',
    versions: V5,
    bytes: () =>
      packet(0x30, str('a'), props(Buffer.from([P.messageExpiryInterval])), Buffer.from('x')),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.5-1]',
    what: 'a property length not in the fewest bytes',
    versions: V5,
    bytes: () => packet(0x30, str('a'), Buffer.from([0x80, 0x00]), Buffer.from('x')),
    expect: M,
  },
  {
    rule: '[MQTT-3.3.2-8]',
    what: 'Topic Alias 0',
    versions: V5,
    bytes: () => publish(5, 'a', 0, prop.u16(P.topicAlias, 0)),
    expect: { disconnect: ReasonCodes.topicAliasInvalid },
  },
  {
    rule: '[MQTT-3.3.2-14]',
    what: 'a Response Topic with a wildcard',
    versions: V5,
    bytes: () => publish(5, 'a', 0, prop.str(P.responseTopic, 'r/#')),
    expect: PE,
  },

  // ── Acknowledgements (§3.4-§3.7) ───────────────────────────────────────────────────────
  {
    rule: '§3.4.2',
    what: 'PUBACK with Remaining Length 0',
    versions: BOTH,
    bytes: () => Buffer.from([0x40, 0x00]),
    expect: M,
  },
  {
    rule: '§3.5.2',
    what: 'PUBREC with Remaining Length 1',
    versions: BOTH,
    bytes: () => Buffer.from([0x50, 0x01, 0x00]),
    expect: M,
  },
  {
    rule: '§3.6.2',
    what: 'PUBREL with Remaining Length 0',
    versions: BOTH,
    bytes: () => Buffer.from([0x62, 0x00]),
    expect: M,
  },
  {
    rule: '§3.7.2',
    what: 'PUBCOMP with Remaining Length 1',
    versions: BOTH,
    bytes: () => Buffer.from([0x70, 0x01, 0x00]),
    expect: M,
  },
  {
    rule: '§3.4.1 (3.1.1: Remaining Length 2)',
    what: 'PUBACK with a third byte',
    versions: V4,
    bytes: () => packet(0x40, u16(1), Buffer.from([0x00])),
    expect: M,
  },
  {
    rule: '§3.4.2.1',
    what: 'PUBACK with reason code 0x05',
    versions: V5,
    bytes: () => packet(0x40, u16(1), Buffer.from([0x05])),
    expect: PE,
  },
  {
    rule: '§3.6.2.1',
    what: 'PUBREL with reason code 0x10',
    versions: V5,
    bytes: () => packet(0x62, u16(1), Buffer.from([0x10])),
    expect: PE,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Topic Alias in PUBACK',
    versions: V5,
    bytes: () => packet(0x40, u16(1), Buffer.from([0x00]), props(prop.u16(P.topicAlias, 1))),
    expect: M,
  },
  {
    rule: 'Remaining Length',
    what: 'bytes after the properties of PUBACK',
    versions: V5,
    bytes: () => packet(0x40, u16(1), Buffer.from([0x00]), props(), Buffer.from([0x01])),
    expect: M,
  },
  {
    rule: '[MQTT-4.8.0-1] §4.3.2',
    what: 'PUBREC for a QoS 1 delivery',
    versions: BOTH,
    steps: wrongAck(1, (id) => packet(0x50, u16(id))),
    expect: PE,
  },
  {
    rule: '[MQTT-4.8.0-1] §4.3.3',
    what: 'PUBACK for a QoS 2 delivery',
    versions: BOTH,
    steps: wrongAck(2, (id) => packet(0x40, u16(id))),
    expect: PE,
  },
  {
    rule: '[MQTT-4.8.0-1] §4.3.3',
    what: 'PUBCOMP for a QoS 2 delivery before PUBREC',
    versions: BOTH,
    steps: wrongAck(2, (id) => packet(0x70, u16(id))),
    expect: PE,
  },
  {
    rule: '[MQTT-4.8.0-1] §4.3.3',
    what: 'PUBACK for a QoS 2 delivery after PUBREC',
    versions: BOTH,
    steps: wrongAck(
      2,
      (id) => packet(0x40, u16(id)),
      (id) => packet(0x50, u16(id)),
    ),
    expect: PE,
  },

  // ── SUBSCRIBE (§3.8) ───────────────────────────────────────────────────────────────────
  {
    rule: '[MQTT-2.2.1-3]',
    what: 'SUBSCRIBE with packet identifier 0',
    versions: BOTH,
    bytes: (v) => packet(0x82, u16(0), p5(v), str('a'), Buffer.from([0])),
    expect: PE,
  },
  {
    rule: '[MQTT-3.8.3-3] [MQTT-3.8.3-2] (5.0)',
    what: 'SUBSCRIBE without a topic filter',
    versions: BOTH,
    bytes: (v) => packet(0x82, u16(3), p5(v)),
    expect: PE,
  },
  {
    rule: '[MQTT-4.7.3-1]',
    what: 'SUBSCRIBE with an empty topic filter',
    versions: BOTH,
    bytes: (v) => subscribe(v, ''),
    expect: PE,
  },
  {
    rule: 'Remaining Length',
    what: 'a topic filter without its options byte',
    versions: BOTH,
    bytes: (v) => packet(0x82, u16(3), p5(v), str('a')),
    expect: M,
  },
  {
    rule: '[MQTT-3.8.3-4] (3.1.1)',
    what: 'reserved bits in the requested QoS byte',
    versions: V4,
    bytes: () => subscribe(4, 'a', 0x04),
    expect: M,
  },
  {
    rule: '[MQTT-3.8.3-4] (3.1.1)',
    what: 'requested QoS 3',
    versions: V4,
    bytes: () => subscribe(4, 'a', 0x03),
    expect: M,
  },
  {
    rule: '[MQTT-3.8.3-5]',
    what: 'reserved bits in the subscription options',
    versions: V5,
    bytes: () => subscribe(5, 'a', 0x40),
    expect: M,
  },
  {
    rule: '§3.8.3.1',
    what: 'Maximum QoS 3 in the subscription options',
    versions: V5,
    bytes: () => subscribe(5, 'a', 0x03),
    expect: PE,
  },
  {
    rule: '§3.8.3.1',
    what: 'Retain Handling 3',
    versions: V5,
    bytes: () => subscribe(5, 'a', 0x30),
    expect: PE,
  },
  {
    rule: '[MQTT-3.8.3-4]',
    what: 'No Local on a shared subscription',
    versions: V5,
    bytes: () => subscribe(5, '$share/g/a', 0x04),
    expect: PE,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Reason String in SUBSCRIBE',
    versions: V5,
    bytes: () => subscribe(5, 'a', 0, prop.str(P.reasonString, 'why')),
    expect: M,
  },
  {
    rule: '§3.8.2.1.2',
    what: 'Subscription Identifier 0',
    versions: V5,
    bytes: () => subscribe(5, 'a', 0, prop.varint(P.subscriptionIdentifier, 0)),
    expect: PE,
  },
  {
    rule: '§3.8.2.1.2',
    what: 'Subscription Identifier twice',
    versions: V5,
    bytes: () =>
      subscribe(
        5,
        'a',
        0,
        prop.varint(P.subscriptionIdentifier, 1),
        prop.varint(P.subscriptionIdentifier, 2),
      ),
    expect: PE,
  },
  {
    rule: '[MQTT-1.5.4-2]',
    what: 'U+0000 in a topic filter',
    versions: BOTH,
    bytes: (v) => subscribe(v, BAD_UTF8.nul),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'ill-formed UTF-8 in a topic filter',
    versions: BOTH,
    bytes: (v) => subscribe(v, BAD_UTF8.overlong),
    expect: M,
  },

  // ── UNSUBSCRIBE (§3.10) ────────────────────────────────────────────────────────────────
  {
    rule: '[MQTT-2.2.1-3]',
    what: 'UNSUBSCRIBE with packet identifier 0',
    versions: BOTH,
    bytes: (v) => packet(0xa2, u16(0), p5(v), str('a')),
    expect: PE,
  },
  {
    rule: '[MQTT-3.10.3-2]',
    what: 'UNSUBSCRIBE without a topic filter',
    versions: BOTH,
    bytes: (v) => packet(0xa2, u16(4), p5(v)),
    expect: PE,
  },
  {
    rule: '[MQTT-4.7.3-1]',
    what: 'UNSUBSCRIBE with an empty topic filter',
    versions: BOTH,
    bytes: (v) => unsubscribe(v, ''),
    expect: PE,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Subscription Identifier in UNSUBSCRIBE',
    versions: V5,
    bytes: () => unsubscribe(5, 'a', prop.varint(P.subscriptionIdentifier, 1)),
    expect: M,
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'ill-formed UTF-8 in an UNSUBSCRIBE filter',
    versions: BOTH,
    bytes: (v) => unsubscribe(v, BAD_UTF8.surrogate),
    expect: M,
  },

  // ── PINGREQ, DISCONNECT, AUTH (§3.12, §3.14, §3.15) ────────────────────────────────────
  {
    rule: '§3.12',
    what: 'PINGREQ with a body',
    versions: BOTH,
    bytes: () => Buffer.from([0xc0, 0x01, 0x00]),
    expect: M,
  },
  {
    rule: '§3.14 (3.1.1: no variable header)',
    what: 'DISCONNECT with a body',
    versions: V4,
    bytes: () => Buffer.from([0xe0, 0x01, 0x00]),
    expect: M,
  },
  {
    rule: '§3.14.2.1',
    what: 'DISCONNECT with reason code 0x05',
    versions: V5,
    bytes: () => Buffer.from([0xe0, 0x01, 0x05]),
    expect: PE,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Topic Alias in DISCONNECT',
    versions: V5,
    bytes: () => packet(0xe0, Buffer.from([0x00]), props(prop.u16(P.topicAlias, 1))),
    expect: M,
  },
  {
    rule: '§3.14.2.2.2',
    what: 'Session Expiry Interval twice in DISCONNECT',
    versions: V5,
    bytes: () =>
      packet(
        0xe0,
        Buffer.from([0x00]),
        props(prop.u32(P.sessionExpiryInterval, 0), prop.u32(P.sessionExpiryInterval, 0)),
      ),
    expect: PE,
  },
  {
    rule: '§3.15.2.1',
    what: 'AUTH with reason code 0x01',
    versions: V5,
    bytes: () => packet(0xf0, Buffer.from([0x01]), props()),
    expect: PE,
  },
  {
    rule: '§2.2.2.2',
    what: 'a Topic Alias in AUTH',
    versions: V5,
    bytes: () => packet(0xf0, Buffer.from([0x19]), props(prop.u16(P.topicAlias, 1))),
    expect: M,
  },

  // ── Allowed, and kept so ───────────────────────────────────────────────────────────────
  {
    rule: '[MQTT-1.5.4-2] note',
    what: 'control characters U+0001-U+001F and U+007F-U+009F in a topic',
    versions: BOTH,
    steps: roundTrip('ctl/\u0001\u001f\u007f\u0080\u009f'),
    expect: 'accepted',
  },
  {
    rule: '[MQTT-1.5.4-3]',
    what: 'U+FEFF at the start of a topic is kept, not stripped',
    versions: BOTH,
    steps: roundTrip('\ufeffbom/topic'),
    expect: 'accepted',
  },
  {
    rule: '[MQTT-1.5.4-1]',
    what: 'a well-formed U+FFFD and the non-character U+FFFF in a topic',
    versions: BOTH,
    steps: roundTrip('odd/\ufffd/\uffff'),
    expect: 'accepted',
  },
  {
    rule: '§3.4.2.1',
    what: 'PUBACK with a reason code and no properties (Remaining Length 3)',
    versions: V5,
    bytes: () => packet(0x40, u16(9), Buffer.from([0x10])),
    expect: 'accepted',
  },
  {
    rule: '§3.14.2.1',
    what: 'DISCONNECT 0x04 with a Reason String ends the connection normally',
    versions: V5,
    bytes: () => packet(0xe0, Buffer.from([0x04]), props(prop.str(P.reasonString, 'bye'))),
    expect: 'close',
  },
];

/** A row's steps: subscribe to `topic`, publish to it, receive it back unchanged. */
function roundTrip(topic: string) {
  return async (io: RowIo): Promise<void> => {
    io.send(subscribe(io.version, topic, 0));
    const suback = await io.waitFor('suback');
    expect(suback.granted).toEqual([0]);
    io.send(publish(io.version, topic));
    const delivery = await io.waitFor('publish');
    expect(Buffer.from(delivery.topic, 'utf8')).toEqual(Buffer.from(topic, 'utf8'));
  };
}

let broker: TestBroker;

/** Opens a socket, writes the row, and resolves with everything the broker sent and whether it closed. */
async function runRow(
  row: Row,
  version: Version,
): Promise<{ packets: mqttPacket.Packet[]; raw: Buffer; closed: boolean }> {
  const socket = await new Promise<Socket>((resolve) => {
    const s = tcpConnect(broker.port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
  });
  const chunks: Buffer[] = [];
  const packets: mqttPacket.Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: version });
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', () => undefined);
  socket.on('data', (chunk) => {
    chunks.push(chunk);
    parser.parse(chunk);
  });
  let closed = false;
  const closing = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  const io: RowIo = {
    version,
    send: (bytes) => socket.write(bytes),
    packets,
    waitFor: (cmd) =>
      eventually(`${cmd} in row "${row.what}"`, () => packets.find((p) => p.cmd === cmd)) as never,
  };
  try {
    if (row.first !== true) {
      socket.write(good(version));
      const connack = await io.waitFor('connack');
      expect(connack.returnCode ?? connack.reasonCode).toBe(0);
      packets.length = 0;
    }
    if (row.steps !== undefined) await row.steps(io);
    else socket.write(row.bytes!(version));
    if (row.expect === 'accepted') {
      packets.length = 0;
      socket.write(Buffer.from([0xc0, 0x00]));
      await io.waitFor('pingresp');
    } else {
      await Promise.race([
        closing,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`row "${row.what}" left the connection open`)), 3000),
        ),
      ]);
    }
    return { packets, raw: Buffer.concat(chunks), closed };
  } finally {
    socket.destroy();
  }
}

describe('malformed and illegal packets close the connection with the right reason', () => {
  beforeAll(async () => {
    broker = await startTestBroker(accounts, {
      limits: { maxPublishRate: 0, connectTimeoutMs: 2000 },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  const cases = rows.flatMap((row) => row.versions.map((version) => ({ row, version })));

  test.each(
    cases.map((c) => [c.row.rule, c.version === 5 ? '5.0' : '3.1.1', c.row.what, c] as const),
  )('%s MQTT %s: %s', async (_rule, _v, _what, { row, version }) => {
    const { packets, raw, closed } = await runRow(row, version);
    const outcome = row.expect;
    if (outcome === 'accepted') {
      expect(closed).toBe(false);
      return;
    }
    expect(closed).toBe(true);
    if (outcome === 'connack 0x01') {
      // 3.1.1 form whatever the level: 0x20, length 2, flags 0, return code 1.
      expect([...raw]).toEqual([0x20, 0x02, 0x00, 0x01]);
      return;
    }
    if (outcome === 'close') {
      expect(packets).toEqual([]);
      return;
    }
    if ('connack' in outcome) {
      if (version === 5) {
        expect(packets.map((p) => p.cmd)).toEqual(['connack']);
        expect((packets[0] as mqttPacket.IConnackPacket).reasonCode).toBe(outcome.connack);
      } else {
        // No CONNACK for a CONNECT that breaks the spec [MQTT-3.1.4-1].
        expect(raw.length).toBe(0);
      }
    } else {
      if (version === 5) {
        expect(packets.map((p) => p.cmd)).toEqual(['disconnect']);
        expect((packets[0] as mqttPacket.IDisconnectPacket).reasonCode).toBe(outcome.disconnect);
      } else {
        // MQTT 3.1.1 has no DISCONNECT from the server: the connection just closes.
        expect(packets).toEqual([]);
      }
    }
  });

  test('good clients are served throughout, and the engine counted the violations', async () => {
    expect(broker.engine.counters.packetViolations).toBeGreaterThan(100);
    const subscriber = await connectClient(broker.url, {
      protocolVersion: 5,
      username: 'adm',
      password: 'pwa',
    });
    const box = collect(subscriber);
    await subscriber.subscribeAsync('table/after', { qos: 1 });
    await subscriber.publishAsync('table/after', 'still here', { qos: 1 });
    await eventually('message', () => box.messages[0]);
    await end(subscriber);
  });
});
