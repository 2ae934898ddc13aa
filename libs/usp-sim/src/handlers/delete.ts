// Delete (TR-369 "The Delete Message"): removes the instances an instance path or Search Path
// selects. A valid path that selects nothing succeeds with no affected paths [R-DEL.2a]; a table
// whose instances may not be deleted fails (7024); allow_partial=false turns any failure into a
// USP Error with the model untouched [R-DEL.1].
import type { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import type { ModelTransaction } from '../model/model-transaction.ts';
import { UspError, UspErrorCodes } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import { tableOf } from './apply-params.ts';
import type { HandlerContext, RequestOutcome } from './handler-context.ts';

/** Answers a Delete request. */
export function handleDelete(del: usp.IDelete, ctx: HandlerContext): RequestOutcome {
  const tx = ctx.model.transaction();
  const results: usp.DeleteResp.IDeletedObjectResult[] = [];
  for (const requestedPath of del.objPaths ?? []) {
    try {
      const affectedPaths = deleteObjects(requestedPath, ctx.model, tx);
      results.push({
        requestedPath,
        operStatus: { operSuccess: { affectedPaths, unaffectedPathErrs: [] } },
      });
    } catch (error) {
      if (!(error instanceof UspError)) throw error;
      if (del.allowPartial !== true) {
        tx.rollback();
        return {
          error: {
            errCode: error.uspCode,
            errMsg: error.message,
            paramErrs: [
              { paramPath: requestedPath, errCode: error.uspCode, errMsg: error.message },
            ],
          },
        };
      }
      results.push({
        requestedPath,
        operStatus: { operFailure: { errCode: error.uspCode, errMsg: error.message } },
      });
    }
  }
  return { response: { deleteResp: { deletedObjResults: results } } };
}

function deleteObjects(requestedPath: string, model: DeviceModel, tx: ModelTransaction): string[] {
  const path = parseUspPath(requestedPath);
  if (path.leaf.kind !== 'object')
    throw new UspError(UspErrorCodes.invalidPath, `obj_path ${requestedPath} must end with '.'`);
  const resolved = model.resolve(path);
  if (resolved.atTable)
    throw new UspError(
      UspErrorCodes.invalidPath,
      `${requestedPath} is a table: name the instances to delete`,
    );
  if (!resolved.schema.multiInstance)
    throw new UspError(
      UspErrorCodes.objectNotATable,
      `${requestedPath} is not an instance of a table`,
    );
  if (!resolved.schema.addDelete)
    throw new UspError(
      UspErrorCodes.deleteFailure,
      `instances of ${requestedPath} cannot be deleted`,
    );
  return resolved.objects.map((node) => {
    const owner = tableOf(model, node)!;
    tx.deleteInstance(owner.table, owner.number);
    return node.path;
  });
}
