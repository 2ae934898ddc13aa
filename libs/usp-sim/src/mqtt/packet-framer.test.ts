import mqtt from 'mqtt-packet';
import { decodePacket } from './packet-decoder.ts';
import { PacketFramer } from './packet-framer.ts';

const publish = (topic: string, size: number) =>
  mqtt.generate(
    { cmd: 'publish', topic, payload: Buffer.alloc(size, 7), qos: 0, retain: false, dup: false },
    { protocolVersion: 5 },
  );

describe('PacketFramer and decodePacket', () => {
  it('reassembles packets split across chunks and splits packets sharing a chunk', () => {
    const bytes = Buffer.concat([
      publish('a', 300),
      publish('b', 2),
      mqtt.generate({ cmd: 'pingresp' }),
    ]);
    const framer = new PacketFramer(1024);
    const seen: string[] = [];
    for (let i = 0; i < bytes.length; i += 7)
      framer.push(bytes.subarray(i, i + 7), (packet) => {
        const decoded = decodePacket(packet, 5);
        seen.push(
          decoded.cmd === 'publish' ? `${decoded.topic}:${decoded.payload.length}` : decoded.cmd,
        );
      });
    expect(seen).toEqual(['a:300', 'b:2', 'pingresp']);
  });

  it('refuses a packet larger than the limit and a malformed Remaining Length', () => {
    expect(() => new PacketFramer(100).push(publish('a', 200), () => undefined)).toThrow(
      /exceeds 100/,
    );
    expect(() =>
      new PacketFramer(100).push(
        Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]),
        () => undefined,
      ),
    ).toThrow(/Remaining Length/);
  });

  it('reports a malformed packet without breaking the next decode', () => {
    expect(() => decodePacket(Buffer.from([0x30, 0x02, 0x00, 0x05]), 5)).toThrow(
      /malformed packet/,
    );
    expect(decodePacket(mqtt.generate({ cmd: 'pingresp' }), 5).cmd).toBe('pingresp');
  });
});
