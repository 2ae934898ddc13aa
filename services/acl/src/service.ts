// The mesh.acl.v1.authorize endpoint: a batch of checks for one identity → one verdict each.
import { AclActions, type AclAction } from '@octomesh/acl-rules';
import { mesh, QueueGroups, ServiceNames, Subjects } from '@octomesh/contracts';
import { protoCodec, type EndpointDefinition, type ServiceDefinition } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { authorizeCheck } from './domain/authorize.ts';
import type { RuleBook } from './domain/rule-book.ts';

type Request = mesh.acl.v1.AuthorizeRequest;
type Reply = mesh.acl.v1.IAuthorizeReply;

const actions: Record<number, AclAction> = {
  [mesh.acl.v1.Action.ACTION_PUBLISH]: AclActions.publish,
  [mesh.acl.v1.Action.ACTION_SUBSCRIBE]: AclActions.subscribe,
};

function requestCodec(maxChecks: number) {
  return protoCodec<Request>(mesh.acl.v1.AuthorizeRequest, 'AuthorizeRequest', (r) => {
    if (r.identity === null || r.identity === undefined) return 'identity missing';
    if (r.checks.length === 0) return 'no checks';
    if (r.checks.length > maxChecks)
      return `${r.checks.length} checks exceed the limit of ${maxChecks}`;
    const unknown = r.checks.find((c) => actions[c.action ?? 0] === undefined);
    if (unknown !== undefined) return `unknown action ${unknown.action}`;
    return r.identity.role ? undefined : 'identity without role';
  });
}
const replyCodec = protoCodec<Reply>(mesh.acl.v1.AuthorizeReply, 'AuthorizeReply');

/** The authorize endpoint over the current rule book. */
export function authorizeEndpoint(
  book: RuleBook,
  cacheTtlMs: number,
  maxChecks: number,
  logger: Logger,
): EndpointDefinition<Request, Reply> {
  return {
    name: 'authorize',
    subject: Subjects.aclAuthorize,
    request: requestCodec(maxChecks),
    reply: replyCodec,
    handle(request) {
      const id = request.identity!;
      const identity = {
        username: id.username ?? '',
        clientId: id.clientId ?? '',
        endpointId: id.endpointId ?? '',
        role: id.role ?? '',
      };
      const rules = book.ruleSet;
      const verdicts = request.checks.map((check) => {
        const action = actions[check.action ?? 0]!;
        const verdict = authorizeCheck(rules, identity, action, check.topic ?? '');
        if (!verdict.allow) {
          logger.debug(
            {
              role: identity.role,
              username: identity.username,
              action,
              ruleId: verdict.ruleId,
              reason: verdict.reason,
            },
            'denied',
          );
        }
        return request.explain ? verdict : { allow: verdict.allow, reasonCode: verdict.reasonCode };
      });
      return Promise.resolve({ verdicts, cacheTtlMs, rulesRevision: book.revision });
    },
  };
}

/** The acl micro service definition. */
export function aclService(
  book: RuleBook,
  cacheTtlMs: number,
  maxChecks: number,
  maxInFlight: number,
  logger: Logger,
): ServiceDefinition {
  return {
    name: ServiceNames.acl,
    version: '0.1.0',
    description: 'Octomesh acl: decides MQTT PUBLISH and SUBSCRIBE',
    queue: QueueGroups.acl,
    maxInFlight,
    endpoints: [authorizeEndpoint(book, cacheTtlMs, maxChecks, logger)],
  };
}
