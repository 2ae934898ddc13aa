// A multimap from a key (an identity's subject or username) to the client ids of its sessions,
// so the engine finds one identity's sessions without scanning every session.

/** Client ids by key; empty sets are dropped. */
export class KeyIndex {
  readonly #byKey = new Map<string, Set<string>>();

  /** Adds `clientId` under `key`. */
  add(key: string, clientId: string): void {
    let ids = this.#byKey.get(key);
    if (ids === undefined) this.#byKey.set(key, (ids = new Set()));
    ids.add(clientId);
  }

  /** Removes `clientId` from under `key`. */
  remove(key: string, clientId: string): void {
    const ids = this.#byKey.get(key);
    ids?.delete(clientId);
    if (ids?.size === 0) this.#byKey.delete(key);
  }

  /** The client ids under `key` (a copy). */
  get(key: string): string[] {
    return [...(this.#byKey.get(key) ?? [])];
  }
}
