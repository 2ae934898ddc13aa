// Parses the subjectAltName text Node gives for an X.509 certificate, e.g.
// `DNS:a.example, URI:urn:dev:1, email:x@example, IP Address:192.0.2.1`. Node writes a value
// with a comma or quote in it as a JSON string (since the CVE-2021-44532 fix), so a SAN
// cannot smuggle in a second entry.

/** The SAN entries an auth decision may use. */
export interface SubjectAltNames {
  dns: string[];
  uri: string[];
  email: string[];
}

const ENTRY = /\s*([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/y;

/** Splits Node's subjectAltName string into DNS, URI and email names (others are ignored). */
export function parseSubjectAltName(text: string | undefined): SubjectAltNames {
  const names: SubjectAltNames = { dns: [], uri: [], email: [] };
  if (text === undefined) return names;
  ENTRY.lastIndex = 0;
  while (ENTRY.lastIndex < text.length) {
    const match = ENTRY.exec(text);
    if (match === null) break;
    const value = decodeValue(match[2]!);
    if (value === undefined) continue;
    switch (match[1]) {
      case 'DNS':
        names.dns.push(value);
        break;
      case 'URI':
        names.uri.push(value);
        break;
      case 'email':
        names.email.push(value);
        break;
    }
  }
  return names;
}

function decodeValue(raw: string): string | undefined {
  if (!raw.startsWith('"')) return raw;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
