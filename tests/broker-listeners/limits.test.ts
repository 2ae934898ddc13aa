// Bounds of the listeners: connections per listener, the handshake deadline, and closing.
import { connect as tcpConnect } from 'node:net';
import type { MqttClient } from 'mqtt';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '@octomesh/testing';
import { connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import {
  closed,
  mqttConnect,
  openSocket,
  startRecordingEngine,
  type RecordingEngine,
} from './listener-harness.ts';

describe('listener limits', () => {
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

  test('a socket beyond maxConnections is closed at once and counted, and a freed slot is usable again', async () => {
    const listener = await broker.listen({ name: 'mqtt' }, { maxConnections: 2 });
    const first = await openSocket(listener.port);
    const second = await openSocket(listener.port);
    await eventually('two open sockets', () => (listener.counters.open === 2 ? true : undefined));
    const extra = await openSocket(listener.port);
    await closed(extra);
    expect(listener.counters.refused).toBe(1);
    // The two admitted sockets still speak MQTT.
    expect(await mqttConnect(first, 'first')).toBe(0);
    expect(await mqttConnect(second, 'second')).toBe(0);
    first.destroy();
    await eventually('a freed slot', () => (listener.counters.open === 1 ? true : undefined));
    const next = await openSocket(listener.port);
    expect(await mqttConnect(next, 'next')).toBe(0);
    second.destroy();
    next.destroy();
  });

  test.each([
    ['mqtts', ''],
    ['wss', ''],
    ['ws', 'GET /mqtt HTTP/1.1\r\nHost: x\r\n'],
  ] as const)(
    'a %s client that stalls its handshake is cut at the deadline',
    async (name, partial) => {
      const listener = await broker.listen(
        { name, ...(name === 'ws' ? {} : { tls: { ...server, requireClientCert: false } }) },
        { handshakeTimeoutMs: 200 },
      );
      const socket = await openSocket(listener.port);
      if (partial !== '') socket.write(partial);
      await closed(socket);
      expect(listener.counters).toMatchObject({ handshakeFailed: 1, handshakeTimedOut: 1 });
      expect(broker.attempts).toHaveLength(0);
    },
  );

  test('closing a listener stops accepting and aborts handshakes, but leaves engine connections to the engine', async () => {
    const listener = await broker.listen({
      name: 'mqtts',
      tls: { ...server, requireClientCert: false },
    });
    const client = await connectClient(`mqtts://127.0.0.1:${listener.port}`, {
      protocolVersion: 5,
      clientId: 'stays',
      ca: ca.cert,
    });
    clients.push(client);
    const stalled = await openSocket(listener.port);
    await eventually('both sockets admitted', () =>
      listener.counters.open === 2 ? true : undefined,
    );
    await listener.close();
    await closed(stalled);
    const refused = await new Promise<string>((resolve) => {
      const socket = tcpConnect(listener.port, '127.0.0.1');
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? ''));
      socket.once('connect', () => resolve('connected'));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(client.connected).toBe(true);
    const disconnected = new Promise<void>((resolve) => client.once('close', () => resolve()));
    broker.engine.closeAll();
    await disconnected;
  });
});
