// Set (TR-369 "The Set Message"). Each UpdateObject is handled on its own; a failed required
// parameter fails its object, and an obj_path that matched several objects fails as a whole,
// with every change it made undone [R-SET.2a]. allow_partial=false turns any failed object into
// a USP Error and leaves the model untouched [R-SET.1]; non-required parameter failures are
// reported in param_errs either way.
import type { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import type { ModelTransaction } from '../model/model-transaction.ts';
import { UspError, UspErrorCodes, type UspErrorCode } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import { applyParamSettings, type ParamFailure } from './apply-params.ts';
import type { HandlerContext, RequestOutcome } from './handler-context.ts';

interface ObjectFailure {
  readonly errCode: UspErrorCode;
  readonly errMsg: string;
  readonly instances: readonly { affectedPath: string; failures: readonly ParamFailure[] }[];
}

/** Answers a Set request. */
export function handleSet(set: usp.ISet, ctx: HandlerContext): RequestOutcome {
  const tx = ctx.model.transaction();
  const results: usp.SetResp.IUpdatedObjectResult[] = [];
  for (const update of set.updateObjs ?? []) {
    const requestedPath = update.objPath ?? '';
    const outcome = updateObject(requestedPath, update.paramSettings ?? [], ctx.model, tx);
    if ('failure' in outcome) {
      const failure = outcome.failure;
      if (set.allowPartial !== true) {
        tx.rollback();
        return { error: errorFor(requestedPath, failure) };
      }
      results.push({
        requestedPath,
        operStatus: {
          operFailure: {
            errCode: failure.errCode,
            errMsg: failure.errMsg,
            updatedInstFailures: failure.instances.map((i) => ({
              affectedPath: i.affectedPath,
              paramErrs: i.failures.map(toParameterError),
            })),
          },
        },
      });
      continue;
    }
    results.push({
      requestedPath,
      operStatus: { operSuccess: { updatedInstResults: outcome.results } },
    });
  }
  return { response: { setResp: { updatedObjResults: results } } };
}

function updateObject(
  requestedPath: string,
  settings: readonly usp.Set.IUpdateParamSetting[],
  model: DeviceModel,
  tx: ModelTransaction,
): { results: usp.SetResp.IUpdatedInstanceResult[] } | { failure: ObjectFailure } {
  const mark = tx.mark();
  try {
    const path = parseUspPath(requestedPath);
    if (path.leaf.kind !== 'object')
      throw new UspError(UspErrorCodes.invalidPath, `obj_path ${requestedPath} must end with '.'`);
    const resolved = model.resolve(path);
    if (resolved.atTable)
      throw new UspError(
        UspErrorCodes.invalidPath,
        `${requestedPath} is a table: name its instances`,
      );
    if (resolved.objects.length === 0 && !path.isSearch)
      throw new UspError(UspErrorCodes.objectDoesNotExist, `${requestedPath} does not exist`);
    const results: usp.SetResp.IUpdatedInstanceResult[] = [];
    const failed: ObjectFailure['instances'][number][] = [];
    let cause: ParamFailure | undefined;
    for (const node of resolved.objects) {
      const objectMark = tx.mark();
      const applied = applyParamSettings(node, settings, model, tx, false);
      if (applied.requiredFailure !== undefined) {
        tx.rollbackTo(objectMark);
        cause ??= applied.requiredFailure;
        failed.push({ affectedPath: node.path, failures: applied.failures });
        continue;
      }
      results.push({
        affectedPath: node.path,
        paramErrs: applied.failures.map(toParameterError),
        updatedParams: { ...applied.updated },
      });
    }
    if (cause !== undefined) {
      tx.rollbackTo(mark);
      return {
        failure: {
          errCode: UspErrorCodes.requiredParameterFailed,
          errMsg: `required parameter ${cause.param} failed: ${cause.errMsg}`,
          instances: failed,
        },
      };
    }
    return { results };
  } catch (error) {
    if (!(error instanceof UspError)) throw error;
    tx.rollbackTo(mark);
    return { failure: { errCode: error.uspCode, errMsg: error.message, instances: [] } };
  }
}

function errorFor(requestedPath: string, failure: ObjectFailure) {
  const paramErrs =
    failure.instances.length === 0
      ? [{ paramPath: requestedPath, errCode: failure.errCode, errMsg: failure.errMsg }]
      : failure.instances.flatMap((i) =>
          i.failures.map((f) => ({
            paramPath: `${i.affectedPath}${f.param}`,
            errCode: f.errCode,
            errMsg: f.errMsg,
          })),
        );
  return { errCode: failure.errCode, errMsg: failure.errMsg, paramErrs };
}

function toParameterError(failure: ParamFailure): usp.SetResp.IParameterError {
  return { param: failure.param, errCode: failure.errCode, errMsg: failure.errMsg };
}
