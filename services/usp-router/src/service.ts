// The controller API as a NATS micro service (queue usp-router): usp.v1.send and
// usp.v1.endpoints.
import { mesh, QueueGroups, ServiceNames, Subjects } from '@octomesh/contracts';
import { MeshCodecs, protoCodec, type ServiceDefinition } from '@octomesh/nats-kit';
import type { EndpointRegistry } from './registry.ts';
import type { Requests } from './requests.ts';

const sendRequest = protoCodec<mesh.usp.v1.SendRequest>(
  mesh.usp.v1.SendRequest,
  'SendRequest',
  (r) => (r.endpointId === '' ? 'endpoint_id missing' : undefined),
);
const listRequest = protoCodec<mesh.usp.v1.ListEndpointsRequest>(
  mesh.usp.v1.ListEndpointsRequest,
  'ListEndpointsRequest',
);

/** The usp-router's micro service definition. */
export function routerService(
  requests: Requests,
  registry: EndpointRegistry,
  maxInFlight: number,
): ServiceDefinition {
  return {
    name: ServiceNames.uspRouter,
    version: '0.1.0',
    description: 'Octomesh usp-router: controller API',
    queue: QueueGroups.uspRouter,
    maxInFlight,
    endpoints: [
      {
        name: 'send',
        subject: Subjects.uspSend,
        request: sendRequest,
        reply: protoCodec<mesh.usp.v1.ISendReply>(mesh.usp.v1.SendReply, 'SendReply'),
        handle: (request) => requests.send(request),
      },
      {
        name: 'endpoints',
        subject: Subjects.uspEndpoints,
        request: listRequest,
        reply: MeshCodecs.uspListEndpointsReply as never,
        handle: (request) =>
          registry.list({
            onlineOnly: request.onlineOnly,
            prefix: request.prefix,
            limit: Math.min(request.limit || 1000, 10_000),
          }),
      },
    ],
  };
}
