// An agent's answer (a USP response or Error Msg) as lines a person reads, or as JSON. Pure:
// the command decides where the lines go and which exit code they earn.
import { usp } from '@octomesh/contracts';
import { describeUspErrorCode } from './error-codes.ts';

/** What an answer looks like on screen. */
export interface RenderedAnswer {
  /** `response`: print to stdout; `error`: the agent refused the whole request. */
  readonly kind: 'response' | 'error';
  readonly lines: string[];
  /** False when anything the user asked for failed (a path, an object, a command). */
  readonly ok: boolean;
}

/** protobufjs JSON conversion: 64-bit integers as strings, bytes base64, enums by name. */
const jsonOptions = { longs: String, enums: String, bytes: String, json: true } as const;

/** The answer as the JSON `--json` prints (proto3 JSON field names in camelCase). */
export function msgToJson(msg: usp.IMsg): Record<string, unknown> {
  return usp.Msg.toObject(usp.Msg.fromObject(msg), jsonOptions);
}

/** Renders any answer; the response type decides the layout. */
export function renderAnswer(msg: usp.IMsg): RenderedAnswer {
  const body = msg.body;
  if (body?.error != null) return { kind: 'error', lines: renderUspError(body.error), ok: false };
  const response = body?.response;
  if (response == null) {
    return {
      kind: 'error',
      lines: ['the agent answered with a request, not a response'],
      ok: false,
    };
  }
  const out = new Lines();
  if (response.getResp != null) renderGetResp(response.getResp, out);
  else if (response.setResp != null) renderSetResp(response.setResp, out);
  else if (response.addResp != null) renderAddResp(response.addResp, out);
  else if (response.deleteResp != null) renderDeleteResp(response.deleteResp, out);
  else if (response.operateResp != null) renderOperateResp(response.operateResp, out);
  else if (response.getInstancesResp != null)
    renderGetInstancesResp(response.getInstancesResp, out);
  else if (response.getSupportedDmResp != null)
    renderGetSupportedDmResp(response.getSupportedDmResp, out);
  else if (response.getSupportedProtocolResp != null)
    out.push(
      `agent supports USP ${response.getSupportedProtocolResp.agentSupportedProtocolVersions ?? ''}`,
    );
  else out.push(...JSON.stringify(msgToJson(msg).body, null, 2).split('\n'));
  return { kind: 'response', lines: out.lines, ok: out.ok };
}

/** A USP Error message: its code, name and message, then each parameter error. */
export function renderUspError(error: usp.IError): string[] {
  return [
    `agent answered with USP Error ${errorText(error.errCode, error.errMsg)}`,
    ...(error.paramErrs ?? []).map(
      (e) => `  ${e.paramPath ?? ''}: ${errorText(e.errCode, e.errMsg)}`,
    ),
  ];
}

/** `7026 Invalid path: no such object` (the agent's message only when it has one). */
export function errorText(code: number | null | undefined, message: string | null | undefined) {
  const described = describeUspErrorCode(code ?? 0);
  return message ? `${described}: ${message}` : described;
}

// Collects lines and remembers whether any of them reports a failure.
class Lines {
  readonly lines: string[] = [];
  ok = true;

  push(...lines: string[]): void {
    this.lines.push(...lines);
  }

  fail(line: string): void {
    this.lines.push(line);
    this.ok = false;
  }
}

/** Natural order: `Device.X.2.` before `Device.X.10.`. */
export function comparePaths(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function sortedEntries(map: Record<string, string> | null | undefined): [string, string][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => comparePaths(a, b));
}

function renderGetResp(resp: usp.IGetResp, out: Lines): void {
  for (const result of resp.reqPathResults ?? []) {
    const requested = result.requestedPath ?? '';
    if (result.errCode) {
      out.fail(`${requested}: error ${errorText(result.errCode, result.errMsg)}`);
      continue;
    }
    const resolved = result.resolvedPathResults ?? [];
    if (resolved.length === 0) out.push(`${requested}: nothing matched`);
    const lines: string[] = [];
    for (const r of resolved) {
      const params = sortedEntries(r.resultParams);
      // An object without parameters still exists: show its path.
      if (params.length === 0) lines.push(r.resolvedPath ?? '');
      for (const [name, value] of params) lines.push(`${r.resolvedPath ?? ''}${name} = ${value}`);
    }
    out.push(...lines.sort(comparePaths));
  }
}

function renderSetResp(resp: usp.ISetResp, out: Lines): void {
  for (const result of resp.updatedObjResults ?? []) {
    const requested = result.requestedPath ?? '';
    const failure = result.operStatus?.operFailure;
    const success = result.operStatus?.operSuccess;
    if (failure != null) {
      out.fail(`${requested}: error ${errorText(failure.errCode, failure.errMsg)}`);
      for (const inst of failure.updatedInstFailures ?? [])
        for (const e of inst.paramErrs ?? [])
          out.push(
            `  ${inst.affectedPath ?? ''}${e.param ?? ''}: ${errorText(e.errCode, e.errMsg)}`,
          );
    } else if (success != null) {
      const instances = success.updatedInstResults ?? [];
      if (instances.length === 0) out.push(`${requested}: nothing matched`);
      for (const inst of instances) {
        const path = inst.affectedPath ?? '';
        for (const [name, value] of sortedEntries(inst.updatedParams))
          out.push(`${path}${name} = ${value}`);
        for (const e of inst.paramErrs ?? [])
          out.fail(`${path}${e.param ?? ''}: error ${errorText(e.errCode, e.errMsg)}`);
      }
    } else out.fail(`${requested}: the agent sent no status`);
  }
}

function renderAddResp(resp: usp.IAddResp, out: Lines): void {
  for (const result of resp.createdObjResults ?? []) {
    const requested = result.requestedPath ?? '';
    const failure = result.operStatus?.operFailure;
    const success = result.operStatus?.operSuccess;
    if (failure != null) {
      out.fail(`${requested}: error ${errorText(failure.errCode, failure.errMsg)}`);
    } else if (success != null) {
      out.push(`created ${success.instantiatedPath ?? ''}`);
      for (const [name, value] of sortedEntries(success.uniqueKeys))
        out.push(`  ${name} = ${value}`);
      for (const e of success.paramErrs ?? [])
        out.fail(`  ${e.param ?? ''}: error ${errorText(e.errCode, e.errMsg)}`);
    } else out.fail(`${requested}: the agent sent no status`);
  }
}

function renderDeleteResp(resp: usp.IDeleteResp, out: Lines): void {
  for (const result of resp.deletedObjResults ?? []) {
    const requested = result.requestedPath ?? '';
    const failure = result.operStatus?.operFailure;
    const success = result.operStatus?.operSuccess;
    if (failure != null) {
      out.fail(`${requested}: error ${errorText(failure.errCode, failure.errMsg)}`);
    } else if (success != null) {
      const affected = [...(success.affectedPaths ?? [])].sort(comparePaths);
      if (affected.length === 0) out.push(`${requested}: nothing to delete`);
      for (const path of affected) out.push(`deleted ${path}`);
      for (const e of success.unaffectedPathErrs ?? [])
        out.fail(`${e.unaffectedPath ?? ''}: error ${errorText(e.errCode, e.errMsg)}`);
    } else out.fail(`${requested}: the agent sent no status`);
  }
}

function renderOperateResp(resp: usp.IOperateResp, out: Lines): void {
  const results = resp.operationResults ?? [];
  if (results.length === 0) out.push('no command matched');
  for (const result of results) {
    const command = result.executedCommand ?? '';
    // operation_resp is a oneof: decoded messages leave the unset members null.
    if (result.cmdFailure != null) {
      out.fail(
        `${command}: error ${errorText(result.cmdFailure.errCode, result.cmdFailure.errMsg)}`,
      );
    } else if (result.reqOutputArgs != null) {
      const args = sortedEntries(result.reqOutputArgs.outputArgs);
      out.push(args.length === 0 ? `${command} done (no output)` : `${command} done`);
      for (const [name, value] of args) out.push(`  ${name} = ${value}`);
    } else if (result.reqObjPath != null) {
      // An asynchronous command: its Request object tracks it until OperationComplete.
      out.push(`${command} started: ${result.reqObjPath}`);
    } else out.fail(`${command}: the agent sent no result`);
  }
}

function renderGetInstancesResp(resp: usp.IGetInstancesResp, out: Lines): void {
  for (const result of resp.reqPathResults ?? []) {
    const requested = result.requestedPath ?? '';
    if (result.errCode) {
      out.fail(`${requested}: error ${errorText(result.errCode, result.errMsg)}`);
      continue;
    }
    const instances = [...(result.currInsts ?? [])].sort((a, b) =>
      comparePaths(a.instantiatedObjPath ?? '', b.instantiatedObjPath ?? ''),
    );
    if (instances.length === 0) out.push(`${requested}: no instances`);
    for (const inst of instances) {
      const keys = sortedEntries(inst.uniqueKeys).map(([name, value]) => `${name}=${value}`);
      out.push([inst.instantiatedObjPath ?? '', ...keys].join('  '));
    }
  }
}

const objAccess: Readonly<Record<number, string>> = {
  0: 'read-only',
  1: 'add/delete',
  2: 'add only',
  3: 'delete only',
};
const paramAccess: Readonly<Record<number, string>> = {
  0: 'read-only',
  1: 'read-write',
  2: 'write-only',
};
// TR-106 type names.
const valueTypes: Readonly<Record<number, string>> = {
  0: 'unknown type',
  1: 'base64',
  2: 'boolean',
  3: 'dateTime',
  4: 'decimal',
  5: 'hexBinary',
  6: 'int',
  7: 'long',
  8: 'string',
  9: 'unsignedInt',
  10: 'unsignedLong',
};
const commandTypes: Readonly<Record<number, string>> = { 0: '', 1: 'sync ', 2: 'async ' };
const VALUE_CHANGE_WILL_IGNORE = 2;

function renderGetSupportedDmResp(resp: usp.IGetSupportedDMResp, out: Lines): void {
  for (const result of resp.reqObjResults ?? []) {
    const requested = result.reqObjPath ?? '';
    if (result.errCode) {
      out.fail(`${requested}: error ${errorText(result.errCode, result.errMsg)}`);
      continue;
    }
    if (result.dataModelInstUri) out.push(`${requested}  data model ${result.dataModelInstUri}`);
    const objects = result.supportedObjs ?? [];
    if (objects.length === 0) out.push(`${requested}: nothing supported`);
    for (const obj of objects) renderSupportedObject(obj, out);
  }
}

function renderSupportedObject(
  obj: usp.GetSupportedDMResp.ISupportedObjectResult,
  out: Lines,
): void {
  const traits = [
    ...(obj.isMultiInstance ? ['multi-instance'] : []),
    objAccess[obj.access ?? 0] ?? `access ${obj.access}`,
  ];
  out.push(`${obj.supportedObjPath ?? ''} (${traits.join(', ')})`);
  const rows: [string, string][] = [];
  for (const p of byName(obj.supportedParams ?? [], (p) => p.paramName)) {
    const notes = [
      valueTypes[p.valueType ?? 0] ?? `type ${p.valueType}`,
      paramAccess[p.access ?? 0] ?? `access ${p.access}`,
      ...(p.valueChange === VALUE_CHANGE_WILL_IGNORE ? ['no value-change notifications'] : []),
    ];
    rows.push([p.paramName ?? '', notes.join(', ')]);
  }
  for (const c of byName(obj.supportedCommands ?? [], (c) => c.commandName)) {
    const parts = [
      `${commandTypes[c.commandType ?? 0] ?? ''}command`,
      ...((c.inputArgNames ?? []).length > 0 ? [`in: ${c.inputArgNames!.join(', ')}`] : []),
      ...((c.outputArgNames ?? []).length > 0 ? [`out: ${c.outputArgNames!.join(', ')}`] : []),
    ];
    rows.push([c.commandName ?? '', parts.join('; ')]);
  }
  for (const e of byName(obj.supportedEvents ?? [], (e) => e.eventName)) {
    const args = e.argNames ?? [];
    rows.push([e.eventName ?? '', args.length > 0 ? `event; args: ${args.join(', ')}` : 'event']);
  }
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  for (const [name, notes] of rows) out.push(`  ${name.padEnd(width)}  ${notes}`);
  for (const set of obj.uniqueKeySets ?? [])
    out.push(`  unique key: ${(set.keyNames ?? []).join(' + ')}`);
  for (const path of obj.divergentPaths ?? []) out.push(`  divergent: ${path}`);
}

function byName<T>(items: readonly T[], name: (item: T) => string | null | undefined): T[] {
  return [...items].sort((a, b) => comparePaths(name(a) ?? '', name(b) ?? ''));
}
