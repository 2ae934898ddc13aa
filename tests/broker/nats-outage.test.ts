// A broker whose NATS goes away: /readyz says so (503 and what is degraded) while it
// reconnects, and is ready again once NATS is back on the same address. NATS here is a local
// nats-server on a port chosen up front, so it can come back on it after a SIGKILL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  spawnNatsServer,
  type NatsServerProcess,
  type ServiceProcess,
} from '@octomesh/service-kit';
import { freePort, startService } from '@octomesh/testing';
import { eventually } from '../mqtt-engine/clients.ts';

describe('a broker through a NATS outage', () => {
  let storeDir: string;
  let port: number;
  let nats: NatsServerProcess | undefined;
  let broker: ServiceProcess | undefined;

  const readyz = async (): Promise<{ status: number; text: string }> => {
    const response = await fetch(`http://127.0.0.1:${await broker!.healthPort}/readyz`);
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'octomesh-outage-'));
    port = await freePort();
    nats = await spawnNatsServer({ storeDir, port });
    broker = await startService('broker', `nats://127.0.0.1:${port}`, {
      LISTENERS: 'mqtt',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
    });
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    await nats?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  test('/readyz is 503 and names the outage while NATS is down, 200 once it is back', async () => {
    expect(await readyz()).toEqual({ status: 200, text: 'ready\n' });
    nats!.child.kill('SIGKILL');
    const down = await eventually(
      '/readyz 503',
      async () => {
        const answer = await readyz();
        return answer.status === 503 ? answer : undefined;
      },
      10_000,
    );
    expect(down.text).toMatch(/^not ready\nnats disconnected \(reconnecting\)/);
    // The broker itself keeps running.
    expect(broker!.child.exitCode).toBeNull();
    nats = await spawnNatsServer({ storeDir, port });
    await eventually(
      '/readyz 200 again',
      async () => ((await readyz()).status === 200 ? true : undefined),
      15_000,
    );
  }, 60_000);
});
