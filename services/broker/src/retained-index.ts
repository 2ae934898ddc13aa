// What this replica knows of the `mqtt-retained` bucket without its values: every key, as a
// tree of its tokens (one per MQTT level), with its bytes (as retainedMessageBytes counts them)
// and, for messages that expire, when and at which revision. Fed in stream order by a watch of
// the whole bucket, so it is the bucket's state as of the last revision applied. It answers the
// limits, and which keys a wildcard filter matches without asking the server to scan the bucket.
//
// Memory: a key costs a tree node, a slot in its parent's Map and its last token; the tokens are
// copied out of the watch's subject strings (a substring would keep the whole subject alive).
// Measured by bench/retained-store.ts at a million presence keys (44-character topics): 118 bytes
// per key, 112 MiB in all.

/** A key whose message expires, and the revision that carries the expiry. */
export interface ExpiringKey {
  key: string;
  expiresAt: number;
  revision: number;
}

interface Waiter {
  revision: number;
  resolve: (seen: boolean) => void;
  timer: NodeJS.Timeout;
}

/** One token of the keys; `bytes` is -1 where no key ends. */
class KeyNode {
  children: Map<string, KeyNode> | undefined = undefined;
  bytes = -1;
}

const SEPARATOR = '.';
const ANY_TOKEN = '*';
const ALL_BELOW = '>';
// What our keys are made of ('.' between tokens); anything else is left as it is.
const PLAIN = /^[A-Za-z0-9_=.-]+$/;

/** The bucket's keys with their bytes, as the watch delivered them. */
export class RetainedIndex {
  readonly #root = new KeyNode();
  readonly #expiring = new Map<string, { expiresAt: number; revision: number }>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #revisionWaiters = new Set<Waiter>();
  #size = 0;
  #bytes = 0;
  #revision = 0;

  /** Keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held, summed over the keys. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The last revision (stream sequence) applied. */
  get revision(): number {
    return this.#revision;
  }

  /** The bytes of a key, undefined when the bucket does not hold it. */
  bytesOf(key: string): number | undefined {
    let node: KeyNode | undefined = this.#root;
    for (const token of key.split(SEPARATOR)) {
      node = node.children?.get(token);
      if (node === undefined) return undefined;
    }
    return node.bytes < 0 ? undefined : node.bytes;
  }

  /** A value was written at `revision`. */
  put(key: string, revision: number, bytes: number, expiresAt: number | undefined): void {
    let node = this.#root;
    for (const token of key.split(SEPARATOR)) {
      node.children ??= new Map();
      let child = node.children.get(token);
      if (child === undefined) {
        child = new KeyNode();
        node.children.set(copyOf(token), child);
      }
      node = child;
    }
    if (node.bytes < 0) this.#size++;
    this.#bytes += bytes - Math.max(node.bytes, 0);
    node.bytes = bytes;
    if (expiresAt === undefined) this.#expiring.delete(key);
    else this.#expiring.set(copyOf(key), { expiresAt, revision });
    this.#applied(key, revision);
  }

  /** The key was deleted or purged at `revision`. */
  remove(key: string, revision: number): void {
    const path: [KeyNode, string][] = [];
    let node: KeyNode | undefined = this.#root;
    for (const token of key.split(SEPARATOR)) {
      const child: KeyNode | undefined = node.children?.get(token);
      if (child === undefined) {
        node = undefined;
        break;
      }
      path.push([node, token]);
      node = child;
    }
    if (node !== undefined && node.bytes >= 0) {
      this.#size--;
      this.#bytes -= node.bytes;
      node.bytes = -1;
      this.#expiring.delete(key);
      // Unlink tokens no other key uses, so deleted keys hold no memory.
      for (let i = path.length - 1; i >= 0; i--) {
        const [parent, token] = path[i]!;
        const child = parent.children!.get(token)!;
        if (child.bytes >= 0 || child.children !== undefined) break;
        parent.children!.delete(token);
        if (parent.children!.size === 0) parent.children = undefined;
      }
    }
    this.#applied(key, revision);
  }

  /**
   * The keys a key filter (tokens, `*` for one, `>` for one or more) matches, or undefined when
   * there are more than `max`: the walk stops there, so a wide filter costs `max` steps.
   */
  keysMatching(filter: string, max: number): string[] | undefined {
    const found: string[] = [];
    const tokens = filter.split(SEPARATOR);
    const walk = (node: KeyNode, depth: number, prefix: string): boolean => {
      if (depth === tokens.length) {
        if (node.bytes >= 0) found.push(prefix);
        return found.length <= max;
      }
      const token = tokens[depth]!;
      if (token === ALL_BELOW) return below(node, prefix);
      if (token === ANY_TOKEN) {
        for (const [name, child] of node.children ?? []) {
          if (!walk(child, depth + 1, join(prefix, name))) return false;
        }
        return true;
      }
      const child = node.children?.get(token);
      return child === undefined || walk(child, depth + 1, join(prefix, token));
    };
    const below = (node: KeyNode, prefix: string): boolean => {
      for (const [name, child] of node.children ?? []) {
        const key = join(prefix, name);
        if (child.bytes >= 0) found.push(key);
        if (found.length > max || !below(child, key)) return false;
      }
      return true;
    };
    return walk(this.#root, 0, '') ? found : undefined;
  }

  /** Keys whose message has expired at `now`, at most `max` of them. */
  expired(now: number, max: number): ExpiringKey[] {
    const found: ExpiringKey[] = [];
    for (const [key, { expiresAt, revision }] of this.#expiring) {
      if (found.length >= max) break;
      if (expiresAt <= now) found.push({ key, expiresAt, revision });
    }
    return found;
  }

  /**
   * Marks everything up to `revision` as applied: after a replay that started when the stream's
   * last revision was `revision`, whatever of it still exists has been replayed.
   */
  replayedUpTo(revision: number): void {
    if (revision > this.#revision) this.#revision = revision;
    this.#releaseRevisionWaiters();
  }

  /**
   * Resolves true once the change of `key` written at `revision` has been applied, false when
   * `timeoutMs` passes first or the index is cleared.
   */
  waitFor(key: string, revision: number, timeoutMs: number): Promise<boolean> {
    // Revisions arrive in stream order: past `revision`, the change was applied.
    if (this.#revision >= revision) return Promise.resolve(true);
    return this.#wait(key, revision, timeoutMs);
  }

  /**
   * Resolves true at the next change of `key` applied, false after `timeoutMs` or on clear.
   * For writes whose revision is unknown (deletes): call it before writing, so the change
   * cannot come back before anyone waits for it. A concurrent change of the same key by another
   * replica may resolve it first; the index is then right again one change later.
   */
  nextChange(key: string, timeoutMs: number): Promise<boolean> {
    return this.#wait(key, this.#revision + 1, timeoutMs);
  }

  /** Resolves true once every change up to `revision` has been applied, false on timeout or clear. */
  caughtUp(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.#revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.#revisionWaiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.#revisionWaiters.add(waiter);
    });
  }

  /** Forgets everything (the watch starts over); pending waits resolve false. */
  clear(): void {
    this.#root.children = undefined;
    this.#root.bytes = -1;
    this.#expiring.clear();
    this.#size = 0;
    this.#bytes = 0;
    this.#revision = 0;
    const waiters = [...this.#revisionWaiters, ...[...this.#waiters.values()].flat()];
    this.#revisionWaiters.clear();
    this.#waiters.clear();
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
  }

  #wait(key: string, revision: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.#dropWaiter(key, waiter);
          resolve(false);
        }, timeoutMs),
      };
      const list = this.#waiters.get(key);
      if (list === undefined) this.#waiters.set(key, [waiter]);
      else list.push(waiter);
    });
  }

  #applied(key: string, revision: number): void {
    if (revision > this.#revision) this.#revision = revision;
    const list = this.#waiters.get(key);
    if (list !== undefined) {
      const still = list.filter((waiter) => {
        if (waiter.revision > revision) return true;
        clearTimeout(waiter.timer);
        waiter.resolve(true);
        return false;
      });
      if (still.length === 0) this.#waiters.delete(key);
      else this.#waiters.set(key, still);
    }
    this.#releaseRevisionWaiters();
  }

  #releaseRevisionWaiters(): void {
    if (this.#revisionWaiters.size === 0) return;
    for (const waiter of this.#revisionWaiters) {
      if (waiter.revision > this.#revision) continue;
      this.#revisionWaiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }

  #dropWaiter(key: string, waiter: Waiter): void {
    const list = this.#waiters.get(key);
    if (list === undefined) return;
    const still = list.filter((w) => w !== waiter);
    if (still.length === 0) this.#waiters.delete(key);
    else this.#waiters.set(key, still);
  }
}

function join(prefix: string, token: string): string {
  return prefix === '' ? token : `${prefix}${SEPARATOR}${token}`;
}

// A fresh sequential string: a token split out of a key (itself cut from a watch's subject) is
// a view that would keep the whole subject in memory for as long as the index holds the key.
function copyOf(text: string): string {
  return PLAIN.test(text) ? (JSON.parse(`"${text}"`) as string) : text;
}
