import mqtt from 'mqtt-packet';
import { illFormedUtf8Field } from './utf8.ts';

function parse(bytes: Buffer): mqtt.Packet {
  const parser = mqtt.parser({ protocolVersion: 4 });
  let packet: mqtt.Packet | undefined;
  parser.on('packet', (p) => (packet = p));
  parser.parse(bytes);
  return packet!;
}

describe('illFormedUtf8Field [MQTT-1.5.4-1]', () => {
  test('a PUBLISH topic with a lone 0xFF byte is found', () => {
    // PUBLISH QoS 0, topic "a\xFF", payload "x".
    const packet = parse(Buffer.from([0x30, 0x05, 0x00, 0x02, 0x61, 0xff, 0x78]));
    expect(illFormedUtf8Field(packet)).toBe('topic');
  });
  test('well-formed topics, filters and ids pass', () => {
    expect(
      illFormedUtf8Field(
        parse(
          mqtt.generate({
            cmd: 'publish',
            topic: 'ü/✓',
            payload: 'x',
            qos: 0,
            retain: false,
            dup: false,
          }),
        ),
      ),
    ).toBeUndefined();
    expect(
      illFormedUtf8Field(
        parse(
          mqtt.generate({
            cmd: 'subscribe',
            messageId: 1,
            subscriptions: [{ topic: 'a/€/#', qos: 0 }],
          }),
        ),
      ),
    ).toBeUndefined();
  });
  test('a SUBSCRIBE filter, an UNSUBSCRIBE filter and a CONNECT client id are checked', () => {
    // SUBSCRIBE id 1, filter "\xC3" (truncated two-byte sequence), QoS 0.
    expect(
      illFormedUtf8Field(parse(Buffer.from([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0xc3, 0x00]))),
    ).toBe('topic filter');
    // UNSUBSCRIBE id 1, filter "\xED\xA0\x80" (an encoded surrogate, not allowed in UTF-8).
    expect(
      illFormedUtf8Field(
        parse(Buffer.from([0xa2, 0x07, 0x00, 0x01, 0x00, 0x03, 0xed, 0xa0, 0x80])),
      ),
    ).toBe('topic filter');
    const connect = mqtt.generate({
      cmd: 'connect',
      protocolVersion: 4,
      clientId: 'c\u00e9',
      clean: true,
      keepalive: 0,
    });
    // Replace the two bytes of "é" (C3 A9) with C3 C3: ill-formed.
    const bad = Buffer.from(connect);
    bad[bad.length - 1] = 0xc3;
    expect(illFormedUtf8Field(parse(bad))).toBe('client id');
    expect(illFormedUtf8Field(parse(connect))).toBeUndefined();
  });
});
