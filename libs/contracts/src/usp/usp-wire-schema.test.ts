// Keeps usp-wire-schema.ts in step with proto/usp: protobufjs' own parser reads the .proto files
// and the wire shape derived from them must equal the committed table.
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { uspWireSchema, WireTypes } from './usp-wire-schema.ts';

const protoDir = join(__dirname, '../../../../proto/usp');

function wireOf(type: string, resolved: protobuf.ReflectionObject | null): number | string {
  if (resolved instanceof protobuf.Type) return resolved.fullName.slice(1);
  if (resolved instanceof protobuf.Enum) return WireTypes.varint;
  const basic = (protobuf.types.basic as Record<string, number | undefined>)[type];
  if (basic === undefined) throw new Error(`no wire type for ${type}`);
  return basic;
}

function deriveWireSchema(root: protobuf.Root): Record<string, Record<number, number | string>> {
  const schema: Record<string, Record<number, number | string>> = {};
  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) {
        const fields: Record<number, number | string> = {};
        for (const field of nested.fieldsArray) {
          if (field instanceof protobuf.MapField) {
            const entry = `map<${field.keyType},${field.type}>`;
            schema[entry] = {
              1: wireOf(field.keyType, null),
              2: wireOf(field.type, field.resolvedType),
            };
            fields[field.id] = entry;
            continue;
          }
          const wire = wireOf(field.type, field.resolvedType);
          // Repeated numbers may arrive packed (wire type 2), which find-wire-problem.ts does not
          // accept yet: USP 1.4 has none, and a release that adds one must teach it first.
          if (field.repeated && typeof wire === 'number' && wire !== WireTypes.len) {
            throw new Error(`${nested.fullName}.${field.name} is a repeated number`);
          }
          fields[field.id] = wire;
        }
        schema[nested.fullName.slice(1)] = fields;
      }
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);
  return schema;
}

describe('USP wire schema', () => {
  test('the committed wire schema matches what proto/usp declares', () => {
    const root = protobuf.loadSync([
      join(protoDir, 'usp-record-1-4.proto'),
      join(protoDir, 'usp-msg-1-4.proto'),
    ]);
    root.resolveAll();

    expect(uspWireSchema).toEqual(deriveWireSchema(root));
  });

  test('every embedded message the schema names has an entry of its own', () => {
    const named = Object.values(uspWireSchema).flatMap((fields) =>
      Object.values(fields).filter((wire): wire is string => typeof wire === 'string'),
    );

    expect(named.filter((name) => uspWireSchema[name] === undefined)).toEqual([]);
  });
});
