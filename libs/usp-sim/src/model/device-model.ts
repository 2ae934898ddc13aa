// One agent's data model: the Supported Data Model (schema) and the Instantiated Data Model (a
// tree of nodes), path resolution with instance numbers, `*` and search expressions, parameter
// reads (stored or computed) and unique-key checks. Changes go through ModelTransaction.
import { UspError, UspErrorCodes } from '../usp/usp-error-codes.ts';
import {
  formatSegment,
  type PathSegment,
  type SearchCondition,
  type UspPath,
} from '../usp/usp-path.ts';
import { ModelTransaction } from './model-transaction.ts';
import { createObjectNode, instancesOf, type ObjectNode, type TableNode } from './nodes.ts';
import type { ObjectSchema } from './schema.ts';

/** Settings of a {@link DeviceModel}. */
export interface DeviceModelOptions {
  /** Stored parameter values by full path (`Device.DeviceInfo.SerialNumber`), kept across a factory reset. */
  initialValues?: Readonly<Record<string, string>>;
  /** Instances present at start and after a factory reset, by table path (`Device.WiFi.SSID.`). */
  initialInstances?: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>>;
  /** Milliseconds clock (UpTime, CurrentLocalTime); default Date.now. */
  now?: () => number;
}

/** What a path addressed. */
export interface Resolution {
  readonly path: UspPath;
  /** Schema of the addressed object or table (the leaf's object for parameters and commands). */
  readonly schema: ObjectSchema;
  /** The path names a table itself (`Device.NAT.PortMapping.`), not instances of it. */
  readonly atTable: boolean;
  /** Objects addressed (when not `atTable`); empty when none is instantiated. */
  readonly objects: readonly ObjectNode[];
  /** Tables addressed (when `atTable`). */
  readonly tables: readonly TableNode[];
}

/** The data model of one simulated agent. */
export class DeviceModel {
  readonly schema: ObjectSchema;
  readonly now: () => number;
  readonly #options: DeviceModelOptions;
  #root: ObjectNode;
  #bootedAtMs: number;

  constructor(schema: ObjectSchema, options: DeviceModelOptions = {}) {
    this.schema = schema;
    this.#options = options;
    this.now = options.now ?? Date.now;
    this.#bootedAtMs = this.now();
    this.#root = this.#build();
  }

  /** The `Device.` object. */
  get root(): ObjectNode {
    return this.#root;
  }

  /** Seconds since the (simulated) boot. */
  get uptimeSeconds(): number {
    return Math.max(0, Math.floor((this.now() - this.#bootedAtMs) / 1000));
  }

  /** Records a (simulated) reboot: UpTime starts again. */
  markRebooted(): void {
    this.#bootedAtMs = this.now();
  }

  /** Restores every stored value and table to its initial state (identity values stay). */
  factoryReset(): void {
    this.#root = this.#build();
  }

  /** Starts a change set. */
  transaction(): ModelTransaction {
    return new ModelTransaction();
  }

  /** A parameter's current value, stored or computed. */
  read(node: ObjectNode, param: string): string {
    const schema = node.schema.params[param];
    if (schema?.compute !== undefined) return schema.compute(node, this);
    return node.values.get(param) ?? '';
  }

  /** Every parameter of an object with its value, in schema order. */
  readAll(node: ObjectNode): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(node.schema.params)) out[name] = this.read(node, name);
    return out;
  }

  /** The node at an instance-number path (`Device.NAT.PortMapping.` or `...PortMapping.2.`). */
  find(path: string): ObjectNode | TableNode | undefined {
    const names = path.replace(/\.$/, '').split('.');
    if (names.shift() !== this.schema.name) return undefined;
    let node: ObjectNode | TableNode = this.#root;
    for (const name of names) {
      const next: ObjectNode | TableNode | undefined =
        node.kind === 'table' ? node.instances.get(Number(name)) : node.children.get(name);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /**
   * Resolves a path against the model. Throws UspError 7026 when it leaves the Supported Data
   * Model; a path inside it that selects no instance resolves to no objects (the caller decides
   * whether that is an error: it is for exact paths, not for Search Paths).
   */
  resolve(path: UspPath): Resolution {
    const invalid = (why: string): UspError =>
      new UspError(UspErrorCodes.invalidPath, `invalid path ${JSON.stringify(path.text)}: ${why}`);
    const [first, ...rest] = path.segments;
    if (first?.kind !== 'name' || first.name !== this.schema.name)
      throw invalid(`the data model root is ${this.schema.name}.`);
    let schema = this.schema;
    let prefix = `${schema.name}.`;
    let objects: ObjectNode[] = [this.#root];
    let tables: TableNode[] = [];
    let atTable = false;
    for (const segment of rest) {
      if (atTable) {
        if (segment.kind === 'name' || segment.kind === 'supported')
          throw invalid(`${prefix} is a table: name an instance, * or [expression]`);
        objects = tables.flatMap((table) => this.#select(table, segment, invalid));
        tables = [];
        atTable = false;
        prefix += `${formatSegment(segment)}.`;
        continue;
      }
      if (segment.kind !== 'name') throw invalid(`${prefix} is not a table`);
      const child = schema.objects[segment.name];
      if (child === undefined) throw invalid(`${prefix} has no object ${segment.name}`);
      schema = child;
      prefix += `${segment.name}.`;
      const children = objects.map((o) => o.children.get(segment.name)!);
      if (child.multiInstance) {
        tables = children as TableNode[];
        objects = [];
        atTable = true;
      } else {
        objects = children as ObjectNode[];
      }
    }
    const leaf = path.leaf;
    if (leaf.kind !== 'object') {
      if (atTable) throw invalid(`${prefix} is a table: name an instance before ${leaf.name}`);
      const known =
        leaf.kind === 'parameter'
          ? schema.params[leaf.name]
          : leaf.kind === 'command'
            ? schema.commands[leaf.name]
            : schema.events[leaf.name];
      if (known === undefined) throw invalid(`${prefix} has no ${leaf.kind} ${leaf.name}`);
    }
    return { path, schema, atTable, objects, tables };
  }

  /**
   * True when giving `instance` the value `value` for `param` would make it share a unique key
   * with another instance of its table [R-ADD / 7025].
   */
  violatesUniqueKey(table: TableNode, instance: ObjectNode, param: string, value: string): boolean {
    for (const key of table.schema.uniqueKeys) {
      if (!key.includes(param)) continue;
      const wanted = key.map((p) => (p === param ? value : this.read(instance, p)));
      for (const other of table.instances.values()) {
        if (other === instance) continue;
        if (key.every((p, i) => this.read(other, p) === wanted[i])) return true;
      }
    }
    return false;
  }

  #select(
    table: TableNode,
    segment: Exclude<PathSegment, { kind: 'name' } | { kind: 'supported' }>,
    invalid: (why: string) => UspError,
  ): ObjectNode[] {
    switch (segment.kind) {
      case 'instance': {
        const node = table.instances.get(segment.instance);
        return node === undefined ? [] : [node];
      }
      case 'wildcard':
        return instancesOf(table);
      case 'search':
        for (const condition of segment.conditions) {
          if (table.schema.params[condition.param] === undefined)
            throw invalid(`${table.path} has no parameter ${condition.param}`);
        }
        return instancesOf(table).filter((node) =>
          segment.conditions.every((c) => this.#holds(node, c)),
        );
    }
  }

  #holds(node: ObjectNode, condition: SearchCondition): boolean {
    const actual = this.read(node, condition.param);
    const numeric = isNumber(actual) && isNumber(condition.value);
    const a = numeric ? Number(actual) : actual;
    const b = numeric ? Number(condition.value) : condition.value;
    switch (condition.operator) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  }

  #build(): ObjectNode {
    const root = createObjectNode(this.schema, `${this.schema.name}.`);
    this.#root = root;
    for (const [tablePath, rows] of Object.entries(this.#options.initialInstances ?? {})) {
      const table = this.find(tablePath);
      if (table?.kind !== 'table') throw new RangeError(`no table ${tablePath}`);
      const tx = this.transaction();
      for (const row of rows) {
        const node = tx.addInstance(table);
        for (const [param, value] of Object.entries(row)) node.values.set(param, value);
      }
    }
    for (const [path, value] of Object.entries(this.#options.initialValues ?? {})) {
      const cut = path.lastIndexOf('.');
      const node = this.find(path.slice(0, cut + 1));
      const param = path.slice(cut + 1);
      if (node?.kind !== 'object' || node.schema.params[param] === undefined)
        throw new RangeError(`no parameter ${path}`);
      node.values.set(param, value);
    }
    return root;
  }
}

function isNumber(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}
