// The facts of a verified client certificate that auth may map to an identity.
import { createHash, type X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { PeerCertificate } from '@octomesh/mqtt-engine';
import { parseSubjectAltName } from './subject-alt-name.ts';

/**
 * The client certificate of `socket` when it verified against the listener's CA; undefined
 * for plain sockets, clients without a certificate and certificates that did not verify (a
 * listener with an optional client certificate accepts those, but never forwards them).
 */
export function verifiedPeerCertificate(socket: Duplex): PeerCertificate | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const certificate = socket.getPeerX509Certificate();
  return certificate === undefined ? undefined : describeCertificate(certificate);
}

/** Subject DN (RFC 4514 order), CN, SAN DNS/URI/email and the SHA-256 of the DER. */
export function describeCertificate(certificate: X509Certificate): PeerCertificate {
  const names = parseSubjectAltName(certificate.subjectAltName);
  return {
    subject: distinguishedName(certificate.subject),
    commonName: commonName(certificate),
    sanDns: names.dns,
    sanUri: names.uri,
    sanEmail: names.email,
    fingerprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
  };
}

/**
 * Node prints the subject one RDN per line, most general first and already escaped as RFC
 * 2253 asks; RFC 4514 writes the most specific first, comma-separated.
 */
function distinguishedName(multiline: string): string {
  return multiline
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(',');
}

function commonName(certificate: X509Certificate): string {
  // The legacy object holds unescaped values; a subject with several CNs gives an array.
  const cn: unknown = certificate.toLegacyObject().subject?.CN;
  if (Array.isArray(cn)) return String(cn.at(-1) ?? '');
  return typeof cn === 'string' ? cn : '';
}
