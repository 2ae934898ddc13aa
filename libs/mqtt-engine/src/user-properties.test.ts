import mqtt from 'mqtt-packet';
import { createParser, generatePacket } from './codec.ts';
import { orderedPairs, userPropertiesOf } from './user-properties.ts';

function parseAll(bytes: Buffer): mqtt.Packet[] {
  const parser = createParser({ protocolVersion: 5 });
  const packets: mqtt.Packet[] = [];
  parser.on('packet', (p: mqtt.Packet) => packets.push(p));
  parser.on('error', (e: Error) => {
    throw e;
  });
  parser.parse(bytes);
  return packets;
}

/** A v5 PUBLISH written by hand: topic "t", QoS 1, id 9, payload "p", the given properties. */
function handWritten(properties: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x00, 0x01, 0x74, 0x00, 0x09, properties.length]),
    properties,
    Buffer.from('p'),
  ]);
  return Buffer.concat([Buffer.from([0x32, body.length]), body]);
}

function pair(name: string, value: string): Buffer {
  return Buffer.concat([
    Buffer.from([0x26, 0, name.length]),
    Buffer.from(name),
    Buffer.from([0, value.length]),
    Buffer.from(value),
  ]);
}

describe('user properties in wire order [MQTT-3.3.2-17, MQTT-3.3.2-18]', () => {
  const interleaved = Buffer.concat([
    Buffer.from([0x03, 0x00, 0x01, 0x78]), // Content Type "x"
    pair('a', '1'),
    pair('b', '2'),
    pair('a', ''),
    pair('a', '3'),
  ]);

  test('the parser keeps interleaved names in order, and every value (an empty one too)', () => {
    const [packet] = parseAll(handWritten(interleaved)) as mqtt.IPublishPacket[];
    expect(orderedPairs(packet!.properties?.userProperties)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['a', ''],
      ['a', '3'],
    ]);
    // The object form still answers lookups, with all values (mqtt-packet alone loses '').
    expect({ ...packet!.properties?.userProperties }).toEqual({ a: ['1', '', '3'], b: '2' });
    expect(packet!.properties?.contentType).toBe('x');
  });

  test('a parsed PUBLISH is written back byte for byte (user properties after the others)', () => {
    const bytes = handWritten(interleaved);
    const [packet] = parseAll(bytes);
    expect(generatePacket(packet!, 5).equals(bytes)).toBe(true);
  });

  test('QoS 0, long properties and a large payload: lengths are rewritten right', () => {
    const names = Array.from({ length: 60 }, (_, i) => [`k${i % 3}`, `v${i}`] as const);
    const source = mqtt.generate(
      {
        cmd: 'publish',
        topic: 'a/b',
        payload: Buffer.alloc(20_000, 1),
        qos: 0,
        retain: false,
        dup: false,
        properties: { correlationData: Buffer.from('c') },
      },
      { protocolVersion: 5 },
    );
    const [parsed] = parseAll(source) as mqtt.IPublishPacket[];
    const [again] = parseAll(
      generatePacket(
        {
          ...parsed!,
          properties: { ...parsed!.properties, userProperties: userPropertiesOf(names) },
        },
        5,
      ),
    ) as mqtt.IPublishPacket[];
    expect(orderedPairs(again!.properties?.userProperties)).toEqual(names.map(([n, v]) => [n, v]));
    expect(again!.properties?.correlationData?.toString()).toBe('c');
    expect((again!.payload as Buffer).length).toBe(20_000);
  });

  test('user properties of a CONNECT and of its will stay apart', () => {
    const connect = mqtt.generate(
      {
        cmd: 'connect',
        protocolVersion: 5,
        clientId: 'c',
        clean: true,
        keepalive: 0,
        properties: { userProperties: { x: '1' } },
        will: {
          topic: 'w',
          payload: Buffer.from('bye'),
          qos: 0,
          retain: false,
          properties: { userProperties: { y: '2' } },
        },
      },
      { protocolVersion: 5 },
    );
    const [packet] = parseAll(connect) as mqtt.IConnectPacket[];
    expect(orderedPairs(packet!.properties?.userProperties)).toEqual([['x', '1']]);
    expect(orderedPairs(packet!.will?.properties?.userProperties)).toEqual([['y', '2']]);
  });

  test('packets without recorded order are mqtt-packet’s own encoding', () => {
    const packet: mqtt.IPublishPacket = {
      cmd: 'publish',
      topic: 't',
      payload: Buffer.from('p'),
      qos: 0,
      retain: false,
      dup: false,
      properties: { userProperties: { a: '1' } },
    };
    expect(generatePacket(packet, 5).equals(mqtt.generate(packet, { protocolVersion: 5 }))).toBe(
      true,
    );
  });
});
