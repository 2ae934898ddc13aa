import { decodeKvKey } from '@octomesh/contracts';

/** A KV key for messages: decoded when octomesh wrote it, shown raw otherwise. */
export function keyName(key: string): string {
  try {
    return decodeKvKey(key);
  } catch {
    return `${key} (not written by octomesh)`;
  }
}
