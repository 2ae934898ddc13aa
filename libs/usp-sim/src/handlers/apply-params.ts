// Writes the param_settings of one Set UpdateObject or Add CreateObject to one object: each
// parameter is checked (exists 7010, writable 7013, type 7011, value 7012, unique key 7025) and
// written, or reported; a failed `required` parameter fails the whole object (the caller rolls
// its changes back) [R-SET.2, R-ADD.3].
import type { DeviceModel } from '../model/device-model.ts';
import type { ModelTransaction } from '../model/model-transaction.ts';
import type { ObjectNode, TableNode } from '../model/nodes.ts';
import { checkParamValue } from '../model/param-value.ts';
import { uniqueKeyParams } from '../model/schema.ts';
import { UspErrorCodes, type UspErrorCode } from '../usp/usp-error-codes.ts';

/** A param_settings entry of Set or Add. */
export interface ParamSetting {
  param?: string | null;
  value?: string | null;
  required?: boolean | null;
}

/** Why one parameter was not written. */
export interface ParamFailure {
  readonly param: string;
  readonly errCode: UspErrorCode;
  readonly errMsg: string;
}

/** What writing the settings to one object did. */
export interface ApplyOutcome {
  readonly failures: readonly ParamFailure[];
  /** Parameters written, with their values after the write. */
  readonly updated: Readonly<Record<string, string>>;
  /** The first failed required parameter: the object update or creation fails. */
  readonly requiredFailure: ParamFailure | undefined;
}

/** Writes the settings in `tx`; `keysRequired` makes unique keys required (Add). */
export function applyParamSettings(
  node: ObjectNode,
  settings: readonly ParamSetting[],
  model: DeviceModel,
  tx: ModelTransaction,
  keysRequired: boolean,
): ApplyOutcome {
  const table = tableOf(model, node)?.table;
  const keys = new Set(uniqueKeyParams(node.schema));
  const failures: ParamFailure[] = [];
  const updated: Record<string, string> = {};
  let requiredFailure: ParamFailure | undefined;
  for (const setting of settings) {
    const param = setting.param ?? '';
    const problem = writeOne(node, table, param, setting.value ?? '', model, tx);
    if (problem === undefined) {
      updated[param] = model.read(node, param);
      continue;
    }
    const failure = { param, ...problem };
    failures.push(failure);
    if (setting.required === true || (keysRequired && keys.has(param))) requiredFailure ??= failure;
  }
  return { failures, updated, requiredFailure };
}

/** The table an instance belongs to, and its number; undefined for single-instance objects. */
export function tableOf(
  model: DeviceModel,
  node: ObjectNode,
): { table: TableNode; number: number } | undefined {
  if (!node.schema.multiInstance) return undefined;
  const match = /^(.*\.)(\d+)\.$/.exec(node.path);
  const table = match === null ? undefined : model.find(match[1]!);
  return table?.kind === 'table' ? { table, number: Number(match![2]) } : undefined;
}

function writeOne(
  node: ObjectNode,
  table: TableNode | undefined,
  param: string,
  value: string,
  model: DeviceModel,
  tx: ModelTransaction,
): { errCode: UspErrorCode; errMsg: string } | undefined {
  const schema = node.schema.params[param];
  if (schema === undefined)
    return {
      errCode: UspErrorCodes.unsupportedParameter,
      errMsg: `${node.path} has no parameter ${param}`,
    };
  if (!schema.writable)
    return {
      errCode: UspErrorCodes.nonWritableParameter,
      errMsg: `${node.path}${param} is read-only`,
    };
  const checked = checkParamValue(schema, value);
  if (!checked.ok)
    return { errCode: checked.code, errMsg: `${node.path}${param}: ${checked.message}` };
  if (table !== undefined && model.violatesUniqueKey(table, node, param, checked.value))
    return {
      errCode: UspErrorCodes.duplicateUniqueKey,
      errMsg: `another instance of ${table.path} has ${param} ${JSON.stringify(checked.value)}`,
    };
  tx.setValue(node, param, checked.value);
  return undefined;
}
