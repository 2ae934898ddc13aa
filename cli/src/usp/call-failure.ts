// A failed call to the usp-router as one line for a person: "endpoint os::X is offline" rather
// than the NATS service error it came as.
import { RemoteServiceError, ServiceUnavailableError, UnavailableKinds } from '@octomesh/contracts';

/** What the failed call was about, to name it in the message. */
export interface CallContext {
  /** The endpoint a `usp.v1.send` was for. */
  readonly endpointId?: string;
  /** The answer deadline asked of the router. */
  readonly timeoutMs?: number;
  /** How long the CLI waited for the router itself. */
  readonly callTimeoutMs: number;
}

/** The one-line message for a call failure, or undefined when `error` is not one. */
export function describeCallFailure(error: unknown, context: CallContext): string | undefined {
  const endpoint = context.endpointId ?? 'the endpoint';
  if (error instanceof RemoteServiceError) {
    const detail = remoteDescription(error);
    switch (error.remoteCode) {
      case 404:
        return `unknown endpoint ${endpoint}`;
      case 409:
        // 409 is "endpoint offline"; any other 409 detail is the router's own words.
        return /offline/.test(detail) || detail === ''
          ? `endpoint ${endpoint} is offline`
          : `refused: ${detail}`;
      case 504:
        // The router may have capped the deadline: its own words carry the real figure.
        return /^no answer/.test(detail)
          ? detail
          : `no answer from ${endpoint} within ${context.timeoutMs ?? '?'} ms`;
      case 400:
        return `bad request: ${detail}`;
      case 503:
        return `usp-router is busy: ${detail}`;
      default:
        return `usp-router error ${error.remoteCode}: ${detail}`;
    }
  }
  if (error instanceof ServiceUnavailableError) {
    switch (error.kind) {
      case UnavailableKinds.noResponders:
        return `no usp-router is running (nobody serves ${error.subject})`;
      case UnavailableKinds.timeout:
        return `usp-router did not answer within ${context.callTimeoutMs} ms`;
      default:
        return `lost the NATS connection while waiting for the usp-router`;
    }
  }
  return undefined;
}

// RemoteServiceError's message is `service on <subject> failed (<code>): <description>`.
function remoteDescription(error: RemoteServiceError): string {
  return error.message.replace(/^service on \S+ failed \(\d+\): ?/, '');
}
