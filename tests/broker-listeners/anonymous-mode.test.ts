// Development mode as a developer runs it: `octomesh up --allow-anonymous` (issue 9 §5). The
// broker stays on loopback unless --mqtt-host says otherwise, and an anonymous client is never
// a USP endpoint, whatever usp-endpoint-id or client id it sends. On Linux every 127.x.y.z is
// loopback: a listener bound to 127.0.0.1 refuses 127.0.0.2, one bound to 0.0.0.0 would not.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { brokerEventsWildcard, inboxPrefixOf, mesh } from '@octomesh/contracts';
import { connectNats, readSeedFile } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import type { IConnackPacket } from 'mqtt';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';

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

const running: ChildProcessByStdio<null, Readable, Readable>[] = [];

/** Runs `octomesh up` with free ports and a fresh data directory until it prints ready. */
async function up(args: string[]): Promise<Mesh> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octomesh-anon-'));
  const child = spawn(
    process.execPath,
    [
      'cli/bin/octomesh.js',
      'up',
      '--nats-port',
      '0',
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--data-dir',
      dataDir,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line:\n${output}`)), 60_000);
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const line = output.split('\n').find((l) => l.startsWith('octomesh ready'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void exited.then((code) => reject(new Error(`up exited ${code}:\n${output}`)));
  });
  // The broker's log lines can trail the ready line on a busy machine: wait for both listeners.
  const parse = () =>
    output
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
    natsUrl: /nats (nats:\/\/[0-9.:]+)/.exec(ready)![1]!,
    dataDir,
    output: () => output,
    listeners,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Resolves true when a TCP connection to host:port is refused. */
function refuses(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

afterAll(() => {
  // A test that failed before stop(): no mesh outlives the suite.
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
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
        expect(await refuses('127.0.0.2', port)).toBe(true);
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
        expect(await refuses('127.0.0.1', port)).toBe(true);
        expect(await refuses('127.0.0.2', port)).toBe(false);
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
