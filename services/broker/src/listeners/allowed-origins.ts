// Which browser pages may open the MQTT WebSocket. Browsers send the page's Origin with every
// WebSocket upgrade and do not apply CORS to it, so without this check any web page a user
// visits could connect to the broker from that user's network (cross-site WebSocket hijacking).
// Clients that are not browsers (MQTT.js in Node, devices) send no Origin and are not affected.
import type { IncomingMessage } from 'node:http';

/** The allow-list entry that admits every origin. */
export const ANY_ORIGIN = '*';

/** Why `text` is not an origin we accept (`https://console.example.com`); undefined when it is. */
export function originProblem(text: string): string | undefined {
  if (text === ANY_ORIGIN) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not an origin like https://console.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'must start with https:// or http:// (the page the browser shows)';
  }
  // Browsers send the serialized origin: lower-case host, no default port, no path.
  if (url.origin !== text) return `must be exactly an origin (${url.origin}?)`;
  return undefined;
}

/** Every problem of an allow-list, each naming its entry. */
export function originListProblems(origins: readonly string[]): string[] {
  const problems = origins.flatMap((origin) => {
    const problem = typeof origin === 'string' ? originProblem(origin) : 'is not a string';
    return problem === undefined ? [] : [`${JSON.stringify(origin)}: ${problem}`];
  });
  if (origins.includes(ANY_ORIGIN) && origins.length > 1) {
    problems.push(`${ANY_ORIGIN} allows every origin: list no other with it`);
  }
  return problems;
}

/** Splits a comma-separated allow-list (blanks ignored); throws with every bad entry named. */
export function parseOriginList(raw: string): string[] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  if (origins.length === 0) throw new Error('no origin given');
  const problems = originListProblems(origins);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return origins;
}

/**
 * The Origin of an upgrade request that the allow-list refuses, or undefined when it may
 * proceed: no Origin header (not a browser), `*` in the list, or an exact match. Several
 * Origin headers arrive joined with commas and match nothing.
 */
export function refusedOrigin(
  request: IncomingMessage,
  allowed: readonly string[],
): string | undefined {
  // Sec-WebSocket-Origin is where protocol version 8 (an RFC 6455 draft) put it.
  const header = request.headers.origin ?? request.headers['sec-websocket-origin'];
  const origin = Array.isArray(header) ? header.join(', ') : header;
  if (origin === undefined) return undefined;
  if (allowed.includes(ANY_ORIGIN) || allowed.includes(origin)) return undefined;
  return origin;
}
