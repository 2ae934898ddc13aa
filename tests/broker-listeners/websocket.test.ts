// MQTT over WebSocket and secure WebSocket (MQTT 5.0 section 6) with MQTT.js and raw ws clients.
import { request } from 'node:http';
import type { MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import {
  createTestCertificateAuthority,
  type TestCertificate,
  type TestCertificateAuthority,
} from '@octomesh/testing';
import { collect, connectClient, end, eventually } from '../mqtt-engine/clients.ts';
import {
  closed,
  openSocket,
  startRecordingEngine,
  type RecordingEngine,
} from './listener-harness.ts';

/** Opens a raw WebSocket and resolves with the HTTP status it was refused with, or 101. */
function upgradeStatus(
  url: string,
  protocols: string[],
  options: WebSocket.ClientOptions = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, options);
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('MQTT over WebSocket listeners', () => {
  let ca: TestCertificateAuthority;
  let server: TestCertificate;
  let device: TestCertificate;
  let broker: RecordingEngine;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    ca = await createTestCertificateAuthority();
    server = await ca.issueServerCertificate();
    device = await ca.issueClientCertificate('ws-device-1');
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

  test('an MQTT.js client over ws with subprotocol mqtt publishes and receives on /mqtt', async () => {
    const listener = await broker.listen({ name: 'ws' });
    const client = await connectClient(`ws://127.0.0.1:${listener.port}/mqtt`, {
      protocolVersion: 5,
      clientId: 'ws-1',
    });
    clients.push(client);
    const box = collect(client);
    await client.subscribeAsync('t/ws', { qos: 1 });
    await client.publishAsync('t/ws', 'over websocket', { qos: 1 });
    expect((await eventually('message', () => box.messages[0])).payload).toBe('over websocket');
    expect(broker.attempts[0]?.meta.listener).toBe('ws');
    expect(broker.attempts[0]?.meta.sourceAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('the WebSocket path is configurable and other paths get 404', async () => {
    const listener = await broker.listen({ name: 'ws', path: '/devices' });
    expect(await upgradeStatus(`ws://127.0.0.1:${listener.port}/mqtt`, ['mqtt'])).toBe(404);
    const client = await connectClient(`ws://127.0.0.1:${listener.port}/devices`, {
      protocolVersion: 4,
      clientId: 'ws-path',
    });
    clients.push(client);
    expect(broker.attempts.map((a) => a.clientId)).toEqual(['ws-path']);
  });

  test('an MQTT.js client over wss connects with the server certificate verified', async () => {
    const listener = await broker.listen({
      name: 'wss',
      tls: { ...server, requireClientCert: false },
    });
    const client = await connectClient(`wss://127.0.0.1:${listener.port}/mqtt`, {
      protocolVersion: 5,
      clientId: 'wss-1',
      ca: ca.cert,
      rejectUnauthorized: true,
    });
    clients.push(client);
    const box = collect(client);
    await client.subscribeAsync('t/wss', { qos: 0 });
    await client.publishAsync('t/wss', 'over secure websocket', { qos: 0 });
    expect((await eventually('message', () => box.messages[0])).payload).toBe(
      'over secure websocket',
    );
    expect(broker.attempts[0]?.meta.listener).toBe('wss');
  });

  test('a wss client certificate verified against the CA reaches the deciders', async () => {
    const listener = await broker.listen({
      name: 'wss',
      tls: { ...server, ca: ca.cert, requireClientCert: true },
    });
    const client = await connectClient(`wss://127.0.0.1:${listener.port}/mqtt`, {
      protocolVersion: 5,
      clientId: 'wss-mtls',
      ca: ca.cert,
      cert: device.cert,
      key: device.key,
    });
    clients.push(client);
    expect(broker.attempts[0]?.meta.certificate?.commonName).toBe('ws-device-1');
    expect(broker.attempts[0]?.meta.certificate?.fingerprintSha256).toBe(device.fingerprintSha256);
  });

  test('an upgrade without the mqtt subprotocol is refused with 400 [MQTT-6.0.0-3]', async () => {
    const listener = await broker.listen({ name: 'ws' });
    const url = `ws://127.0.0.1:${listener.port}/mqtt`;
    expect(await upgradeStatus(url, ['chat'])).toBe(400);
    expect(await upgradeStatus(url, [])).toBe(400);
    expect(await upgradeStatus(url, ['chat', 'mqtt'])).toBe(101);
    expect(listener.counters.handshakeFailed).toBe(2);
  });

  test('a text frame closes the WebSocket with 1003 and never reaches the engine [MQTT-6.0.0-1]', async () => {
    const listener = await broker.listen({ name: 'ws' });
    const socket = new WebSocket(`ws://127.0.0.1:${listener.port}/mqtt`, ['mqtt']);
    await new Promise((resolve) => socket.once('open', resolve));
    expect(socket.protocol).toBe('mqtt');
    const connect = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'text',
      clean: true,
      keepalive: 30,
    });
    // The same CONNECT bytes, as a text frame (they are all ASCII).
    socket.send(connect.toString('latin1'), { binary: false });
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(1003);
    expect(broker.attempts).toHaveLength(0);
  });

  test('a plain HTTP request on the WebSocket port is answered 426 Upgrade Required', async () => {
    const listener = await broker.listen({ name: 'ws' });
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: listener.port, path: '/mqtt' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .once('error', reject)
        .end();
    });
    expect(status).toBe(426);
  });

  describe('Origin allow-list (WS_ALLOWED_ORIGINS, issue 9 §5)', () => {
    const consoleOrigin = 'https://console.example.com';

    test('by default a browser upgrade (with an Origin) is refused with 403 and one without is accepted', async () => {
      const listener = await broker.listen({ name: 'ws' });
      const url = `ws://127.0.0.1:${listener.port}/mqtt`;
      expect(await upgradeStatus(url, ['mqtt'], { origin: consoleOrigin })).toBe(403);
      expect(await upgradeStatus(url, ['mqtt'], { origin: 'null' })).toBe(403);
      // MQTT.js in Node sends no Origin.
      const client = await connectClient(url, { protocolVersion: 5, clientId: 'no-origin' });
      clients.push(client);
      expect(broker.attempts.map((a) => a.clientId)).toEqual(['no-origin']);
      expect(listener.counters).toMatchObject({ accepted: 1, handshakeFailed: 2 });
    });

    test('a listed origin is upgraded and reaches the engine; any other origin gets 403', async () => {
      const listener = await broker.listen({ name: 'ws', allowedOrigins: [consoleOrigin] });
      const url = `ws://127.0.0.1:${listener.port}/mqtt`;
      const client = await connectClient(url, {
        protocolVersion: 5,
        clientId: 'console-page',
        wsOptions: { origin: consoleOrigin },
      });
      clients.push(client);
      for (const origin of [
        'https://console.example.com.evil.test',
        'http://console.example.com',
        'https://console.example.com:8443',
        `${consoleOrigin}, https://evil.test`,
      ]) {
        expect(await upgradeStatus(url, ['mqtt'], { origin })).toBe(403);
      }
      // Protocol version 8 sends Sec-WebSocket-Origin instead; ws refuses version 8 with 400
      // itself, so the 403 shows the origin was looked at first.
      expect(
        await upgradeStatus(url, ['mqtt'], { origin: 'https://evil.test', protocolVersion: 8 }),
      ).toBe(403);
      expect(broker.attempts.map((a) => a.clientId)).toEqual(['console-page']);
    });

    test('* accepts every origin on wss too', async () => {
      const listener = await broker.listen({
        name: 'wss',
        tls: { ...server, requireClientCert: false },
        allowedOrigins: ['*'],
      });
      const client = await connectClient(`wss://127.0.0.1:${listener.port}/mqtt`, {
        protocolVersion: 5,
        clientId: 'any-origin',
        ca: ca.cert,
        wsOptions: { origin: 'https://anything.example' },
      });
      clients.push(client);
      expect(broker.attempts.map((a) => a.clientId)).toEqual(['any-origin']);
    });

    test('a refused upgrade is answered 403 alone: no WebSocket, no MQTT byte, the connection closed', async () => {
      const listener = await broker.listen({ name: 'ws' });
      const socket = await openSocket(listener.port);
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      const connect = mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId: 'cross-site',
        clean: true,
        keepalive: 30,
      });
      // A browser's upgrade, with a masked binary frame holding a CONNECT right behind it.
      const mask = Buffer.from([1, 2, 3, 4]);
      const frame = Buffer.concat([
        Buffer.from([0x82, 0x80 | connect.length]),
        mask,
        Buffer.from(connect.map((byte, i) => byte ^ mask[i % 4]!)),
      ]);
      socket.write(
        [
          'GET /mqtt HTTP/1.1',
          `Host: 127.0.0.1:${listener.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          'Sec-WebSocket-Protocol: mqtt',
          'Origin: https://evil.test',
          '',
          '',
        ].join('\r\n'),
      );
      socket.write(frame);
      await closed(socket);
      const answer = Buffer.concat(received).toString('latin1');
      expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(answer.endsWith('\r\n\r\n')).toBe(true);
      expect(answer).not.toContain('Sec-WebSocket-Accept');
      expect(broker.attempts).toHaveLength(0);
    });
  });
});
