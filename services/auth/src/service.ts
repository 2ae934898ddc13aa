// The mesh.auth.v1.authenticate endpoint: decode, decide, answer. Every CONNECT decision is
// logged with its reason, never with the password.
import { mesh, QueueGroups, ReasonCodes, ServiceNames, Subjects } from '@octomesh/contracts';
import { protoCodec, type EndpointDefinition, type ServiceDefinition } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import type { AuthAttempt, Authenticator } from './domain/authenticator.ts';

type Request = mesh.auth.v1.AuthenticateRequest;
type Reply = mesh.auth.v1.IAuthenticateReply;

const requestCodec = protoCodec<Request>(
  mesh.auth.v1.AuthenticateRequest,
  'AuthenticateRequest',
  (r) =>
    r.mqttVersion !== 0 && ![3, 4, 5].includes(r.mqttVersion)
      ? `unknown mqtt version ${r.mqttVersion}`
      : undefined,
);
const replyCodec = protoCodec<Reply>(mesh.auth.v1.AuthenticateReply, 'AuthenticateReply');

function toAttempt(request: Request, deadline: number | undefined): AuthAttempt {
  const cert = request.certificate;
  return {
    clientId: request.clientId,
    username: request.hasUsername ? request.username : undefined,
    password: request.hasPassword ? request.password : undefined,
    sourceAddress: request.sourceAddress,
    endpointIdHint: request.endpointIdHint,
    deadline,
    certificate:
      cert === null || cert === undefined || cert.fingerprintSha256 === ''
        ? undefined
        : {
            commonName: cert.commonName ?? '',
            sanDns: cert.sanDns ?? [],
            sanUri: cert.sanUri ?? [],
            sanEmail: cert.sanEmail ?? [],
            fingerprintSha256: cert.fingerprintSha256 ?? '',
          },
  };
}

/** The authenticate endpoint over an authenticator. */
export function authenticateEndpoint(
  authenticator: Authenticator,
  logger: Logger,
): EndpointDefinition<Request, Reply> {
  return {
    name: 'authenticate',
    subject: Subjects.authAuthenticate,
    request: requestCodec,
    reply: replyCodec,
    async handle(request, ctx) {
      const outcome = await authenticator.authenticate(toAttempt(request, ctx.deadline));
      const fields = {
        clientId: request.clientId,
        username: request.username,
        source: request.sourceAddress,
        reasonCode: outcome.reasonCode,
        reason: outcome.reason,
      };
      if (outcome.allow) {
        logger.info(
          {
            ...fields,
            role: outcome.identity.role,
            endpointId: outcome.identity.endpointId,
            via: outcome.via,
          },
          'connect allowed',
        );
        return {
          allow: true,
          reasonCode: outcome.reasonCode,
          reason: outcome.reason,
          identity: outcome.identity,
        };
      }
      logger.warn(fields, 'connect denied');
      return {
        allow: false,
        reasonCode: outcome.reasonCode,
        // One text for every 0x86 on the wire (it may become an MQTT reason string): whether a
        // username exists stays in our log.
        reason:
          outcome.reasonCode === ReasonCodes.badUserNameOrPassword
            ? 'bad user name or password'
            : outcome.reason,
        retryAfterMs: outcome.retryAfterMs ?? 0,
      };
    },
  };
}

/** The auth micro service definition. */
export function authService(
  authenticator: Authenticator,
  logger: Logger,
  maxInFlight: number,
): ServiceDefinition {
  return {
    name: ServiceNames.auth,
    version: '0.1.0',
    description: 'Octomesh auth: decides MQTT CONNECT',
    queue: QueueGroups.auth,
    maxInFlight,
    endpoints: [authenticateEndpoint(authenticator, logger)],
  };
}
