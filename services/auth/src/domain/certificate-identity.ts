// Turns a verified client certificate into the name an identity is built from, by the mapping
// the operator configured: the subject CN or the first SAN of a kind.

/** Where the identity of a certificate comes from. */
export const CertificateMappings = {
  off: 'off',
  commonName: 'cn',
  sanDns: 'san-dns',
  sanUri: 'san-uri',
  sanEmail: 'san-email',
} as const;
/** One of {@link CertificateMappings}. */
export type CertificateMapping = (typeof CertificateMappings)[keyof typeof CertificateMappings];

/** The certificate fields the broker forwards after verifying the chain. */
export interface CertificateFacts {
  commonName: string;
  sanDns: readonly string[];
  sanUri: readonly string[];
  sanEmail: readonly string[];
  fingerprintSha256: string;
}

/** The mapped name, or undefined when the certificate has no such field or mapping is off. */
export function certificateName(
  facts: CertificateFacts,
  mapping: CertificateMapping,
): string | undefined {
  const candidates: Record<CertificateMapping, readonly string[]> = {
    off: [],
    cn: facts.commonName === '' ? [] : [facts.commonName],
    'san-dns': facts.sanDns,
    'san-uri': facts.sanUri,
    'san-email': facts.sanEmail,
  };
  const name = candidates[mapping][0];
  return name === undefined || name.length === 0 || name.length > 1024 ? undefined : name;
}
