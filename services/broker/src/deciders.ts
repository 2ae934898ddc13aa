// The engine's deciders over NATS: auth and acl services, each call with the engine's deadline.
// In --allow-anonymous development mode, clients without any credentials get role anonymous
// and no endpoint id (ACL rules for that role, including deny rules, still apply).
import { mesh, ReasonCodes, Subjects } from '@octomesh/contracts';
import type {
  ConnectAttempt,
  ConnectVerdict,
  Deciders,
  EngineIdentity,
  TopicCheck,
} from '@octomesh/mqtt-engine';
import { call, MeshCodecs, type NatsConnection } from '@octomesh/nats-kit';
import { anonymousIdentity, isAnonymousAttempt } from './anonymous-identity.ts';

/** Options of the NATS deciders. */
export interface NatsDecidersOptions {
  timeoutMs: number;
  allowAnonymous: boolean;
}

/** Deciders that ask the auth and acl services. */
export function natsDeciders(nc: NatsConnection, options: NatsDecidersOptions): Deciders {
  return {
    async authenticate(attempt: ConnectAttempt): Promise<ConnectVerdict> {
      if (options.allowAnonymous && isAnonymousAttempt(attempt)) {
        return { allow: true, identity: anonymousIdentity(attempt) };
      }
      const cert = attempt.meta.certificate;
      const reply = await call(
        nc,
        Subjects.authAuthenticate,
        {
          clientId: attempt.clientId,
          username: attempt.username ?? '',
          hasUsername: attempt.username !== undefined,
          password: attempt.password ?? Buffer.alloc(0),
          hasPassword: attempt.password !== undefined,
          sourceAddress: attempt.meta.sourceAddress,
          mqttVersion: attempt.protocolVersion,
          endpointIdHint: attempt.endpointIdHint,
          listener: attempt.meta.listener,
          ...(cert !== undefined ? { certificate: { ...cert } } : {}),
        },
        {
          timeoutMs: options.timeoutMs,
          request: MeshCodecs.authenticateRequest,
          reply: MeshCodecs.authenticateReply,
        },
      );
      if (!reply.allow || reply.identity === null || reply.identity === undefined) {
        return {
          allow: false,
          reasonCode: reply.reasonCode || ReasonCodes.notAuthorized,
          reason: reply.reason,
        };
      }
      const id = reply.identity;
      return {
        allow: true,
        identity: {
          subject: id.subject ?? '',
          username: id.username ?? '',
          role: id.role ?? '',
          endpointId: id.endpointId ?? '',
          clientId: attempt.clientId,
        },
      };
    },
    async authorize(identity: EngineIdentity, checks: TopicCheck[]) {
      const reply = await call(
        nc,
        Subjects.aclAuthorize,
        {
          identity,
          checks: checks.map((c) => ({
            action:
              c.action === 'publish'
                ? mesh.acl.v1.Action.ACTION_PUBLISH
                : mesh.acl.v1.Action.ACTION_SUBSCRIBE,
            topic: c.topic,
          })),
        },
        {
          timeoutMs: options.timeoutMs,
          request: MeshCodecs.authorizeRequest,
          reply: MeshCodecs.authorizeReply,
        },
      );
      return {
        cacheTtlMs: reply.cacheTtlMs,
        verdicts: reply.verdicts.map((v) => ({
          allow: v.allow === true,
          reasonCode: v.allow === true ? 0 : v.reasonCode || ReasonCodes.notAuthorized,
        })),
      };
    },
  };
}
