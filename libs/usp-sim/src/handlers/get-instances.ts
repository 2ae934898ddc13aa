// GetInstances (TR-369 "The GetInstances Message"): the instances of the tables a path names,
// with their unique keys, and (unless first_level_only) the instances of the tables below them.
// A single-instance object lists the tables under it the same way, which is what a controller
// asking for `Device.` wants. A missing exact instance is 7016.
import type { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import { instancesOf, type ObjectNode } from '../model/nodes.ts';
import { uniqueKeyParams } from '../model/schema.ts';
import { UspError, UspErrorCodes } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import type { HandlerContext } from './handler-context.ts';

/** Answers a GetInstances request. */
export function handleGetInstances(request: usp.IGetInstances, ctx: HandlerContext): usp.IResponse {
  const firstLevelOnly = request.firstLevelOnly === true;
  return {
    getInstancesResp: {
      reqPathResults: (request.objPaths ?? []).map((text) =>
        instancesFor(text, firstLevelOnly, ctx.model),
      ),
    },
  };
}

function instancesFor(
  text: string,
  firstLevelOnly: boolean,
  model: DeviceModel,
): usp.GetInstancesResp.IRequestedPathResult {
  try {
    const path = parseUspPath(text);
    if (path.leaf.kind !== 'object')
      throw new UspError(UspErrorCodes.invalidPath, `${text} must name an object (end with '.')`);
    const resolved = model.resolve(path);
    const currInsts: usp.GetInstancesResp.ICurrInstance[] = [];
    if (resolved.atTable) {
      for (const node of resolved.tables.flatMap(instancesOf))
        list(node, firstLevelOnly, model, currInsts);
    } else {
      if (resolved.objects.length === 0 && !path.isSearch)
        throw new UspError(UspErrorCodes.objectDoesNotExist, `${text} does not exist`);
      for (const node of resolved.objects) {
        if (node.schema.multiInstance) list(node, firstLevelOnly, model, currInsts);
        else listTablesBelow(node, firstLevelOnly, model, currInsts);
      }
    }
    return { requestedPath: text, errCode: 0, errMsg: '', currInsts };
  } catch (error) {
    if (!(error instanceof UspError)) throw error;
    return { requestedPath: text, errCode: error.uspCode, errMsg: error.message };
  }
}

function list(
  instance: ObjectNode,
  firstLevelOnly: boolean,
  model: DeviceModel,
  out: usp.GetInstancesResp.ICurrInstance[],
): void {
  out.push({
    instantiatedObjPath: instance.path,
    uniqueKeys: Object.fromEntries(
      uniqueKeyParams(instance.schema).map((p) => [p, model.read(instance, p)]),
    ),
  });
  if (!firstLevelOnly) listTablesBelow(instance, false, model, out);
}

function listTablesBelow(
  node: ObjectNode,
  firstLevelOnly: boolean,
  model: DeviceModel,
  out: usp.GetInstancesResp.ICurrInstance[],
): void {
  for (const child of node.children.values()) {
    if (child.kind === 'table') {
      for (const instance of instancesOf(child)) list(instance, firstLevelOnly, model, out);
    } else if (!firstLevelOnly) {
      listTablesBelow(child, false, model, out);
    }
  }
}
