// The Supported Data Model: which objects, parameters, commands and events an agent has, with
// the types and access rights GetSupportedDM reports and Set/Add enforce.
import type { DeviceModel } from './device-model.ts';
import type { ObjectNode } from './nodes.ts';

/** TR-106 base types the simulator uses (the ParamValueType values of GetSupportedDM). */
export const ParamTypes = {
  string: 'string',
  boolean: 'boolean',
  unsignedInt: 'unsignedInt',
  int: 'int',
  dateTime: 'dateTime',
} as const;
/** One of {@link ParamTypes}. */
export type ParamType = (typeof ParamTypes)[keyof typeof ParamTypes];

/** A parameter of an object. */
export interface ParamSchema {
  readonly type: ParamType;
  readonly writable: boolean;
  /** Initial (and factory reset) value of a stored parameter. */
  readonly defaultValue?: string;
  /** Allowed values (strings). */
  readonly enumeration?: readonly string[];
  /** Longest allowed string (strings). */
  readonly maxLength?: number;
  /** Inclusive bounds (numbers). */
  readonly range?: { readonly min: number; readonly max: number };
  /** A read-only value computed on each read (UpTime, NumberOfEntries). */
  readonly compute?: (node: ObjectNode, model: DeviceModel) => string;
  /** The agent ignores ValueChange subscriptions on it (counters, clocks). */
  readonly valueChangeIgnored?: boolean;
}

/** Sync commands answer in OperateResp; async ones create a Request and answer by Notify. */
export type CommandType = 'sync' | 'async';

/** A command (`Reboot()`) of an object. */
export interface CommandSchema {
  readonly type: CommandType;
  readonly inputArgs: readonly string[];
  readonly outputArgs: readonly string[];
}

/** An event (`Boot!`) of an object. */
export interface EventSchema {
  readonly args: readonly string[];
}

/** An object; a multi-instance object is a table whose instances have this shape. */
export interface ObjectSchema {
  readonly name: string;
  readonly multiInstance: boolean;
  /** Tables only: controllers may Add and Delete instances. */
  readonly addDelete: boolean;
  readonly params: Readonly<Record<string, ParamSchema>>;
  readonly objects: Readonly<Record<string, ObjectSchema>>;
  /** Keyed by name with parentheses, e.g. `Reboot()`. */
  readonly commands: Readonly<Record<string, CommandSchema>>;
  /** Keyed by name with the bang, e.g. `Boot!`. */
  readonly events: Readonly<Record<string, EventSchema>>;
  /** Tables only: sets of parameters that identify an instance. */
  readonly uniqueKeys: readonly (readonly string[])[];
}

/** Builds an object schema with empty defaults for the parts it does not name. */
export function objectSchema(
  name: string,
  parts: Partial<Omit<ObjectSchema, 'name'>> = {},
): ObjectSchema {
  return {
    name,
    multiInstance: parts.multiInstance ?? false,
    addDelete: parts.addDelete ?? false,
    params: parts.params ?? {},
    objects: parts.objects ?? {},
    commands: parts.commands ?? {},
    events: parts.events ?? {},
    uniqueKeys: parts.uniqueKeys ?? [],
  };
}

/** The parameters named by any unique key set of a table. */
export function uniqueKeyParams(schema: ObjectSchema): string[] {
  return [...new Set(schema.uniqueKeys.flat())];
}
