import { orderedPairs, userPropertiesOf, type RetainedMessage } from '@octomesh/mqtt-engine';
import {
  decodeRetainedValue,
  encodeRetainedValue,
  isLiteralKey,
  peekRetainedValue,
  RetainedEntryError,
  retainedKeyOf,
  retainedKeysOf,
  topicBytesOfKey,
  topicOfRetainedKey,
} from './retained-entry.ts';

function roundTrip(msg: RetainedMessage): RetainedMessage {
  return decodeRetainedValue(msg.topic, encodeRetainedValue(msg).value);
}

/** A value with the given head and tail bytes, for malformed cases. */
function rawValue(head: number[], tail: number[] = [0x41]): Buffer {
  return Buffer.from([...head, ...tail]);
}
const GOOD_HEAD = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

describe('retained message keys', () => {
  test.each([
    ['a/b', 'a.b'],
    ['a//b', 'a.=.b'],
    ['/', '=.='],
    ['$SYS/x', '=24SYS.x'],
    ['os::1/é', 'os=3A=3A1.=C3=A9'],
  ])('encodes %s one level per key token as %s, and back', (topic, key) => {
    expect(retainedKeyOf(topic)).toBe(key);
    expect(topicOfRetainedKey(key)).toBe(topic);
  });

  test.each(['a', '/', 'a//b', '$SYS/é/✓', 'x/ /=/.', '=', 'a'.repeat(300)])(
    'counts the UTF-8 bytes of the topic of the key of %j without decoding it',
    (topic) => {
      expect(topicBytesOfKey(retainedKeyOf(topic))).toBe(Buffer.byteLength(topic, 'utf8'));
    },
  );

  test.each(['', '.', 'a.', '.a', 'a..b', '=4', '=4g', '=4a', 'a=', '==', 'a b', 'a*', '>'])(
    'refuses the key %j, which no topic has',
    (key) => {
      expect(() => topicBytesOfKey(key)).toThrow(RetainedEntryError);
    },
  );

  test.each([
    ['a/b', ['a.b']],
    ['a/+', ['a.*']],
    ['a/#', ['a', 'a.>']],
    ['#', ['>']],
    ['+/=/#', ['*.=3D', '*.=3D.>']],
  ])('maps the filter %s onto the key filters %j', (filter, keys) => {
    expect(retainedKeysOf(filter).keys).toEqual(keys);
  });

  test('keeps $-topics out of filters starting with a wildcard [MQTT-4.7.2-1]', () => {
    expect(retainedKeysOf('#').admits(retainedKeyOf('$SYS/x'))).toBe(false);
    expect(retainedKeysOf('+/x').admits(retainedKeyOf('$SYS/x'))).toBe(false);
    expect(retainedKeysOf('$SYS/#').admits(retainedKeyOf('$SYS/x'))).toBe(true);
    expect(retainedKeysOf('#').admits(retainedKeyOf('a/$x'))).toBe(true);
  });

  test('tells a lookup from a scan by the wildcards in a key filter', () => {
    expect(isLiteralKey('a.=2A.=3E')).toBe(true);
    expect(isLiteralKey('a.*')).toBe(false);
    expect(isLiteralKey('a.>')).toBe(false);
  });
});

describe('retained message values', () => {
  test('round-trips payload, QoS and expiry, with no properties when there were none', () => {
    const msg = { topic: 't', payload: Buffer.from([0, 1, 255]), qos: 2 as const, expiresAt: 5 };
    expect(roundTrip(msg)).toEqual(msg);
    expect(roundTrip({ topic: 't', payload: Buffer.from('x'), qos: 0 })).toEqual({
      topic: 't',
      payload: Buffer.from('x'),
      qos: 0,
    });
  });

  test('round-trips every MQTT 5 property, user properties in wire order with repeats', () => {
    const pairs: [string, string][] = [
      ['b', '1'],
      ['a', ''],
      ['b', '2'],
    ];
    const properties = {
      payloadFormatIndicator: true,
      messageExpiryInterval: 30,
      contentType: 'text/plain; charset=utf-8',
      responseTopic: 'r/é',
      correlationData: Buffer.from([0, 0xff]),
      subscriptionIdentifier: [1, 2],
      userProperties: userPropertiesOf(pairs),
    };

    const back = roundTrip({ topic: 't', payload: Buffer.from('x'), qos: 1, properties });
    expect(back.properties).toEqual(properties);
    expect(Buffer.isBuffer(back.properties?.['correlationData'])).toBe(true);
    expect(orderedPairs(back.properties?.['userProperties'])).toEqual(pairs);
  });

  test('keeps user properties given as a plain object, spreading repeated values', () => {
    const properties = { userProperties: { a: ['1', '2'], b: '3' } };
    const back = roundTrip({ topic: 't', payload: Buffer.from('x'), qos: 1, properties });
    expect(orderedPairs(back.properties?.['userProperties'])).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', '3'],
    ]);
  });

  test('leaves out, and names, properties of a kind MQTT never has', () => {
    const encoded = encodeRetainedValue({
      topic: 't',
      payload: Buffer.from('x'),
      qos: 0,
      properties: { nested: { a: 1 }, fn: () => 1, big: 1n, 'bad name': 'x', kept: 'y' },
    });
    expect(encoded.skipped.sort()).toEqual(['bad name', 'big', 'fn', 'nested']);
    expect(decodeRetainedValue('t', encoded.value).properties).toEqual({ kept: 'y' });
  });

  test('copies the payload, so a read buffer reused later does not change the message', () => {
    const value = Buffer.from(
      encodeRetainedValue({ topic: 't', payload: Buffer.from('abc'), qos: 0 }).value,
    );
    const msg = decodeRetainedValue('t', value);
    value.fill(0);
    expect(msg.payload.toString()).toBe('abc');
  });

  test('tells bytes and expiry from the head alone', () => {
    const { value } = encodeRetainedValue({
      topic: 't',
      payload: Buffer.alloc(10),
      qos: 1,
      properties: { contentType: 'x' },
      expiresAt: 1234,
    });
    expect(peekRetainedValue(value)).toEqual({ payloadBytes: 10, expiresAt: 1234 });
  });

  const json = (text: string): number[] => [...Buffer.from(text)];
  const withProperties = (text: string): Buffer => {
    const head = [...GOOD_HEAD];
    head[14] = Buffer.byteLength(text);
    return rawValue(head, [...json(text), 0x41]);
  };

  test.each([
    ['a value shorter than its head', Buffer.from([1, 0, 0])],
    ['an unknown version', rawValue([2, ...GOOD_HEAD.slice(1)])],
    ['QoS 3', rawValue([1, 3, ...GOOD_HEAD.slice(2)])],
    ['unknown flags', rawValue([1, 0, 2, ...GOOD_HEAD.slice(3)])],
    [
      'an expiry time without its flag',
      rawValue([1, 0, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ],
    ['a negative expiry time', rawValue([1, 0, 1, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['a fractional expiry time', rawValue([1, 0, 1, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    [
      'properties longer than the value',
      rawValue([...GOOD_HEAD.slice(0, 11), 0xff, 0xff, 0xff, 0xff]),
    ],
    ['an empty payload', rawValue(GOOD_HEAD, [])],
    ['properties that are not JSON', withProperties('{')],
    ['properties that are not an object', withProperties('[1]')],
    ['a property named __proto__', withProperties('{"__proto__":"x"}')],
    ['a nested object', withProperties('{"a":{"b":1}}')],
    ['bytes that are not base64', withProperties('{"a":{"bytes":"%%"}}')],
    [
      'user properties that are not string pairs',
      withProperties('{"userProperties":{"pairs":[["a",1]]}}'),
    ],
    ['pairs under another name', withProperties('{"other":{"pairs":[["a","b"]]}}')],
    ['null', withProperties('{"a":null}')],
  ])('refuses %s with RetainedEntryError', (_case, value) => {
    expect(() => decodeRetainedValue('t', value)).toThrow(RetainedEntryError);
  });
});
