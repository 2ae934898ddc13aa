// Development mode (ALLOW_ANONYMOUS): who a client without any credentials is. Anonymous clients
// are never USP endpoints: an endpoint id is what the usp-router checks a Record's `from_id`
// against and what `%e` ACL templates and client-id templates substitute, so one taken from the
// CONNECT (the usp-endpoint-id user property) would let anyone speak for any device.
import { ANONYMOUS_ROLE } from '@octomesh/contracts';
import type { ConnectAttempt, EngineIdentity } from '@octomesh/mqtt-engine';

/** True when the CONNECT carries no username, no password and no verified client certificate. */
export function isAnonymousAttempt(attempt: ConnectAttempt): boolean {
  return (
    attempt.username === undefined &&
    attempt.password === undefined &&
    attempt.meta.certificate === undefined
  );
}

/** The identity of an anonymous client: role anonymous and no endpoint id, whatever it claimed. */
export function anonymousIdentity(attempt: ConnectAttempt): EngineIdentity {
  return {
    subject: 'anonymous',
    username: '',
    role: ANONYMOUS_ROLE,
    endpointId: '',
    clientId: attempt.clientId,
  };
}
