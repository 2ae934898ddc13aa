// Bad listener configuration fails at start with every problem named at once.
import { ConfigError } from '@octomesh/contracts';
import { silentLogger } from '@octomesh/mqtt-engine';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '@octomesh/testing';
import {
  ListenError,
  startListener,
  type ListenerOptions,
  type ListenerSpec,
} from '../../services/broker/src/listeners/index.ts';

const ignore = () => undefined;

async function problemsOf(spec: ListenerSpec, options?: ListenerOptions): Promise<string[]> {
  const error: unknown = await startListener(spec, ignore, silentLogger, options).then(
    async (listener) => {
      await listener.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return [...(error as ConfigError).problems];
}

describe('listener configuration', () => {
  let ca: TestCertificateAuthority;
  let server: { cert: string; key: string };
  let other: { cert: string; key: string };
  const base = { host: '127.0.0.1', port: 0, proxyProtocol: false };

  beforeAll(async () => {
    ca = await createTestCertificateAuthority();
    [server, other] = await Promise.all([
      ca.issueServerCertificate(),
      ca.issueServerCertificate({ commonName: 'other' }),
    ]);
  });
  afterAll(async () => {
    await ca.cleanup();
  });

  test('an mqtts or wss listener without TLS material is refused', async () => {
    expect(await problemsOf({ ...base, name: 'mqtts' })).toEqual([
      'listener mqtts: tls (cert and key) is required',
    ]);
    expect(await problemsOf({ ...base, name: 'wss' })).toEqual([
      'listener wss: tls (cert and key) is required',
    ]);
  });

  test('unreadable PEM contents are named, certificate and key at once', async () => {
    const problems = await problemsOf({
      ...base,
      name: 'mqtts',
      tls: { cert: 'not a certificate', key: '', ca: 'nope', requireClientCert: true },
    });
    expect(problems).toEqual([
      'listener mqtts: tls.cert is not a PEM certificate',
      'listener mqtts: tls.key is not a PEM private key',
      'listener mqtts: tls.ca is not a PEM certificate',
    ]);
  });

  test('a key that does not belong to the certificate is refused', async () => {
    const problems = await problemsOf({
      ...base,
      name: 'mqtts',
      tls: { cert: server.cert, key: other.key, requireClientCert: false },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^listener mqtts: tls cert\/key\/ca cannot be loaded: .*mismatch/);
  });

  test('requiring client certificates without a CA to verify them is refused', async () => {
    expect(
      await problemsOf({ ...base, name: 'mqtts', tls: { ...server, requireClientCert: true } }),
    ).toEqual([
      'listener mqtts: tls.requireClientCert needs tls.ca to verify client certificates against',
    ]);
  });

  test('a bad port, TLS on a plain listener and bad limits are reported together', async () => {
    const problems = await problemsOf(
      {
        ...base,
        name: 'ws',
        port: 70000,
        path: 'mqtt',
        tls: { ...server, requireClientCert: false },
      },
      { maxConnections: 0, handshakeTimeoutMs: 1.5 },
    );
    expect(problems).toEqual([
      'listener ws: port 70000 is not 0-65535',
      'listener ws: tls is set on a plain listener (use wss)',
      'listener ws: path "mqtt" must start with / and have no query',
      'listener ws: maxConnections 0 is not a positive integer',
      'listener ws: handshakeTimeoutMs 1.5 is not a positive integer',
    ]);
  });

  test('a port already in use fails with LISTEN_FAILED naming the listener and address', async () => {
    const first = await startListener({ ...base, name: 'mqtt' }, ignore, silentLogger);
    try {
      const error: unknown = await startListener(
        { ...base, name: 'mqtt', port: first.port },
        ignore,
        silentLogger,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ListenError);
      expect(error).toMatchObject({ code: 'LISTEN_FAILED' });
      expect((error as Error).message).toContain(
        `listener mqtt cannot listen on 127.0.0.1:${first.port}`,
      );
    } finally {
      await first.close();
    }
  });
});
