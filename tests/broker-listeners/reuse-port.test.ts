// Listeners with reusePort (MQTT_REUSE_PORT, issue 11): two engines, as two broker processes
// would be, bind the same port and the kernel spreads connections over both. Linux only: the
// option is refused elsewhere (reuse-port.ts).
import type { MqttClient } from 'mqtt';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '@octomesh/testing';
import {
  ListenError,
  reusePortSupported,
  type ListenerName,
} from '../../services/broker/src/listeners/index.ts';
import { connectClient, end } from '../mqtt-engine/clients.ts';
import {
  closed,
  mqttConnect,
  openSocket,
  startRecordingEngine,
  type RecordingEngine,
} from './listener-harness.ts';

const describeWhereSupported = reusePortSupported() ? describe : describe.skip;

describeWhereSupported('listeners with reusePort', () => {
  let ca: TestCertificateAuthority;
  let tls: { cert: string; key: string; requireClientCert: false };
  let first: RecordingEngine;
  let second: RecordingEngine;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    ca = await createTestCertificateAuthority();
    tls = { ...(await ca.issueServerCertificate()), requireClientCert: false };
  });
  beforeEach(() => {
    first = startRecordingEngine();
    second = startRecordingEngine();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
    await Promise.all([first.stop(), second.stop()]);
  });
  afterAll(async () => {
    await ca.cleanup();
  });

  test('two engines share one MQTT port and the kernel gives each some of 40 connections', async () => {
    const one = await first.listen({ name: 'mqtt', reusePort: true });
    const two = await second.listen({ name: 'mqtt', port: one.port, reusePort: true });
    expect(two.port).toBe(one.port);
    const sockets = await Promise.all(Array.from({ length: 40 }, () => openSocket(one.port)));
    const codes = await Promise.all(sockets.map((s, i) => mqttConnect(s, `spread-${i}`)));
    expect(codes.every((code) => code === 0)).toBe(true);
    expect(first.attempts.length + second.attempts.length).toBe(40);
    // Linux hashes each connection's addresses and ports over the group: with 40 connections
    // one engine getting none has odds of 2^-39.
    expect(first.attempts.length).toBeGreaterThan(0);
    expect(second.attempts.length).toBeGreaterThan(0);
    for (const socket of sockets) socket.destroy();
    await Promise.all(sockets.map((s) => closed(s)));
  });

  test.each<[ListenerName, string]>([
    ['mqtts', 'mqtts'],
    ['ws', 'ws'],
    ['wss', 'wss'],
  ])('a %s listener shares its port too and serves clients', async (name, scheme) => {
    const secure = name === 'mqtts' || name === 'wss';
    const spec = { name, reusePort: true, ...(secure ? { tls } : {}) };
    const one = await first.listen(spec);
    const two = await second.listen({ ...spec, port: one.port });
    expect(two.port).toBe(one.port);
    const path = name === 'ws' || name === 'wss' ? '/mqtt' : '';
    for (let i = 0; i < 4; i++) {
      const client = await connectClient(`${scheme}://127.0.0.1:${one.port}${path}`, {
        protocolVersion: 5,
        clientId: `${name}-${i}`,
        ...(secure ? { ca: ca.cert, rejectUnauthorized: true } : {}),
      });
      clients.push(client);
    }
    expect(first.attempts.length + second.attempts.length).toBe(4);
  });

  test('without reusePort a second listener on the same port is refused with ListenError', async () => {
    const one = await first.listen({ name: 'mqtt', reusePort: true });
    await expect(second.listen({ name: 'mqtt', port: one.port })).rejects.toBeInstanceOf(
      ListenError,
    );
  });
});
