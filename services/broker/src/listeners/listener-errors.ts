// Errors of the listeners; each carries a stable code (OctomeshError).
import { OctomeshError } from '@octomesh/contracts';

/** The first bytes of a connection were not a valid PROXY protocol header. */
export class ProxyHeaderError extends OctomeshError {
  constructor(reason: string) {
    super('PROXY_HEADER_INVALID', `invalid PROXY protocol header: ${reason}`);
  }
}

/** A listener could not bind its address (port in use, no permission, unknown host). */
export class ListenError extends OctomeshError {
  constructor(listener: string, host: string, port: number, cause: unknown) {
    super(
      'LISTEN_FAILED',
      `listener ${listener} cannot listen on ${host}:${port}: ${(cause as Error).message}`,
      { cause },
    );
  }
}
