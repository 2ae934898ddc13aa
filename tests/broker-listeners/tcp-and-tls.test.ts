// MQTT over TCP and TLS listeners with real MQTT.js clients and generated certificates.
import type { MqttClient } from 'mqtt';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '@octomesh/testing';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import { startRecordingEngine, type RecordingEngine } from './listener-harness.ts';

describe('MQTT over TCP and TLS listeners', () => {
  let ca: TestCertificateAuthority;
  let server: { cert: string; key: string };
  let broker: RecordingEngine;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    ca = await createTestCertificateAuthority();
    server = await ca.issueServerCertificate();
  });
  beforeEach(() => {
    broker = startRecordingEngine();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
    await broker.stop();
  });
  afterAll(async () => {
    await ca.cleanup();
  });

  test('a client on the plain TCP listener connects, subscribes and receives what it publishes', async () => {
    const listener = await broker.listen({ name: 'mqtt' });
    const client = await connectClient(`mqtt://127.0.0.1:${listener.port}`, {
      protocolVersion: 5,
      clientId: 'tcp-1',
    });
    clients.push(client);
    const box = collect(client);
    await client.subscribeAsync('t/tcp', { qos: 1 });
    await client.publishAsync('t/tcp', 'over tcp', { qos: 1 });
    const message = await eventually('message', () => box.messages[0]);
    expect(message.payload).toBe('over tcp');
    const localPort = (client.stream as unknown as { localPort: number }).localPort;
    expect(broker.attempts[0]?.meta).toEqual({
      sourceAddress: `127.0.0.1:${localPort}`,
      listener: 'mqtt',
    });
  });

  test('a TLS-only deployment serves MQTT over TLS, verified against the CA, with no plain listener', async () => {
    const listener = await broker.listen({
      name: 'mqtts',
      tls: { ...server, requireClientCert: false },
    });
    const client = await connectClient(`mqtts://127.0.0.1:${listener.port}`, {
      protocolVersion: 5,
      clientId: 'tls-1',
      ca: ca.cert,
      rejectUnauthorized: true,
    });
    clients.push(client);
    const box = collect(client);
    await client.subscribeAsync('t/tls', { qos: 1 });
    await client.publishAsync('t/tls', 'over tls', { qos: 1 });
    expect((await eventually('message', () => box.messages[0])).payload).toBe('over tls');
    expect(broker.attempts[0]?.meta.listener).toBe('mqtts');
    expect(broker.attempts[0]?.meta.certificate).toBeUndefined();
    expect(listener.counters.accepted).toBe(1);
  });

  test('a client that does not trust the server certificate never reaches the engine', async () => {
    const listener = await broker.listen({
      name: 'mqtts',
      tls: { ...server, requireClientCert: false },
    });
    const other = await createTestCertificateAuthority('Other CA');
    try {
      await expect(
        connectClient(`mqtts://127.0.0.1:${listener.port}`, {
          protocolVersion: 5,
          ca: other.cert,
          rejectUnauthorized: true,
        }),
      ).rejects.toThrow();
      expect(broker.attempts).toHaveLength(0);
      await eventually('the failed handshake to be counted', () =>
        listener.counters.handshakeFailed === 1 ? true : undefined,
      );
    } finally {
      await other.cleanup();
    }
  });
});
