// The mesh endpoints as a broker calls them, and the echo subjects that stand in for them in
// the baseline: same codecs, same call path, same deadline.
import { mesh, Subjects } from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';

/** Request/reply codecs of mesh.auth.v1.authenticate. */
export const authCodecs = {
  request: MeshCodecs.authenticateRequest,
  reply: MeshCodecs.authenticateReply,
} as const;

/** Request/reply codecs of mesh.acl.v1.authorize. */
export const aclCodecs = {
  request: MeshCodecs.authorizeRequest,
  reply: MeshCodecs.authorizeReply,
} as const;

/** What the echo service imitates. */
export const EchoKinds = { auth: 'auth', acl: 'acl' } as const;
/** One of {@link EchoKinds}. */
export type EchoKind = (typeof EchoKinds)[keyof typeof EchoKinds];

/** Subjects of the baseline echo endpoints (benchmarks only; not part of the mesh). */
export const EchoSubjects: Record<EchoKind, string> = {
  auth: 'bench.echo.v1.authenticate',
  acl: 'bench.echo.v1.authorize',
};

/** Where a benchmark sends its requests: the real service or the echo baseline. */
export interface Target {
  readonly name: string;
  readonly subject: string;
}

/** Generous per-call deadline: a bench call that misses it counts as a failure. */
export const CALL_TIMEOUT_MS = 30_000;

/** Sends one authenticate request to `subject`. */
export function authenticateAt(
  nc: NatsConnection,
  subject: string,
  request: mesh.auth.v1.IAuthenticateRequest,
): Promise<mesh.auth.v1.AuthenticateReply> {
  return call(nc, subject, request, { timeoutMs: CALL_TIMEOUT_MS, ...authCodecs });
}

/** Sends one authorize request to `subject`. */
export function authorizeAt(
  nc: NatsConnection,
  subject: string,
  request: mesh.acl.v1.IAuthorizeRequest,
): Promise<mesh.acl.v1.AuthorizeReply> {
  return call(nc, subject, request, { timeoutMs: CALL_TIMEOUT_MS, ...aclCodecs });
}

/** The real endpoint subjects, re-exported so benches name them in one place. */
export const ServiceSubjects = {
  auth: Subjects.authAuthenticate,
  acl: Subjects.aclAuthorize,
} as const;
