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
import { startRecordingEngine, type RecordingEngine } from './listener-harness.ts';

/** Opens a raw WebSocket and resolves with the HTTP status it was refused with, or 101. */
function upgradeStatus(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
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
});
