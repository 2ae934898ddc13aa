// Thin typed clients for the mesh endpoints, used by the end-to-end tests.
import { mesh, Subjects } from '@octomesh/contracts';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';

const {
  authenticateRequest: authRequest,
  authenticateReply: authReply,
  authorizeRequest: aclRequest,
  authorizeReply: aclReply,
} = MeshCodecs;

/** Asks the auth service, as a broker would. */
export function authenticate(
  nc: NatsConnection,
  request: mesh.auth.v1.IAuthenticateRequest,
): Promise<mesh.auth.v1.AuthenticateReply> {
  return call(
    nc,
    Subjects.authAuthenticate,
    { sourceAddress: '198.51.100.7', mqttVersion: 5, ...request },
    {
      timeoutMs: 5000,
      request: authRequest,
      reply: authReply,
    },
  );
}

/** Password attempt shorthand. */
export function login(
  nc: NatsConnection,
  username: string,
  password: string,
  extra: mesh.auth.v1.IAuthenticateRequest = {},
) {
  return authenticate(nc, {
    clientId: `c-${username}`,
    username,
    hasUsername: true,
    password: Buffer.from(password),
    hasPassword: true,
    ...extra,
  });
}

/** An identity for ACL checks. */
export interface TestIdentity {
  role: string;
  username?: string;
  endpointId?: string;
  clientId?: string;
}

/** Asks the acl service about one or more checks. */
export function authorize(
  nc: NatsConnection,
  identity: TestIdentity,
  checks: { action: 'publish' | 'subscribe'; topic: string }[],
  explain = true,
): Promise<mesh.acl.v1.AuthorizeReply> {
  return call(
    nc,
    Subjects.aclAuthorize,
    {
      identity: { username: '', endpointId: '', clientId: '', ...identity },
      checks: checks.map((c) => ({
        action:
          c.action === 'publish'
            ? mesh.acl.v1.Action.ACTION_PUBLISH
            : mesh.acl.v1.Action.ACTION_SUBSCRIBE,
        topic: c.topic,
      })),
      explain,
    },
    { timeoutMs: 5000, request: aclRequest, reply: aclReply },
  );
}

/** One check, answered as allow/deny. */
export async function allowed(
  nc: NatsConnection,
  identity: TestIdentity,
  action: 'publish' | 'subscribe',
  topic: string,
): Promise<boolean> {
  const reply = await authorize(nc, identity, [{ action, topic }]);
  return reply.verdicts[0]?.allow === true;
}
