// Every change to a data model goes through a transaction that remembers how to undo it, so a
// Set or Add with allow_partial=false (or a failed object of a Search Path, R-SET.2a) leaves the
// model exactly as it was.
import { createObjectNode, type ObjectNode, type TableNode } from './nodes.ts';

/** An undo log over model changes; dropping it commits. */
export class ModelTransaction {
  readonly #undo: (() => void)[] = [];

  /** A savepoint for {@link rollbackTo}. */
  mark(): number {
    return this.#undo.length;
  }

  /** Undoes every change made since `mark`, newest first. */
  rollbackTo(mark: number): void {
    while (this.#undo.length > mark) this.#undo.pop()!();
  }

  /** Undoes every change of this transaction. */
  rollback(): void {
    this.rollbackTo(0);
  }

  /** Stores a (checked, canonical) value. */
  setValue(node: ObjectNode, param: string, value: string): void {
    const had = node.values.has(param);
    const old = node.values.get(param);
    node.values.set(param, value);
    this.#undo.push(() => {
      if (had) node.values.set(param, old!);
      else node.values.delete(param);
    });
  }

  /** Creates the next instance of a table with default values. */
  addInstance(table: TableNode): ObjectNode {
    const number = table.nextInstance;
    const node = createObjectNode(table.schema, `${table.path}${number}.`);
    table.instances.set(number, node);
    table.nextInstance = number + 1;
    this.#undo.push(() => {
      table.instances.delete(number);
      table.nextInstance = number;
    });
    return node;
  }

  /** Removes an instance (and everything below it). */
  deleteInstance(table: TableNode, number: number): void {
    const node = table.instances.get(number);
    if (node === undefined) return;
    table.instances.delete(number);
    this.#undo.push(() => table.instances.set(number, node));
  }
}
