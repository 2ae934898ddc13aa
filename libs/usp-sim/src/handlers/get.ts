// Get (TR-369 "The Get Message"): one RequestedPathResult per requested path; a Partial Path
// returns one ResolvedPathResult per object and sub-object (USP 1.2+), limited by max_depth; a
// parameter path returns the parent object with just that parameter [R-GET.2, R-GET.3]. A path
// that is not a Search Path and matches nothing instantiated is 7026 [R-GET.0]; a Search Path
// that matches nothing is an empty, successful result [R-GET.1a].
import type { usp } from '@octomesh/contracts';
import type { DeviceModel } from '../model/device-model.ts';
import { instancesOf, type ObjectNode } from '../model/nodes.ts';
import { UspError, UspErrorCodes } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import type { HandlerContext } from './handler-context.ts';

/** Answers a Get request. */
export function handleGet(get: usp.IGet, ctx: HandlerContext): usp.IResponse {
  const maxDepth = get.maxDepth ?? 0;
  return {
    getResp: {
      reqPathResults: (get.paramPaths ?? []).map((text) => getPath(text, maxDepth, ctx.model)),
    },
  };
}

function getPath(
  text: string,
  maxDepth: number,
  model: DeviceModel,
): usp.GetResp.IRequestedPathResult {
  try {
    const path = parseUspPath(text);
    const leaf = path.leaf;
    if (leaf.kind === 'command' || leaf.kind === 'event')
      throw new UspError(
        UspErrorCodes.invalidPath,
        `Get reads objects and parameters, not ${leaf.kind}s`,
      );
    const resolved = model.resolve(path);
    const objects = resolved.atTable ? resolved.tables.flatMap(instancesOf) : resolved.objects;
    if (objects.length === 0 && !path.isSearch && !resolved.atTable)
      throw new UspError(UspErrorCodes.invalidPath, `${text} does not exist in the data model`);
    const resolvedPathResults =
      leaf.kind === 'parameter'
        ? objects.map((node) => ({
            resolvedPath: node.path,
            resultParams: { [leaf.name]: model.read(node, leaf.name) },
          }))
        : objects.flatMap((node) => subtree(node, maxDepth, model));
    return { requestedPath: text, errCode: 0, errMsg: '', resolvedPathResults };
  } catch (error) {
    if (!(error instanceof UspError)) throw error;
    return { requestedPath: text, errCode: error.uspCode, errMsg: error.message };
  }
}

// The object and its sub-objects, depth first; a table and its instance count as one level, as
// in the max_depth table of TR-369 (DeviceInfo. → TemperatureStatus. → TemperatureSensor.{i}.).
function subtree(
  node: ObjectNode,
  maxDepth: number,
  model: DeviceModel,
  depth = 1,
  out: usp.GetResp.IResolvedPathResult[] = [],
): usp.GetResp.IResolvedPathResult[] {
  out.push({ resolvedPath: node.path, resultParams: model.readAll(node) });
  if (maxDepth !== 0 && depth >= maxDepth) return out;
  for (const child of node.children.values()) {
    const next = child.kind === 'table' ? instancesOf(child) : [child];
    for (const object of next) subtree(object, maxDepth, model, depth + 1, out);
  }
  return out;
}
