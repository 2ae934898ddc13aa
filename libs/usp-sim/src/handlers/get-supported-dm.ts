// GetSupportedDM (TR-369 "The GetSupportedDM Message"): the Supported Data Model below an object,
// in Supported Data Model notation (`Device.NAT.PortMapping.{i}.`). Paths may use `{i}`, omit the
// final `{i}.`, or name existing instances; wildcards and search expressions are refused (7026).
// first_level_only reports the object and its immediate children without their details.
import { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import type { ObjectSchema, ParamSchema } from '../model/schema.ts';
import { DATA_MODEL_URI } from '../model/sim-data-model.ts';
import { UspError, UspErrorCodes } from '../usp/usp-error-codes.ts';
import { parseUspPath, type PathLeaf } from '../usp/usp-path.ts';
import type { HandlerContext } from './handler-context.ts';

type Flags = Pick<
  usp.IGetSupportedDM,
  'returnCommands' | 'returnEvents' | 'returnParams' | 'returnUniqueKeySets'
>;
type SupportedObject = usp.GetSupportedDMResp.ISupportedObjectResult;

const GSDM = usp.GetSupportedDMResp;

/** Answers a GetSupportedDM request. */
export function handleGetSupportedDm(
  request: usp.IGetSupportedDM,
  ctx: HandlerContext,
): usp.IResponse {
  return {
    getSupportedDmResp: {
      reqObjResults: (request.objPaths ?? []).map((text) => supportedFor(text, request, ctx.model)),
    },
  };
}

function supportedFor(
  text: string,
  request: usp.IGetSupportedDM,
  model: DeviceModel,
): usp.GetSupportedDMResp.IRequestedObjectResult {
  try {
    const { schema, supportedPath, leaf } = locate(text, model);
    let supportedObjs: SupportedObject[];
    if (leaf.kind === 'object') {
      supportedObjs =
        request.firstLevelOnly === true
          ? [
              describe(schema, supportedPath, request, true),
              ...Object.values(schema.objects).map((child) =>
                describe(child, childPath(supportedPath, child), request, false),
              ),
            ]
          : describeTree(schema, supportedPath, request);
    } else {
      supportedObjs = [describeOne(schema, supportedPath, leaf)];
    }
    return {
      reqObjPath: text,
      errCode: 0,
      errMsg: '',
      dataModelInstUri: DATA_MODEL_URI,
      supportedObjs,
    };
  } catch (error) {
    if (!(error instanceof UspError)) throw error;
    return { reqObjPath: text, errCode: error.uspCode, errMsg: error.message };
  }
}

// Walks the schema; instance numbers must exist (an Instantiated Data Model path).
function locate(
  text: string,
  model: DeviceModel,
): { schema: ObjectSchema; supportedPath: string; leaf: PathLeaf } {
  const invalid = (why: string): UspError =>
    new UspError(UspErrorCodes.invalidPath, `invalid path ${JSON.stringify(text)}: ${why}`);
  const path = parseUspPath(text, { supportedNotation: true });
  const [first, ...rest] = path.segments;
  if (first?.kind !== 'name' || first.name !== model.schema.name)
    throw invalid(`the data model root is ${model.schema.name}.`);
  let schema = model.schema;
  let supportedPath = `${schema.name}.`;
  let instancePath: string | undefined = supportedPath;
  let expectInstance = false;
  for (const segment of rest) {
    if (expectInstance && segment.kind !== 'name') {
      expectInstance = false;
      if (segment.kind === 'supported') {
        instancePath = undefined;
      } else if (segment.kind === 'instance') {
        if (instancePath === undefined) throw invalid('an instance number cannot follow {i}');
        instancePath += `${segment.instance}.`;
        if (model.find(instancePath) === undefined)
          throw new UspError(UspErrorCodes.objectDoesNotExist, `${instancePath} does not exist`);
      } else {
        throw invalid('GetSupportedDM takes no wildcards or search expressions');
      }
      continue;
    }
    if (expectInstance) throw invalid(`${supportedPath} is a table: use {i} or an instance number`);
    if (segment.kind !== 'name') throw invalid(`${supportedPath} is not a table`);
    const child = schema.objects[segment.name];
    if (child === undefined) throw invalid(`${supportedPath} has no object ${segment.name}`);
    schema = child;
    supportedPath = childPath(supportedPath, child);
    if (instancePath !== undefined) instancePath += `${segment.name}.`;
    expectInstance = child.multiInstance;
  }
  const leaf = path.leaf;
  if (leaf.kind !== 'object') {
    if (expectInstance) throw invalid(`${supportedPath} is a table: name an instance or {i} first`);
    const known =
      leaf.kind === 'parameter'
        ? schema.params[leaf.name]
        : leaf.kind === 'command'
          ? schema.commands[leaf.name]
          : schema.events[leaf.name];
    if (known === undefined) throw invalid(`${supportedPath} has no ${leaf.kind} ${leaf.name}`);
  }
  return { schema, supportedPath, leaf };
}

function childPath(parent: string, child: ObjectSchema): string {
  return `${parent}${child.name}.${child.multiInstance ? '{i}.' : ''}`;
}

function describeTree(
  schema: ObjectSchema,
  path: string,
  flags: Flags,
  out: SupportedObject[] = [],
): SupportedObject[] {
  out.push(describe(schema, path, flags, true));
  for (const child of Object.values(schema.objects))
    describeTree(child, childPath(path, child), flags, out);
  return out;
}

function describe(
  schema: ObjectSchema,
  path: string,
  flags: Flags,
  details: boolean,
): SupportedObject {
  return {
    supportedObjPath: path,
    access: objectAccess(schema),
    isMultiInstance: schema.multiInstance,
    supportedParams:
      details && flags.returnParams === true
        ? Object.entries(schema.params).map(([name, param]) => supportedParam(name, param))
        : [],
    supportedCommands:
      details && flags.returnCommands === true
        ? Object.entries(schema.commands).map(([name, command]) => ({
            commandName: name,
            inputArgNames: [...command.inputArgs],
            outputArgNames: [...command.outputArgs],
            commandType: command.type === 'async' ? GSDM.CmdType.CMD_ASYNC : GSDM.CmdType.CMD_SYNC,
          }))
        : [],
    supportedEvents:
      details && flags.returnEvents === true
        ? Object.entries(schema.events).map(([name, event]) => ({
            eventName: name,
            argNames: [...event.args],
          }))
        : [],
    uniqueKeySets:
      flags.returnUniqueKeySets === true
        ? schema.uniqueKeys.map((key) => ({ keyNames: [...key] }))
        : [],
  };
}

// A parameter, command or event path reports its object with that one element.
function describeOne(
  schema: ObjectSchema,
  path: string,
  leaf: Exclude<PathLeaf, { kind: 'object' }>,
): SupportedObject {
  const flags: Flags = {
    returnParams: leaf.kind === 'parameter',
    returnCommands: leaf.kind === 'command',
    returnEvents: leaf.kind === 'event',
  };
  const only = (record: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(record).filter(([name]) => name === leaf.name));
  const narrowed: ObjectSchema = {
    ...schema,
    params: only(schema.params) as ObjectSchema['params'],
    commands: only(schema.commands) as ObjectSchema['commands'],
    events: only(schema.events) as ObjectSchema['events'],
  };
  return describe(narrowed, path, flags, true);
}

function objectAccess(schema: ObjectSchema): usp.GetSupportedDMResp.ObjAccessType {
  return schema.multiInstance && schema.addDelete
    ? GSDM.ObjAccessType.OBJ_ADD_DELETE
    : GSDM.ObjAccessType.OBJ_READ_ONLY;
}

function supportedParam(
  name: string,
  param: ParamSchema,
): usp.GetSupportedDMResp.ISupportedParamResult {
  return {
    paramName: name,
    access: param.writable
      ? GSDM.ParamAccessType.PARAM_READ_WRITE
      : GSDM.ParamAccessType.PARAM_READ_ONLY,
    valueType: valueTypes[param.type],
    valueChange: param.valueChangeIgnored
      ? GSDM.ValueChangeType.VALUE_CHANGE_WILL_IGNORE
      : GSDM.ValueChangeType.VALUE_CHANGE_ALLOWED,
  };
}

const valueTypes: Readonly<Record<ParamSchema['type'], usp.GetSupportedDMResp.ParamValueType>> = {
  string: GSDM.ParamValueType.PARAM_STRING,
  boolean: GSDM.ParamValueType.PARAM_BOOLEAN,
  unsignedInt: GSDM.ParamValueType.PARAM_UNSIGNED_INT,
  int: GSDM.ParamValueType.PARAM_INT,
  dateTime: GSDM.ParamValueType.PARAM_DATE_TIME,
};
