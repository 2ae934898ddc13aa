// `octomesh usp` arguments to a USP request Msg (TR-369 1.4). Pure: validates everything up front
// and reports bad usage as UsageError before anything is sent.
import { randomBytes } from 'node:crypto';
import { usp, validateEndpointIdForTopic } from '@octomesh/contracts';
import { intOption, parse, UsageError } from '../args.ts';

/** The `octomesh usp` commands and the USP request each sends. */
export const UspCommands = {
  get: 'get',
  set: 'set',
  add: 'add',
  delete: 'delete',
  operate: 'operate',
  instances: 'instances',
  supported: 'supported',
} as const;
/** One of {@link UspCommands}. */
export type UspCommand = (typeof UspCommands)[keyof typeof UspCommands];

/** Default answer deadline, the usp-router's own default (USP_REQUEST_TIMEOUT_MS). */
export const DEFAULT_USP_TIMEOUT_MS = 30_000;

const options = {
  'nats-url': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  'controller-id': { type: 'string' },
  'max-depth': { type: 'string' },
  'allow-partial': { type: 'boolean' },
  'command-key': { type: 'string' },
  'first-level-only': { type: 'boolean' },
  'no-commands': { type: 'boolean' },
  'no-events': { type: 'boolean' },
  'no-params': { type: 'boolean' },
} as const;
type OptionName = keyof typeof options;

const commonOptions: readonly OptionName[] = ['nats-url', 'timeout', 'json', 'controller-id'];

// The options each command understands beyond the common ones; any other is a mistake.
const commandOptions: Record<UspCommand, readonly OptionName[]> = {
  get: ['max-depth'],
  set: ['allow-partial'],
  add: ['allow-partial'],
  delete: ['allow-partial'],
  operate: ['command-key'],
  instances: ['first-level-only'],
  supported: ['first-level-only', 'no-commands', 'no-events', 'no-params'],
};

/** Everything `octomesh usp` needs to send one request. */
export interface UspInvocation {
  readonly command: UspCommand;
  readonly endpointId: string;
  readonly msg: usp.IMsg;
  readonly timeoutMs: number;
  readonly json: boolean;
  /** The Record's from_id; undefined = the router's default controller. */
  readonly controllerId: string | undefined;
  readonly natsUrl: string | undefined;
}

/** A fresh msg_id (or command_key) for one CLI request. */
export function newCliId(): string {
  return `cli-${randomBytes(6).toString('hex')}`;
}

/** Parses `octomesh usp <command> <endpoint id> ...`; throws UsageError for bad usage. */
export function parseUspInvocation(argv: string[], newId: () => string = newCliId): UspInvocation {
  const { values, positionals } = parse(argv, options);
  const [name, endpointId, ...args] = positionals;
  if (name === undefined) throw new UsageError('usp needs a command');
  if (!isUspCommand(name)) throw new UsageError(`unknown usp command ${name}`);
  if (endpointId === undefined || endpointId === '')
    throw new UsageError(`usp ${name} needs an endpoint id`);
  const idProblem = validateEndpointIdForTopic(endpointId);
  if (idProblem !== undefined) throw new UsageError(`endpoint id: ${idProblem}`);
  const allowed = new Set([...commonOptions, ...commandOptions[name]]);
  for (const [option, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.has(option as OptionName))
      throw new UsageError(`usp ${name} does not take --${option}`);
  }
  const controllerId = values['controller-id'];
  if (controllerId === '') throw new UsageError('--controller-id must not be empty');
  const timeoutMs = intOption(values.timeout, 'timeout', DEFAULT_USP_TIMEOUT_MS, 1, 3_600_000);
  const msgId = newId();
  const msg = ((): usp.IMsg => {
    switch (name) {
      case 'get':
        return buildGet(
          msgId,
          args,
          intOption(values['max-depth'], 'max-depth', 0, 0, 2 ** 32 - 1),
        );
      case 'set':
        return buildSet(msgId, args, values['allow-partial'] === true);
      case 'add':
        return buildAdd(msgId, args, values['allow-partial'] === true);
      case 'delete':
        return buildDelete(msgId, args, values['allow-partial'] === true);
      case 'operate':
        return buildOperate(msgId, args, commandKey(values['command-key'], newId));
      case 'instances':
        return buildGetInstances(msgId, args, values['first-level-only'] === true);
      case 'supported':
        return buildGetSupportedDM(msgId, args, {
          firstLevelOnly: values['first-level-only'] === true,
          returnCommands: values['no-commands'] !== true,
          returnEvents: values['no-events'] !== true,
          returnParams: values['no-params'] !== true,
        });
    }
  })();
  return {
    command: name,
    endpointId,
    msg,
    timeoutMs,
    json: values.json === true,
    controllerId,
    natsUrl: values['nats-url'],
  };
}

function isUspCommand(name: string): name is UspCommand {
  return Object.hasOwn(UspCommands, name);
}

function commandKey(given: string | undefined, newId: () => string): string {
  if (given === '') throw new UsageError('--command-key must not be empty');
  return given ?? newId();
}

/** A Get of `paths` (parameters, objects or search paths); max depth 0 = no limit. */
export function buildGet(msgId: string, paths: readonly string[], maxDepth: number): usp.IMsg {
  return request(msgId, usp.Header.MsgType.GET, {
    get: { paramPaths: [...requirePaths('get', paths, 'a path')], maxDepth },
  });
}

/** A Set of `Path.Param=value` assignments, grouped into one UpdateObject per object path. */
export function buildSet(
  msgId: string,
  assignments: readonly string[],
  allowPartial: boolean,
): usp.IMsg {
  requirePaths('set', assignments, 'a Path.Param=value');
  const objects = new Map<string, Map<string, string>>();
  for (const text of assignments) {
    const [path, value] = splitAssignment(text, 'set');
    const { objPath, param } = splitParamPath(path);
    const settings = objects.get(objPath) ?? new Map<string, string>();
    if (settings.has(param)) throw new UsageError(`set: ${path} is given twice`);
    settings.set(param, value);
    objects.set(objPath, settings);
  }
  return request(msgId, usp.Header.MsgType.SET, {
    set: {
      allowPartial,
      updateObjs: [...objects].map(([objPath, settings]) => ({
        objPath,
        // required: a parameter the user names must be set, or the object's update fails.
        paramSettings: [...settings].map(([param, value]) => ({ param, value, required: true })),
      })),
    },
  });
}

/** An Add of one instance of `<object path>` with optional `param=value` settings. */
export function buildAdd(msgId: string, args: readonly string[], allowPartial: boolean): usp.IMsg {
  const [objPath, ...assignments] = args;
  if (objPath === undefined) throw new UsageError('add needs an object path');
  requireObjectPath('add', objPath);
  const settings = new Map<string, string>();
  for (const text of assignments) {
    const [param, value] = splitAssignment(text, 'add');
    if (param.includes('.'))
      throw new UsageError(`add: ${param}: name parameters relative to ${objPath}`);
    if (settings.has(param)) throw new UsageError(`add: ${param} is given twice`);
    settings.set(param, value);
  }
  return request(msgId, usp.Header.MsgType.ADD, {
    add: {
      allowPartial,
      createObjs: [
        {
          objPath,
          paramSettings: [...settings].map(([param, value]) => ({ param, value, required: true })),
        },
      ],
    },
  });
}

/** A Delete of object instances. */
export function buildDelete(
  msgId: string,
  objPaths: readonly string[],
  allowPartial: boolean,
): usp.IMsg {
  for (const path of requirePaths('delete', objPaths, 'an object path'))
    requireObjectPath('delete', path);
  return request(msgId, usp.Header.MsgType.DELETE, {
    delete: { allowPartial, objPaths: [...objPaths] },
  });
}

/** An Operate of `<command path>()` with `arg=value` input arguments; always asks for a response. */
export function buildOperate(msgId: string, args: readonly string[], key: string): usp.IMsg {
  const [command, ...assignments] = args;
  if (command === undefined) throw new UsageError('operate needs a command path');
  if (!/^[^.]+\..*\(\)$/.test(command))
    throw new UsageError(`operate: ${command} is not a command path (like Device.Reboot())`);
  const inputArgs: Record<string, string> = {};
  for (const text of assignments) {
    const [name, value] = splitAssignment(text, 'operate');
    if (Object.hasOwn(inputArgs, name)) throw new UsageError(`operate: ${name} is given twice`);
    inputArgs[name] = value;
  }
  return request(msgId, usp.Header.MsgType.OPERATE, {
    operate: { command, commandKey: key, sendResp: true, inputArgs },
  });
}

/** A GetInstances of object paths. */
export function buildGetInstances(
  msgId: string,
  objPaths: readonly string[],
  firstLevelOnly: boolean,
): usp.IMsg {
  for (const path of requirePaths('instances', objPaths, 'an object path'))
    requireObjectPath('instances', path);
  return request(msgId, usp.Header.MsgType.GET_INSTANCES, {
    getInstances: { objPaths: [...objPaths], firstLevelOnly },
  });
}

/** What a GetSupportedDM should return besides the objects. */
export interface SupportedDmOptions {
  readonly firstLevelOnly: boolean;
  readonly returnCommands: boolean;
  readonly returnEvents: boolean;
  readonly returnParams: boolean;
}

/** A GetSupportedDM of object paths (unique key sets are always asked for). */
export function buildGetSupportedDM(
  msgId: string,
  objPaths: readonly string[],
  options: SupportedDmOptions,
): usp.IMsg {
  for (const path of requirePaths('supported', objPaths, 'an object path'))
    requireObjectPath('supported', path);
  return request(msgId, usp.Header.MsgType.GET_SUPPORTED_DM, {
    getSupportedDm: { objPaths: [...objPaths], ...options, returnUniqueKeySets: true },
  });
}

/** `Device.Time.NTPServer1` → object path `Device.Time.` and parameter `NTPServer1`. */
export function splitParamPath(path: string): { objPath: string; param: string } {
  const dot = path.lastIndexOf('.');
  if (dot <= 0 || dot === path.length - 1)
    throw new UsageError(`${path} is not a parameter path (like Device.Time.NTPServer1)`);
  return { objPath: path.slice(0, dot + 1), param: path.slice(dot + 1) };
}

/** `name=value` → [name, value]; the value may be empty and may contain `=`. */
export function splitAssignment(text: string, command: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 0) throw new UsageError(`${command}: ${text} has no =value`);
  if (eq === 0) throw new UsageError(`${command}: ${text} has no name before =`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function requirePaths(command: string, paths: readonly string[], what: string): readonly string[] {
  if (paths.length === 0) throw new UsageError(`${command} needs ${what}`);
  for (const path of paths) if (path === '') throw new UsageError(`${command}: empty path`);
  return paths;
}

function requireObjectPath(command: string, path: string): void {
  if (!path.endsWith('.'))
    throw new UsageError(`${command}: ${path} is not an object path (object paths end with .)`);
}

function request(msgId: string, msgType: usp.Header.MsgType, body: usp.IRequest): usp.IMsg {
  return { header: { msgId, msgType }, body: { request: body } };
}
