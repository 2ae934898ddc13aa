// Where idle connection memory goes: an in-process engine (no NATS, accept-all deciders) on a
// random port; a child process opens N MQTT 3.1.1 connections; after a forced GC we print heap,
// external and RSS growth per connection. Run: node --expose-gc bench/mqtt/idle-probe.ts [N]
import { fork } from 'node:child_process';
import { createServer, connect, type AddressInfo } from 'node:net';
import mqtt from 'mqtt-packet';
import { Engine } from '@octomesh/mqtt-engine';

const n = Number(process.argv[2] ?? 5000);
if (process.argv[3] === 'child') {
  const port = Number(process.argv[4]);
  const sockets = [];
  let acked = 0;
  for (let i = 0; i < n; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('data', () => acked++);
    s.write(
      mqtt.generate({
        cmd: 'connect',
        protocolVersion: 4,
        clientId: `idle-${i}`,
        clean: true,
        keepalive: 600,
        username: `u${i}`,
        password: Buffer.from('pw'),
      }),
    );
    sockets.push(s);
    if (i % 200 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  while (acked < n) await new Promise((r) => setTimeout(r, 50));
  process.send!('open');
  await new Promise((r) => setTimeout(r, 1e9));
} else {
  const engine = new Engine({
    deciders: {
      authenticate: async (a) => ({
        allow: true,
        identity: {
          subject: `user:${a.username}`,
          username: a.username!,
          role: 'device',
          endpointId: '',
          clientId: a.clientId,
        },
      }),
      authorize: async (_i, checks) => ({
        cacheTtlMs: 60000,
        verdicts: checks.map(() => ({ allow: true, reasonCode: 0 })),
      }),
    },
    limits: { sysIntervalSeconds: 0 },
  });
  const server = createServer((socket) =>
    process.env.BARE
      ? (socket.on('data', () => socket.write(Buffer.from([0x20, 2, 0, 0]))),
        engine.connections.set(String(Math.random()), socket as never))
      : engine.accept(socket, {
          sourceAddress: `${socket.remoteAddress}:${socket.remotePort}`,
          listener: 'mqtt',
        }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const gc = (globalThis as { gc?: () => void }).gc!;
  const sample = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m;
  };
  const before = sample();
  const child = fork(new URL(import.meta.url).pathname, [
    String(n),
    'child',
    String((server.address() as AddressInfo).port),
  ]);
  await new Promise((r) => child.once('message', r));
  await new Promise((r) => setTimeout(r, 2000));
  const after = sample();
  const per = (k: keyof NodeJS.MemoryUsage) => ((after[k] - before[k]) / n).toFixed(0);
  console.log(
    `connections ${engine.connections.size}: per connection heapUsed ${per('heapUsed')} B, external ${per('external')} B, arrayBuffers ${per('arrayBuffers')} B, rss ${per('rss')} B`,
  );
  if (process.env.SNAPSHOT) {
    const v8 = await import('node:v8');
    console.log(v8.writeHeapSnapshot());
  }
  child.kill();
  process.exit(0);
}
