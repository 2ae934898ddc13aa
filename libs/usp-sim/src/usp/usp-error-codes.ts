// USP error codes (TR-369 section "Error Codes") the simulated agent answers with, and the error
// the data model throws so a handler can turn it into a USP Error or a per-path failure.
import { OctomeshError } from '@octomesh/contracts';

/** TR-369 error codes by name. */
export const UspErrorCodes = {
  messageFailed: 7000,
  messageNotSupported: 7001,
  requestDenied: 7002,
  internalError: 7003,
  invalidArguments: 7004,
  resourcesExceeded: 7005,
  permissionDenied: 7006,
  invalidConfiguration: 7007,
  invalidPathSyntax: 7008,
  parameterActionFailed: 7009,
  unsupportedParameter: 7010,
  invalidType: 7011,
  invalidValue: 7012,
  nonWritableParameter: 7013,
  valueConflict: 7014,
  operationError: 7015,
  objectDoesNotExist: 7016,
  objectNotCreated: 7017,
  objectNotATable: 7018,
  objectNotCreatable: 7019,
  objectNotUpdated: 7020,
  requiredParameterFailed: 7021,
  commandFailure: 7022,
  commandCanceled: 7023,
  deleteFailure: 7024,
  duplicateUniqueKey: 7025,
  invalidPath: 7026,
  invalidCommandArguments: 7027,
} as const;
/** One of {@link UspErrorCodes}. */
export type UspErrorCode = (typeof UspErrorCodes)[keyof typeof UspErrorCodes];

/** A USP-level failure with the TR-369 code an agent answers with. */
export class UspError extends OctomeshError {
  readonly uspCode: UspErrorCode;

  constructor(uspCode: UspErrorCode, message: string) {
    super(`USP_${uspCode}`, message);
    this.uspCode = uspCode;
  }
}
