// Node TLS server options from a listener's TLS material (shared by mqtts and wss).
import type { TlsOptions } from 'node:tls';
import type { ListenerTls } from './listener-spec.ts';

/**
 * With a CA, client certificates are asked for; with requireClientCert they must verify
 * (rejectUnauthorized), otherwise clients without one (or with one that does not verify) are
 * let in and only `socket.authorized` certificates are ever forwarded to auth.
 */
export function tlsServerOptions(tls: ListenerTls): TlsOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    requestCert: tls.ca !== undefined,
    rejectUnauthorized: tls.ca !== undefined && tls.requireClientCert,
    minVersion: 'TLSv1.2',
  };
}
