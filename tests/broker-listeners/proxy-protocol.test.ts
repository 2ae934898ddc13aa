// PROXY protocol v1/v2 in front of the listeners: raw bytes from a "load balancer", then a
// real MQTT CONNECT; the deciders must see the proxied client address. Only peers inside the
// trusted CIDRs may send a header: on Linux every 127.x.y.z is loopback, so a socket bound to
// 127.0.0.2 plays the balancer and one from 127.0.0.1 an outsider, on one listener.
import { connect as tlsConnect } from 'node:tls';
import { isIPv4 } from 'node:net';
import type { MqttClient } from 'mqtt';
import WebSocket, { createWebSocketStream } from 'ws';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '@octomesh/testing';
import { connectClient, end } from '../mqtt-engine/clients.ts';
import {
  closed,
  mqttConnect,
  openSocket,
  startRecordingEngine,
  type RecordingEngine,
} from './listener-harness.ts';

// The loopback peer every test's "load balancer" connects from.
const TRUSTED = { proxyProtocol: true, proxyTrustedCidrs: ['127.0.0.1/32'] } as const;

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A PROXY v2 header: PROXY (or LOCAL) command, TCP over IPv4/IPv6 (all 8 groups), TLV bytes. */
function proxyV2(
  source: string,
  sourcePort: number,
  options: { local?: boolean; tlv?: Buffer } = {},
): Buffer {
  const v4 = isIPv4(source);
  // IPv6 given with all eight groups, to keep the encoder obvious.
  const address = (ip: string) =>
    v4
      ? Buffer.from(ip.split('.').map(Number))
      : Buffer.from(
          ip
            .split(':')
            .map((group) => group.padStart(4, '0'))
            .join(''),
          'hex',
        );
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(sourcePort, 0);
  ports.writeUInt16BE(1883, 2);
  const body = Buffer.concat([
    address(source),
    address(v4 ? '198.51.100.1' : '2001:db8:0:0:0:0:0:1'),
    ports,
    options.tlv ?? Buffer.alloc(0),
  ]);
  const fixed = Buffer.alloc(4);
  fixed[0] = options.local === true ? 0x20 : 0x21;
  fixed[1] = v4 ? 0x11 : 0x21;
  fixed.writeUInt16BE(body.length, 2);
  return Buffer.concat([V2_SIGNATURE, fixed, body]);
}

describe('PROXY protocol on the listeners', () => {
  let broker: RecordingEngine;
  let ca: TestCertificateAuthority;

  beforeAll(async () => {
    ca = await createTestCertificateAuthority();
  });
  beforeEach(() => {
    broker = startRecordingEngine();
  });
  afterEach(async () => {
    await broker.stop();
  });
  afterAll(async () => {
    await ca.cleanup();
  });

  const proxiedConnect = async (header: Buffer | string, splitAt?: number) => {
    const listener = await broker.listen({ name: 'mqtt', ...TRUSTED });
    const socket = await openSocket(listener.port);
    const bytes = Buffer.from(header);
    // Split writes exercise a header that arrives in pieces.
    if (splitAt !== undefined) {
      socket.write(bytes.subarray(0, splitAt));
      await new Promise((resolve) => setImmediate(resolve));
      socket.write(bytes.subarray(splitAt));
    } else socket.write(bytes);
    const reasonCode = await mqttConnect(socket, 'proxied');
    socket.destroy();
    return { reasonCode, meta: broker.attempts[0]?.meta };
  };

  test('a v1 TCP4 header sets the source address the deciders see', async () => {
    const { reasonCode, meta } = await proxiedConnect(
      'PROXY TCP4 192.0.2.7 198.51.100.1 51234 1883\r\n',
    );
    expect(reasonCode).toBe(0);
    expect(meta).toEqual({ sourceAddress: '192.0.2.7:51234', listener: 'mqtt' });
  });

  test('a v1 TCP6 header sets a bracketed IPv6 source address', async () => {
    const { meta } = await proxiedConnect('PROXY TCP6 2001:db8::7 2001:db8::1 40000 1883\r\n', 9);
    expect(meta?.sourceAddress).toBe('[2001:db8::7]:40000');
  });

  test('a v1 UNKNOWN header keeps the socket address', async () => {
    const { meta } = await proxiedConnect('PROXY UNKNOWN\r\n');
    expect(meta?.sourceAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('a v2 IPv4 header with TLVs, arriving in pieces, sets the source address', async () => {
    const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]); // PP2_TYPE_NOOP "abc"
    const { reasonCode, meta } = await proxiedConnect(proxyV2('203.0.113.9', 6000, { tlv }), 14);
    expect(reasonCode).toBe(0);
    expect(meta?.sourceAddress).toBe('203.0.113.9:6000');
  });

  test('a v2 IPv6 header sets a bracketed IPv6 source address', async () => {
    const { meta } = await proxiedConnect(proxyV2('2001:db8:0:0:1:0:0:9', 443));
    expect(meta?.sourceAddress).toBe('[2001:db8::1:0:0:9]:443');
  });

  test('a v2 LOCAL header (a balancer health check) keeps the socket address', async () => {
    const { meta } = await proxiedConnect(proxyV2('203.0.113.9', 6000, { local: true }));
    expect(meta?.sourceAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('on mqtts the PROXY header comes before the TLS handshake', async () => {
    const server = await ca.issueServerCertificate();
    const listener = await broker.listen({
      name: 'mqtts',
      ...TRUSTED,
      tls: { ...server, requireClientCert: false },
    });
    const raw = await openSocket(listener.port);
    raw.write(proxyV2('192.0.2.44', 50000));
    const socket = tlsConnect({ socket: raw, ca: ca.cert, servername: 'localhost' });
    socket.on('error', () => undefined);
    expect(await mqttConnect(socket, 'tls-proxied')).toBe(0);
    socket.destroy();
    expect(broker.attempts[0]?.meta).toEqual({
      sourceAddress: '192.0.2.44:50000',
      listener: 'mqtts',
    });
  });

  test('on ws the PROXY header comes before the HTTP upgrade', async () => {
    const listener = await broker.listen({ name: 'ws', ...TRUSTED });
    const raw = await openSocket(listener.port);
    raw.write('PROXY TCP4 192.0.2.45 198.51.100.1 50001 8080\r\n');
    const socket = new WebSocket(`ws://127.0.0.1:${listener.port}/mqtt`, ['mqtt'], {
      createConnection: () => raw,
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    expect(await mqttConnect(createWebSocketStream(socket), 'ws-proxied')).toBe(0);
    socket.terminate();
    expect(broker.attempts[0]?.meta).toEqual({ sourceAddress: '192.0.2.45:50001', listener: 'ws' });
  });

  test.each([
    ['an HTTP request line', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a bad v1 address', Buffer.from('PROXY TCP4 999.0.2.7 198.51.100.1 51234 1883\r\n')],
    ['a v1 port out of range', Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 70000 1883\r\n')],
    ['a v1 line without CRLF within 107 bytes', Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`)],
    ['a v2 header of version 3', Buffer.concat([V2_SIGNATURE, Buffer.from([0x31, 0x11, 0, 0])])],
    [
      'a v2 header larger than the bound',
      Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0xff, 0xff])]),
    ],
    ['an MQTT CONNECT without a header', Buffer.from('102b00044d51545405', 'hex')],
  ])(
    '%s from a trusted peer instead of a PROXY header closes the connection at once',
    async (_what, bytes) => {
      const listener = await broker.listen({ name: 'mqtt', ...TRUSTED });
      const socket = await openSocket(listener.port);
      socket.write(bytes);
      await closed(socket);
      expect(broker.attempts).toHaveLength(0);
      expect(listener.counters).toMatchObject({
        handshakeFailed: 1,
        handshakeTimedOut: 0,
        proxyHeaderUntrusted: 0,
      });
    },
  );

  test('a PROXY header that never completes is cut at the handshake deadline', async () => {
    const listener = await broker.listen({ name: 'mqtt', ...TRUSTED }, { handshakeTimeoutMs: 200 });
    const socket = await openSocket(listener.port);
    socket.write('PROXY TCP4 192.0.2.7 ');
    await closed(socket);
    expect(listener.counters).toMatchObject({ handshakeFailed: 1, handshakeTimedOut: 1 });
  });
});

describe('PROXY headers only from trusted peers (issue 9 §5)', () => {
  let broker: RecordingEngine;
  let ca: TestCertificateAuthority;
  const clients: MqttClient[] = [];
  // The balancer is 127.0.0.2; the tests' default peer 127.0.0.1 is outside.
  const behindBalancer = { proxyProtocol: true, proxyTrustedCidrs: ['127.0.0.2/32'] } as const;

  beforeAll(async () => {
    ca = await createTestCertificateAuthority();
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

  test.each([
    ['a v1 header', Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51234 1883\r\n')],
    ['a v2 header', proxyV2('203.0.113.9', 6000)],
    ['a v2 LOCAL header', proxyV2('203.0.113.9', 6000, { local: true })],
  ])(
    '%s from a peer outside the trusted CIDRs closes the connection and is counted',
    async (_what, header) => {
      const listener = await broker.listen({ name: 'mqtt', ...behindBalancer });
      const socket = await openSocket(listener.port);
      // The header arrives in pieces: the first bytes alone cannot tell it from other protocols.
      socket.write(header.subarray(0, 3));
      await new Promise((resolve) => setImmediate(resolve));
      socket.write(Buffer.concat([header.subarray(3), Buffer.from('102b00044d51545405', 'hex')]));
      await closed(socket);
      expect(broker.attempts).toHaveLength(0);
      expect(listener.counters).toMatchObject({
        accepted: 0,
        handshakeFailed: 1,
        handshakeTimedOut: 0,
        proxyHeaderUntrusted: 1,
      });
    },
  );

  test('one listener takes the header of the trusted balancer and refuses the same header from another peer', async () => {
    const listener = await broker.listen({ name: 'mqtt', ...behindBalancer });
    const header = 'PROXY TCP4 192.0.2.7 198.51.100.1 51234 1883\r\n';
    const forged = await openSocket(listener.port, { localAddress: '127.0.0.1' });
    forged.write(header);
    await closed(forged);
    const balancer = await openSocket(listener.port, { localAddress: '127.0.0.2' });
    balancer.write(header);
    expect(await mqttConnect(balancer, 'via-balancer')).toBe(0);
    balancer.destroy();
    expect(broker.attempts.map((a) => a.meta.sourceAddress)).toEqual(['192.0.2.7:51234']);
    expect(listener.counters).toMatchObject({ accepted: 1, proxyHeaderUntrusted: 1 });
  });

  test('a trusted peer that sends no header is closed, never served as the balancer itself', async () => {
    const listener = await broker.listen({ name: 'mqtt', ...behindBalancer });
    const socket = await openSocket(listener.port, { localAddress: '127.0.0.2' });
    socket.write(Buffer.from('102b00044d51545405', 'hex'));
    await closed(socket);
    expect(broker.attempts).toHaveLength(0);
    expect(listener.counters).toMatchObject({ handshakeFailed: 1, proxyHeaderUntrusted: 0 });
  });

  test('an untrusted MQTT.js client without a header is served with its own address', async () => {
    const listener = await broker.listen({ name: 'mqtt', ...behindBalancer });
    const client = await connectClient(`mqtt://127.0.0.1:${listener.port}`, {
      protocolVersion: 5,
      clientId: 'direct',
    });
    clients.push(client);
    await client.publishAsync('t/direct', 'first bytes put back', { qos: 1 });
    expect(broker.attempts[0]?.meta.sourceAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(listener.counters).toMatchObject({ accepted: 1, handshakeFailed: 0 });
  });

  test('untrusted TLS and WebSocket clients without a header are served on mqtts and ws', async () => {
    const server = await ca.issueServerCertificate();
    const mqtts = await broker.listen({
      name: 'mqtts',
      ...behindBalancer,
      tls: { ...server, requireClientCert: false },
    });
    const ws = await broker.listen({ name: 'ws', ...behindBalancer });
    for (const [clientId, url] of [
      ['direct-tls', `mqtts://127.0.0.1:${mqtts.port}`],
      ['direct-ws', `ws://127.0.0.1:${ws.port}/mqtt`],
    ] as const) {
      clients.push(
        await connectClient(url, {
          protocolVersion: 5,
          clientId,
          ca: ca.cert,
          servername: 'localhost',
        }),
      );
    }
    expect(broker.attempts.map((a) => a.meta.listener)).toEqual(['mqtts', 'ws']);
    expect(broker.attempts.every((a) => a.meta.sourceAddress.startsWith('127.0.0.1:'))).toBe(true);
  });

  test('a forged header on ws from an untrusted peer is closed before any HTTP', async () => {
    const listener = await broker.listen({ name: 'ws', ...behindBalancer });
    const socket = await openSocket(listener.port);
    socket.write('PROXY TCP4 192.0.2.45 198.51.100.1 50001 8080\r\nGET /mqtt HTTP/1.1\r\n\r\n');
    const answer: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answer.push(chunk));
    await closed(socket);
    expect(Buffer.concat(answer)).toHaveLength(0);
    expect(listener.counters.proxyHeaderUntrusted).toBe(1);
  });

  test('IPv6 peers are matched against IPv6 CIDRs', async () => {
    const listener = await broker.listen({
      name: 'mqtt',
      host: '::1',
      proxyProtocol: true,
      proxyTrustedCidrs: ['::1/128'],
    });
    const socket = await openSocket(listener.port, { host: '::1' });
    socket.write('PROXY TCP6 2001:db8::7 2001:db8::1 40000 1883\r\n');
    expect(await mqttConnect(socket, 'v6-balancer')).toBe(0);
    socket.destroy();
    expect(broker.attempts[0]?.meta.sourceAddress).toBe('[2001:db8::7]:40000');
  });
});
