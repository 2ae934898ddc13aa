// Bad listener configuration fails at start with every problem named at once.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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
const run = promisify(execFile);

/** Starts the broker service with `env` and resolves with how it exited (it must not start). */
async function brokerExit(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const result = await run(process.execPath, ['services/broker/src/main.ts'], {
    // The broker reads its config before it opens anything: no NATS is needed to fail.
    env: { ...process.env, NATS_URL: 'nats://127.0.0.1:1', HEALTH_PORT: '0', ...env },
    timeout: 30_000,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code?: number; stderr?: string }) => ({
      code: error.code ?? -1,
      stderr: error.stderr ?? '',
    }),
  );
  return result;
}

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

  test('a PROXY protocol listener without trusted CIDRs is refused', async () => {
    expect(await problemsOf({ ...base, name: 'mqtt', proxyProtocol: true })).toEqual([
      'listener mqtt: proxyProtocol needs proxyTrustedCidrs: the networks of the load balancers allowed to send a PROXY header',
    ]);
    expect(
      await problemsOf({ ...base, name: 'mqtt', proxyProtocol: true, proxyTrustedCidrs: [] }),
    ).toHaveLength(1);
  });

  test('every malformed trusted CIDR is named', async () => {
    const problems = await problemsOf({
      ...base,
      name: 'mqtt',
      proxyProtocol: true,
      proxyTrustedCidrs: ['10.0.0.0/8', '10.0.0.1/8', '10.0.0.0/33', '10.0.0/8', 'fe80::%lo/64'],
    });
    expect(problems).toEqual([
      'listener mqtt: proxyTrustedCidrs "10.0.0.1/8": 10.0.0.1 has bits set past /8 (a network address was meant)',
      'listener mqtt: proxyTrustedCidrs "10.0.0.0/33": prefix length 33 is more than 32',
      'listener mqtt: proxyTrustedCidrs "10.0.0/8": 10.0.0 is not an IPv4 or IPv6 address',
      'listener mqtt: proxyTrustedCidrs "fe80::%lo/64": fe80::%lo is not an IPv4 or IPv6 address',
    ]);
  });

  test('trusted CIDRs on a listener without PROXY protocol are refused', async () => {
    expect(await problemsOf({ ...base, name: 'mqtt', proxyTrustedCidrs: ['10.0.0.0/8'] })).toEqual([
      'listener mqtt: proxyTrustedCidrs is set but proxyProtocol is off',
    ]);
  });

  test('every malformed allowed WebSocket origin is named', async () => {
    const problems = await problemsOf({
      ...base,
      name: 'ws',
      allowedOrigins: [
        'https://console.example.com',
        'https://console.example.com/',
        'console',
        '*',
      ],
    });
    expect(problems).toEqual([
      'listener ws: allowedOrigins "https://console.example.com/": must be exactly an origin (https://console.example.com?)',
      'listener ws: allowedOrigins "console": is not an origin like https://console.example.com',
      'listener ws: allowedOrigins * allows every origin: list no other with it',
    ]);
  });

  test('the broker refuses to start with PROXY_PROTOCOL=true and no PROXY_TRUSTED_CIDRS', async () => {
    const { code, stderr } = await brokerExit({ PROXY_PROTOCOL: 'true' });
    expect(code).toBe(2);
    expect(stderr).toContain('PROXY_PROTOCOL=true needs PROXY_TRUSTED_CIDRS');
  });

  test('the broker names every bad PROXY_TRUSTED_CIDRS and WS_ALLOWED_ORIGINS entry at once', async () => {
    const { code, stderr } = await brokerExit({
      PROXY_PROTOCOL: 'true',
      PROXY_TRUSTED_CIDRS: '10.0.0.0/8, 192.168.1.1/16',
      WS_ALLOWED_ORIGINS: 'https://console.example.com,ftp://x',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('"192.168.1.1/16": 192.168.1.1 has bits set past /16');
    expect(stderr).toContain('"ftp://x": must start with https:// or http://');
  });
});
