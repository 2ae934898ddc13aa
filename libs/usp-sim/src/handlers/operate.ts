// Operate (TR-369 "The Operate Message"). Device.Reboot() is asynchronous: it creates a
// Device.LocalAgent.Request instance, answers with its path [R-OPR.0] and hands the agent a
// `reboot` effect that later sends OperationComplete and Boot!. Device.FactoryReset() is
// synchronous: the model returns to its initial state and the (empty) output arguments come back
// at once. Path errors are a USP Error; per-object command failures go in cmd_failure [R-OPR.1].
// With send_resp=false no OperateResp is sent [R-OPR.4]; the command still runs.
import type { usp } from '@octomesh/contracts';
import type { ObjectNode } from '../model/nodes.ts';
import { UspError, UspErrorCodes } from '../usp/usp-error-codes.ts';
import { parseUspPath } from '../usp/usp-path.ts';
import type { AgentEffect, HandlerContext, RequestOutcome } from './handler-context.ts';

interface CommandRun {
  readonly result: usp.OperateResp.IOperationResult;
  readonly effects: readonly AgentEffect[];
}

type Command = (node: ObjectNode, operate: usp.IOperate, ctx: HandlerContext) => CommandRun;

/** The commands the simulator runs, by Supported Data Model command path. */
const commands: Readonly<Record<string, Command>> = {
  'Device.Reboot()': (_node, operate, ctx) => {
    const table = ctx.model.find('Device.LocalAgent.Request.');
    if (table?.kind !== 'table')
      throw new UspError(UspErrorCodes.internalError, 'no Request table');
    const tx = ctx.model.transaction();
    const request = tx.addInstance(table);
    const commandKey = operate.commandKey ?? '';
    tx.setValue(request, 'Originator', ctx.controllerId);
    tx.setValue(request, 'Command', 'Device.Reboot()');
    tx.setValue(request, 'CommandKey', commandKey);
    tx.setValue(request, 'Status', 'Active');
    return {
      result: { executedCommand: 'Device.Reboot()', reqObjPath: request.path },
      effects: [
        { kind: 'reboot', requestPath: request.path, commandKey, controllerId: ctx.controllerId },
      ],
    };
  },
  'Device.FactoryReset()': (_node, _operate, ctx) => {
    ctx.model.factoryReset();
    return {
      result: { executedCommand: 'Device.FactoryReset()', reqOutputArgs: { outputArgs: {} } },
      effects: [],
    };
  },
};

/** Answers an Operate request; `outcome` is undefined when send_resp is false. */
export function handleOperate(
  operate: usp.IOperate,
  ctx: HandlerContext,
): { outcome: RequestOutcome | undefined; effects: AgentEffect[] } {
  const text = operate.command ?? '';
  let objects: readonly ObjectNode[];
  let commandName: string;
  try {
    const path = parseUspPath(text);
    if (path.leaf.kind !== 'command')
      throw new UspError(
        UspErrorCodes.invalidPath,
        `${text} is not a command path (e.g. Device.Reboot())`,
      );
    commandName = path.leaf.name;
    const resolved = ctx.model.resolve(path);
    if (resolved.objects.length === 0 && !path.isSearch)
      throw new UspError(UspErrorCodes.objectDoesNotExist, `the object of ${text} does not exist`);
    objects = resolved.objects;
  } catch (error) {
    if (!(error instanceof UspError)) throw error;
    return { outcome: { error: { errCode: error.uspCode, errMsg: error.message } }, effects: [] };
  }
  const operationResults: usp.OperateResp.IOperationResult[] = [];
  const effects: AgentEffect[] = [];
  for (const node of objects) {
    const executedCommand = `${node.path}${commandName}`;
    const run = commands[`${supportedPath(node)}${commandName}`];
    try {
      if (run === undefined)
        throw new UspError(UspErrorCodes.commandFailure, `${executedCommand} is not implemented`);
      const done = run(node, operate, ctx);
      operationResults.push(done.result);
      effects.push(...done.effects);
    } catch (error) {
      if (!(error instanceof UspError)) throw error;
      operationResults.push({
        executedCommand,
        cmdFailure: { errCode: error.uspCode, errMsg: error.message },
      });
    }
  }
  return {
    outcome:
      operate.sendResp === true ? { response: { operateResp: { operationResults } } } : undefined,
    effects,
  };
}

function supportedPath(node: ObjectNode): string {
  return node.path.replace(/\.\d+\./g, '.{i}.');
}
