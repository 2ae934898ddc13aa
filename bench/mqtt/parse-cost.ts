// What the engine's packet checks cost: the engine's parser (strict checks on every packet's
// bytes, ordered user properties) against mqtt-packet's own parser, same bytes, same run,
// alternating rounds. Prints ns per packet for each and the ratio.
//   node bench/mqtt/parse-cost.ts        (BENCH_PARSE_PACKETS, default 200,000 per round)
import mqtt from 'mqtt-packet';
import { createParser } from '../../libs/mqtt-engine/src/codec.ts';

const packets = Number(process.env['BENCH_PARSE_PACKETS'] ?? 200_000);
const rounds = 5;

function stream(version: 4 | 5, qos: 0 | 1): Buffer {
  const one = (i: number) =>
    mqtt.generate(
      {
        cmd: 'publish',
        topic: `bench/pairs/${i % 100}`,
        payload: Buffer.alloc(64, 0x61),
        qos,
        retain: false,
        dup: false,
        ...(qos > 0 ? { messageId: (i % 65535) + 1 } : {}),
        ...(version === 5 ? { properties: { userProperties: { trace: 'abc' } } } : {}),
      },
      { protocolVersion: version },
    );
  // Chunks of about 16 KB, as sockets deliver them: packets straddle chunk boundaries.
  return Buffer.concat(Array.from({ length: 1000 }, (_, i) => one(i)));
}

function time(make: () => ReturnType<typeof mqtt.parser>, bytes: Buffer, perChunk: number): number {
  const parser = make();
  let seen = 0;
  parser.on('packet', () => seen++);
  parser.on('error', (error) => {
    throw error;
  });
  const started = process.hrtime.bigint();
  while (seen < packets) {
    for (let at = 0; at < bytes.length; at += perChunk)
      parser.parse(bytes.subarray(at, at + perChunk));
  }
  return Number(process.hrtime.bigint() - started) / seen;
}

for (const [version, qos] of [
  [4, 0],
  [4, 1],
  [5, 0],
  [5, 1],
] as const) {
  const bytes = stream(version, qos);
  const engine: number[] = [];
  const plain: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const engineFirst = round % 2 === 0;
    const run = (which: 'engine' | 'plain') =>
      which === 'engine'
        ? engine.push(time(() => createParser({ protocolVersion: version }), bytes, 16_384))
        : plain.push(time(() => mqtt.parser({ protocolVersion: version }), bytes, 16_384));
    run(engineFirst ? 'engine' : 'plain');
    run(engineFirst ? 'plain' : 'engine');
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const e = median(engine);
  const p = median(plain);
  console.log(
    `MQTT ${version === 5 ? '5    ' : '3.1.1'} PUBLISH QoS ${qos}, 64 B: engine parser ${e.toFixed(0)} ns/packet, mqtt-packet ${p.toFixed(0)} ns/packet, ratio ${(e / p).toFixed(2)}`,
  );
}
