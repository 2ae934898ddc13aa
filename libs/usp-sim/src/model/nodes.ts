// The Instantiated Data Model: a tree of objects holding parameter values, with tables holding
// numbered instances. Paths are kept on the nodes so answers never rebuild them.
import type { ObjectSchema } from './schema.ts';

/** A single-instance object or one instance of a table. */
export interface ObjectNode {
  readonly kind: 'object';
  readonly schema: ObjectSchema;
  /** Instance Number Addressing, with the trailing dot: `Device.NAT.PortMapping.3.`. */
  readonly path: string;
  /** Stored parameter values (computed parameters are not stored). */
  readonly values: Map<string, string>;
  readonly children: Map<string, ObjectNode | TableNode>;
}

/** A multi-instance object: its instances by number, in creation order. */
export interface TableNode {
  readonly kind: 'table';
  readonly schema: ObjectSchema;
  /** `Device.NAT.PortMapping.` */
  readonly path: string;
  readonly instances: Map<number, ObjectNode>;
  /** The number the next Add gets; numbers are not reused. */
  nextInstance: number;
}

/** Builds an object (and its sub-objects, tables empty) with default parameter values. */
export function createObjectNode(schema: ObjectSchema, path: string): ObjectNode {
  const values = new Map<string, string>();
  for (const [name, param] of Object.entries(schema.params)) {
    if (param.compute === undefined) values.set(name, param.defaultValue ?? '');
  }
  const children = new Map<string, ObjectNode | TableNode>();
  for (const [name, child] of Object.entries(schema.objects)) {
    const childPath = `${path}${name}.`;
    children.set(
      name,
      child.multiInstance
        ? { kind: 'table', schema: child, path: childPath, instances: new Map(), nextInstance: 1 }
        : createObjectNode(child, childPath),
    );
  }
  return { kind: 'object', schema, path, values, children };
}

/** The instances of a table, lowest number first. */
export function instancesOf(table: TableNode): ObjectNode[] {
  return [...table.instances.entries()].sort(([a], [b]) => a - b).map(([, node]) => node);
}
