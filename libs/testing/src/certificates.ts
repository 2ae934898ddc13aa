// Throwaway X.509 material for TLS tests: a CA, server certificates for 127.0.0.1/localhost
// and client certificates (CN and SANs chosen by the test), made at test time with the
// `openssl` command into a temp dir. Keys are EC P-256: fast to generate, accepted everywhere.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OctomeshError } from '@octomesh/contracts';

/** A certificate with its private key, as PEM. */
export interface TestCertificate {
  cert: string;
  key: string;
  /** SHA-256 of the certificate's DER, lower-case hex (what listeners report). */
  fingerprintSha256: string;
}

/** Names of a server certificate; by default localhost, 127.0.0.1 and ::1. */
export interface ServerCertificateOptions {
  commonName?: string;
  dns?: string[];
  ip?: string[];
}

/** Subject alternative names of a client certificate. */
export interface ClientCertificateOptions {
  sanDns?: string[];
  sanUri?: string[];
  sanEmail?: string[];
  /** Subject O=, to check a multi-part subject DN. */
  organization?: string;
}

/** A test CA that issues certificates; `cleanup()` removes its temp dir. */
export interface TestCertificateAuthority extends TestCertificate {
  issueServerCertificate(options?: ServerCertificateOptions): Promise<TestCertificate>;
  issueClientCertificate(
    commonName: string,
    options?: ClientCertificateOptions,
  ): Promise<TestCertificate>;
  cleanup(): Promise<void>;
}

/** The openssl command is missing or failed. */
export class TestCertificateError extends OctomeshError {
  constructor(message: string, cause?: unknown) {
    super('TEST_CERTIFICATE_FAILED', message, { cause });
  }
}

const VALIDITY_DAYS = '2';

/** Creates a self-signed CA in a fresh temp dir. */
export async function createTestCertificateAuthority(
  commonName = 'Octomesh Test CA',
): Promise<TestCertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'octomesh-pki-'));
  let serial = 0;
  const file = (name: string) => join(dir, name);
  await writeFile(
    file('ca.cnf'),
    config(subjectLines(commonName), [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
    ]),
  );
  await openssl(dir, [
    'req', '-x509', '-new', '-config', 'ca.cnf', '-extensions', 'ext',
    ...newEcKey('ca.key'), '-sha256', '-days', VALIDITY_DAYS, '-out', 'ca.crt',
  ]); // prettier-ignore
  const ca = await readPair(file('ca.crt'), file('ca.key'));

  const issue = async (subject: string[], extensions: string[], altNames: string[]) => {
    const name = `leaf-${++serial}`;
    const leaf = ['basicConstraints = critical,CA:FALSE', ...extensions];
    await writeFile(file(`${name}.cnf`), config(subject, leaf, altNames));
    await openssl(dir, [
      'req', '-new', '-config', `${name}.cnf`, ...newEcKey(`${name}.key`), '-out', `${name}.csr`,
    ]); // prettier-ignore
    await openssl(dir, [
      'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
      '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-sha256', '-days', VALIDITY_DAYS,
      '-extfile', `${name}.cnf`, '-extensions', 'ext', '-out', `${name}.crt`,
    ]); // prettier-ignore
    return readPair(file(`${name}.crt`), file(`${name}.key`));
  };

  return {
    ...ca,
    issueServerCertificate: (options = {}) =>
      issue(
        subjectLines(options.commonName ?? 'localhost'),
        ['extendedKeyUsage = serverAuth', 'keyUsage = critical,digitalSignature,keyEncipherment'],
        [
          ...(options.dns ?? ['localhost']).map((n) => `DNS = ${n}`),
          ...(options.ip ?? ['127.0.0.1', '::1']).map((n) => `IP = ${n}`),
        ],
      ),
    issueClientCertificate: (cn, options = {}) =>
      issue(
        subjectLines(cn, options.organization),
        ['extendedKeyUsage = clientAuth', 'keyUsage = critical,digitalSignature'],
        [
          ...(options.sanDns ?? []).map((n) => `DNS = ${n}`),
          ...(options.sanUri ?? []).map((n) => `URI = ${n}`),
          ...(options.sanEmail ?? []).map((n) => `email = ${n}`),
        ],
      ),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function newEcKey(keyFile: string): string[] {
  return [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
  ];
}

// OpenSSL config values: backslash escapes the characters the parser would read as syntax.
function escapeValue(value: string): string {
  return value.replace(/[\\$#"']/g, (c) => `\\${c}`);
}

function subjectLines(commonName: string, organization?: string): string[] {
  return [
    ...(organization === undefined ? [] : [`O = ${escapeValue(organization)}`]),
    `CN = ${escapeValue(commonName)}`,
  ];
}

/** A self-contained config (no system openssl.cnf needed): DN, extensions, SANs. */
function config(subject: string[], extensions: string[], altNames: string[] = []): string {
  const sans = altNames.map((line, i) => {
    const [kind, value] = line.split(' = ') as [string, string];
    return `${kind}.${i + 1} = ${escapeValue(value)}`;
  });
  return [
    '[req]',
    'prompt = no',
    'distinguished_name = dn',
    '[dn]',
    ...subject,
    '[ext]',
    ...extensions,
    ...(sans.length > 0 ? ['subjectAltName = @alt'] : []),
    '[alt]',
    ...sans,
    '',
  ].join('\n');
}

async function readPair(certFile: string, keyFile: string): Promise<TestCertificate> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  const der = new X509Certificate(cert).raw;
  return { cert, key, fingerprintSha256: createHash('sha256').update(der).digest('hex') };
}

function openssl(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new TestCertificateError(
          missing
            ? 'the openssl command is needed to generate test certificates (apt-get install openssl)'
            : `openssl ${args[0]} failed: ${stderr.trim() || error.message}`,
          error,
        ),
      );
    });
  });
}
