// Client certificates on the TLS listener: verified against the configured CA, and their
// facts (subject, CN, SANs, fingerprint) handed to the engine's deciders.
import { connect as tlsConnect } from 'node:tls';
import type { MqttClient } from 'mqtt';
import {
  createTestCertificateAuthority,
  type TestCertificate,
  type TestCertificateAuthority,
} from '@octomesh/testing';
import { connectClient, end } from '../mqtt-engine/clients.ts';
import {
  closed,
  mqttConnect,
  startRecordingEngine,
  type RecordingEngine,
} from './listener-harness.ts';

describe('mutual TLS on the mqtts listener', () => {
  let ca: TestCertificateAuthority;
  let otherCa: TestCertificateAuthority;
  let server: TestCertificate;
  let device: TestCertificate;
  let foreign: TestCertificate;
  let broker: RecordingEngine;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    [ca, otherCa] = await Promise.all([
      createTestCertificateAuthority('Octomesh Device CA'),
      createTestCertificateAuthority('Someone Else CA'),
    ]);
    server = await ca.issueServerCertificate();
    device = await ca.issueClientCertificate('os::012345-DEV1', {
      organization: 'Octomesh Devices',
      sanDns: ['dev1.devices.example'],
      sanUri: ['urn:bbf:usp:id:os::012345-DEV1'],
      sanEmail: ['ops@devices.example'],
    });
    foreign = await otherCa.issueClientCertificate('os::012345-DEV1');
  });
  beforeEach(() => {
    broker = startRecordingEngine();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
    await broker.stop();
  });
  afterAll(async () => {
    await Promise.all([ca.cleanup(), otherCa.cleanup()]);
  });

  const listen = (requireClientCert: boolean) =>
    broker.listen({ name: 'mqtts', tls: { ...server, ca: ca.cert, requireClientCert } });
  const connectWith = async (port: number, certificate?: TestCertificate) => {
    const client = await connectClient(`mqtts://127.0.0.1:${port}`, {
      protocolVersion: 5,
      clientId: `c-${Math.random().toString(16).slice(2)}`,
      ca: ca.cert,
      ...(certificate === undefined ? {} : { cert: certificate.cert, key: certificate.key }),
    });
    clients.push(client);
    return client;
  };

  test('the verified client certificate (subject, CN, SANs, fingerprint) reaches the deciders', async () => {
    const listener = await listen(true);
    await connectWith(listener.port, device);
    expect(broker.attempts).toHaveLength(1);
    expect(broker.attempts[0]?.meta.certificate).toEqual({
      subject: 'CN=os::012345-DEV1,O=Octomesh Devices',
      commonName: 'os::012345-DEV1',
      sanDns: ['dev1.devices.example'],
      sanUri: ['urn:bbf:usp:id:os::012345-DEV1'],
      sanEmail: ['ops@devices.example'],
      fingerprintSha256: device.fingerprintSha256,
    });
    expect(broker.attempts[0]?.meta.listener).toBe('mqtts');
  });

  test('a client without a certificate is refused when one is required, before any CONNECT is decided', async () => {
    const listener = await listen(true);
    await expect(connectWith(listener.port)).rejects.toThrow();
    expect(broker.attempts).toHaveLength(0);
  });

  test('a certificate from another CA is refused when one is required', async () => {
    const listener = await listen(true);
    // A raw TLS client sends CONNECT right after its side of the handshake, as devices do.
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: listener.port,
      ca: ca.cert,
      cert: foreign.cert,
      key: foreign.key,
      servername: 'localhost',
    });
    socket.on('error', () => undefined);
    await expect(mqttConnect(socket, 'foreign')).rejects.toThrow('closed before CONNACK');
    await closed(socket);
    expect(broker.attempts).toHaveLength(0);
  });

  test('with an optional client certificate, clients without one connect and carry none', async () => {
    const listener = await listen(false);
    await connectWith(listener.port);
    expect(broker.attempts[0]?.meta.certificate).toBeUndefined();
  });

  test('with an optional client certificate, one from another CA is let in but never forwarded', async () => {
    const listener = await listen(false);
    await connectWith(listener.port, foreign);
    await connectWith(listener.port, device);
    expect(broker.attempts.map((a) => a.meta.certificate?.commonName)).toEqual([
      undefined,
      'os::012345-DEV1',
    ]);
  });
});
