// Add (TR-369 "The Add Message"): creates an instance of a table that allows it (7018 not a
// table, 7019 not creatable), writes its param_settings (unique keys always count as required),
// and gives unique keys the controller left out a value [R-ADD.5]. A failed required parameter
// undoes the creation; allow_partial=false turns any failure into a USP Error with the model
// untouched [R-ADD.1].
import type { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import type { ModelTransaction } from '../model/model-transaction.ts';
import type { ObjectNode, TableNode } from '../model/nodes.ts';
import { uniqueKeyParams } from '../model/schema.ts';
import { UspError, UspErrorCodes, type UspErrorCode } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import { applyParamSettings, type ParamFailure } from './apply-params.ts';
import type { HandlerContext, RequestOutcome } from './handler-context.ts';

interface CreateFailure {
  readonly errCode: UspErrorCode;
  readonly errMsg: string;
  readonly failures: readonly ParamFailure[];
}

/** Answers an Add request. */
export function handleAdd(add: usp.IAdd, ctx: HandlerContext): RequestOutcome {
  const tx = ctx.model.transaction();
  const results: usp.AddResp.ICreatedObjectResult[] = [];
  for (const create of add.createObjs ?? []) {
    const requestedPath = create.objPath ?? '';
    const outcome = createObjects(requestedPath, create.paramSettings ?? [], ctx.model, tx);
    if ('failure' in outcome) {
      const failure = outcome.failure;
      if (add.allowPartial !== true) {
        tx.rollback();
        return {
          error: {
            errCode: failure.errCode,
            errMsg: failure.errMsg,
            paramErrs:
              failure.failures.length === 0
                ? [{ paramPath: requestedPath, errCode: failure.errCode, errMsg: failure.errMsg }]
                : failure.failures.map((f) => ({
                    paramPath: `${requestedPath}${f.param}`,
                    errCode: f.errCode,
                    errMsg: f.errMsg,
                  })),
          },
        };
      }
      results.push({
        requestedPath,
        operStatus: { operFailure: { errCode: failure.errCode, errMsg: failure.errMsg } },
      });
      continue;
    }
    for (const success of outcome.created)
      results.push({ requestedPath, operStatus: { operSuccess: success } });
  }
  return { response: { addResp: { createdObjResults: results } } };
}

function createObjects(
  requestedPath: string,
  settings: readonly usp.Add.ICreateParamSetting[],
  model: DeviceModel,
  tx: ModelTransaction,
):
  | { created: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess[] }
  | { failure: CreateFailure } {
  const mark = tx.mark();
  try {
    const path = parseUspPath(requestedPath);
    if (path.leaf.kind !== 'object')
      throw new UspError(UspErrorCodes.invalidPath, `obj_path ${requestedPath} must end with '.'`);
    const resolved = model.resolve(path);
    if (!resolved.atTable)
      throw new UspError(
        UspErrorCodes.objectNotATable,
        `${requestedPath} is not a table (Add names the table, e.g. Device.NAT.PortMapping.)`,
      );
    if (!resolved.schema.addDelete)
      throw new UspError(
        UspErrorCodes.objectNotCreatable,
        `instances of ${requestedPath} cannot be added`,
      );
    if (resolved.tables.length === 0)
      throw new UspError(
        UspErrorCodes.objectDoesNotExist,
        `the parent of ${requestedPath} does not exist`,
      );
    const created: usp.AddResp.CreatedObjectResult.OperationStatus.IOperationSuccess[] = [];
    for (const table of resolved.tables) {
      const node = tx.addInstance(table);
      const applied = applyParamSettings(node, settings, model, tx, true);
      if (applied.requiredFailure !== undefined) {
        tx.rollbackTo(mark);
        const cause = applied.requiredFailure;
        return {
          failure: {
            errCode: UspErrorCodes.requiredParameterFailed,
            errMsg: `required parameter ${cause.param} failed: ${cause.errMsg}`,
            failures: applied.failures,
          },
        };
      }
      assignMissingKeys(table, node, settings, model, tx);
      created.push({
        instantiatedPath: node.path,
        paramErrs: applied.failures.map((f) => ({
          param: f.param,
          errCode: f.errCode,
          errMsg: f.errMsg,
        })),
        uniqueKeys: Object.fromEntries(
          uniqueKeyParams(node.schema).map((p) => [p, model.read(node, p)]),
        ),
      });
    }
    return { created };
  } catch (error) {
    if (!(error instanceof UspError)) throw error;
    tx.rollbackTo(mark);
    return { failure: { errCode: error.uspCode, errMsg: error.message, failures: [] } };
  }
}

// Unique keys the controller did not set get `cpe-<instance>` (TR-181's Alias convention),
// suffixed until no other instance has it.
function assignMissingKeys(
  table: TableNode,
  node: ObjectNode,
  settings: readonly usp.Add.ICreateParamSetting[],
  model: DeviceModel,
  tx: ModelTransaction,
): void {
  const given = new Set(settings.map((s) => s.param));
  const number = node.path.slice(table.path.length, -1);
  for (const param of uniqueKeyParams(node.schema)) {
    if (given.has(param) || node.schema.params[param]?.type !== 'string') continue;
    let value = `cpe-${number}`;
    for (let n = 2; model.violatesUniqueKey(table, node, param, value); n++)
      value = `cpe-${number}-${n}`;
    tx.setValue(node, param, value);
  }
}
