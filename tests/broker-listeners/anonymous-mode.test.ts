// Development mode as a developer runs it: `octomesh up --allow-anonymous` (issue 9 §5). The
// broker stays on loopback unless --mqtt-host says otherwise, and an anonymous client is never
// a USP endpoint, whatever usp-endpoint-id or client id it sends. On Linux every 127.x.y.z is
// loopback: a listener bound to 127.0.0.1 refuses 127.0.0.2, one bound to 0.0.0.0 would not.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { brokerEventsWildcard, inboxPrefixOf, mesh } from '@octomesh/contracts';
import { connectNats, readSeedFile } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import type { IConnackPacket } from 'mqtt';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import {
  killOctomeshUp,
  refuses,
  startOctomeshUp,
  stopOctomeshUp,
  type RunningMesh,
} from '../support/octomesh-up.ts';

interface BoundListener {
  listener: string;
  host: string;
  port: number;
}

interface Mesh {
  natsUrl: string;
  dataDir: string;
  output: () => string;
  /** The broker's listeners, from its `listener started` log lines. */
  listeners: BoundListener[];
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

const started: RunningMesh[] = [];

/** `octomesh up` (tests/support/octomesh-up.ts), with the broker's bound listeners from its log. */
async function up(args: string[]): Promise<Mesh> {
  const running = await startOctomeshUp(args);
  started.push(running);
  // The broker's log lines can trail the ready line on a busy machine: wait for both listeners.
  const parse = () =>
    running
      .output()
      .split('\n')
      .filter((line) => line.startsWith('[broker] {') && line.endsWith('}'))
      .map((line) => JSON.parse(line.slice('[broker] '.length)) as BoundListener & { msg: string })
      .filter((entry) => entry.msg === 'listener started')
      .map(({ listener, host, port }) => ({ listener, host, port }));
  const listeners = await eventually(
    'both listeners logged',
    () => {
      const found = parse();
      return found.length >= 2 ? found : undefined;
    },
    15_000,
  );
  return {
    natsUrl: running.natsUrl,
    dataDir: running.dataDir,
    output: running.output,
    listeners,
    stop: () => stopOctomeshUp(running),
  };
}

afterAll(async () => {
  // A test that failed before stop(): no mesh outlives the suite.
  await Promise.all(started.map((running) => killOctomeshUp(running)));
});

describe('octomesh up --allow-anonymous', () => {
  test('the broker listens on 127.0.0.1 only and gives anonymous clients no endpoint id', async () => {
    const dev = await up(['--allow-anonymous']);
    try {
      expect(dev.output()).toContain('the broker listens on 127.0.0.1 only');
      expect(dev.listeners.map((l) => [l.listener, l.host])).toEqual([
        ['mqtt', '127.0.0.1'],
        ['ws', '127.0.0.1'],
      ]);
      for (const { port } of dev.listeners) {
        expect(await refuses(port, '127.0.0.2')).toBe(true);
      }
      // The usp-router's identity reads broker events: presence keys on the endpoint id.
      const nc = await connectNats({
        servers: dev.natsUrl,
        name: 'anon-events',
        logger: createLogger('t', 'silent'),
        nkeySeed: readSeedFile(join(dev.dataDir, 'nats-credentials', 'usp-router.nk')),
        inboxPrefix: inboxPrefixOf('usp-router'),
      });
      try {
        const connected = new Promise<mesh.broker.v1.ClientConnected>((resolve) =>
          nc.subscribe(brokerEventsWildcard, {
            callback: (_error, msg) => {
              if (msg.subject.endsWith('.connected'))
                resolve(mesh.broker.v1.ClientConnected.decode(msg.data));
            },
          }),
        );
        await nc.flush();
        const mqttPort = dev.listeners.find((l) => l.listener === 'mqtt')!.port;
        let connack: IConnackPacket | undefined;
        const client = await connectClient(
          `mqtt://127.0.0.1:${mqttPort}`,
          {
            protocolVersion: 5,
            // A stranger claiming a device's endpoint id, both ways it could.
            clientId: 'os::00D09E-victim',
            properties: {
              userProperties: { 'usp-endpoint-id': 'os::00D09E-victim' },
              requestResponseInformation: true,
            },
          },
          (c) => c.once('connect', (packet) => (connack = packet)),
        );
        await end(client);
        expect(connack?.reasonCode).toBe(0);
        expect(connack?.properties?.userProperties?.['subscribe-topic']).toBeUndefined();
        expect(connack?.properties?.responseInformation).toBeUndefined();
        const event = await connected;
        expect(event.identity).toMatchObject({ role: 'anonymous', endpointId: '' });
        expect(event.clientId).toBe('os::00D09E-victim');
      } finally {
        await nc.close();
      }
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  }, 90_000);

  test('with --mqtt-host the broker binds the address the operator gave', async () => {
    const dev = await up(['--allow-anonymous', '--mqtt-host', '127.0.0.2']);
    try {
      expect(dev.output()).not.toContain('listens on 127.0.0.1 only');
      expect(dev.listeners.map((l) => l.host)).toEqual(['127.0.0.2', '127.0.0.2']);
      for (const { port } of dev.listeners) {
        expect(await refuses(port, '127.0.0.1')).toBe(true);
        expect(await refuses(port, '127.0.0.2')).toBe(false);
      }
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  }, 90_000);

  test('an --mqtt-host that is not an address is a usage error', async () => {
    const child = spawn(process.execPath, ['cli/bin/octomesh.js', 'up', '--mqtt-host', 'a b'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--mqtt-host must be an address or host name');
  });
});
