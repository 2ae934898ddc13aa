// Plain codecs for the mesh endpoints, for callers (CLI, tests, benchmarks). Services add
// their own domain validation on the requests they serve.
import { mesh } from '@octomesh/contracts';
import { protoCodec } from './codec.ts';

/** Codecs of mesh.auth.v1, mesh.acl.v1 and mesh.usp.v1 requests and replies. */
export const MeshCodecs = {
  authenticateRequest: protoCodec<mesh.auth.v1.IAuthenticateRequest>(
    mesh.auth.v1.AuthenticateRequest,
    'AuthenticateRequest',
  ),
  authenticateReply: protoCodec<mesh.auth.v1.AuthenticateReply>(
    mesh.auth.v1.AuthenticateReply,
    'AuthenticateReply',
  ),
  authorizeRequest: protoCodec<mesh.acl.v1.IAuthorizeRequest>(
    mesh.acl.v1.AuthorizeRequest,
    'AuthorizeRequest',
  ),
  authorizeReply: protoCodec<mesh.acl.v1.AuthorizeReply>(
    mesh.acl.v1.AuthorizeReply,
    'AuthorizeReply',
  ),
  uspSendRequest: protoCodec<mesh.usp.v1.ISendRequest>(mesh.usp.v1.SendRequest, 'SendRequest'),
  uspSendReply: protoCodec<mesh.usp.v1.SendReply>(mesh.usp.v1.SendReply, 'SendReply'),
  uspListEndpointsRequest: protoCodec<mesh.usp.v1.IListEndpointsRequest>(
    mesh.usp.v1.ListEndpointsRequest,
    'ListEndpointsRequest',
  ),
  uspListEndpointsReply: protoCodec<mesh.usp.v1.ListEndpointsReply>(
    mesh.usp.v1.ListEndpointsReply,
    'ListEndpointsReply',
  ),
} as const;
