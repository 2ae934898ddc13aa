// Plain codecs for the mesh endpoints, for callers (CLI, tests, benchmarks). Services add
// their own domain validation on the requests they serve.
import { mesh } from '@octomesh/contracts';
import { protoCodec } from './codec.ts';

/** Codecs of mesh.auth.v1 and mesh.acl.v1 requests and replies. */
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
} as const;
