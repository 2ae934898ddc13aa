// TLS to NATS is a setting of every service (NATS_TLS_CA, and NATS_TLS_CERT/NATS_TLS_KEY for
// mutual TLS): a service trusting the CA that signed the server connects over TLS with its bus
// identity; a client that does not trust it is refused before it can authenticate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats, readSeedFile } from '@octomesh/nats-kit';
import { createLogger, type ServiceProcess } from '@octomesh/service-kit';
import {
  createTestCertificateAuthority,
  startSecuredBus,
  startService,
  type TestBus,
  type TestCertificateAuthority,
} from '@octomesh/testing';

describe('TLS to NATS', () => {
  let ca: TestCertificateAuthority;
  let bus: TestBus;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octomesh-bus-tls-'));
    ca = await createTestCertificateAuthority('Octomesh NATS Test CA');
    const server = await ca.issueServerCertificate();
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.cert);
    writeFileSync(join(dir, 'server.pem'), server.cert);
    writeFileSync(join(dir, 'server-key.pem'), server.key, { mode: 0o600 });
    bus = await startSecuredBus({
      tls: { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') },
    });
  });
  afterAll(async () => {
    await bus?.stop();
    await ca?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a service given the CA connects over TLS with its identity and serves', async () => {
    let auth: ServiceProcess | undefined;
    try {
      auth = await startService('auth', bus, { NATS_TLS_CA: caFile });
      expect(auth.child.exitCode).toBeNull();
    } finally {
      await auth?.stop();
    }
  });

  test('a client that does not trust the server certificate is refused', async () => {
    await expect(
      connectNats({
        servers: bus.url,
        name: 'untrusting',
        logger: createLogger('t', 'silent'),
        nkeySeed: readSeedFile(bus.seedFile('admin')),
        tls: {},
        timeoutMs: 2000,
      }),
    ).rejects.toThrow();
  });

  test('the same identity over TLS with the CA is accepted', async () => {
    const nc = await connectNats({
      servers: bus.url,
      name: 'trusting',
      logger: createLogger('t', 'silent'),
      nkeySeed: readSeedFile(bus.seedFile('admin')),
      tls: { caFile },
    });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });
});
