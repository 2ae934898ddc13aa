// JetStream KV access for the services: buckets are created on first use with settings fit
// for the data they keep, and watches are wrapped so callers see plain entries.
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { BucketSpec } from '@octomesh/contracts';

export type { KV, KvEntry } from '@nats-io/kv';

/**
 * Opens a bucket the mesh owns, creating it when missing with `replicas` copies (1, 3 or 5: on a
 * NATS cluster, 3 keeps it readable and writable with one node down). An existing bucket whose
 * history differs from the spec (made by an older version or by hand) is brought to the spec, so
 * whoever opens it first cannot decide how many old values (password hashes) are kept; one with
 * fewer replicas than asked is raised (never lowered: another service may have asked for more).
 */
export async function openBucket(nc: NatsConnection, spec: BucketSpec, replicas = 1): Promise<KV> {
  if (![1, 3, 5].includes(replicas)) {
    throw new RangeError(`KV replicas must be 1, 3 or 5 (got ${replicas})`);
  }
  const kv = await new Kvm(nc).create(spec.name, {
    history: spec.history,
    description: spec.description,
    replicas,
  });
  const status = await kv.status();
  if (status.history !== spec.history || status.replicas < replicas) {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.info(status.streamInfo.config.name);
    await jsm.streams.update(stream.config.name, {
      ...stream.config,
      max_msgs_per_subject: spec.history,
      num_replicas: Math.max(replicas, stream.config.num_replicas),
    });
  }
  return kv;
}

/** Opens an existing KV bucket without creating it; undefined when it does not exist. */
export async function openExistingBucket(
  nc: NatsConnection,
  name: string,
): Promise<KV | undefined> {
  const kvm = new Kvm(nc);
  for await (const status of kvm.list()) {
    if (status.bucket === name) return kvm.open(name);
  }
  return undefined;
}

/**
 * Watches every key of a bucket; `onEntry` sees the current values first, then every change.
 * `onInitialDone` runs once the current values have all been seen (at once for an empty bucket).
 */
export async function watchBucket(
  kv: KV,
  onEntry: (entry: KvEntry) => void,
  options: {
    onInitialDone?: () => void;
    onEntryError?: (error: unknown, entry: KvEntry) => void;
  } = {},
): Promise<BucketWatch> {
  // The v3 client marks the last replayed value (and every later change) with isUpdate; an
  // empty bucket replays nothing, so emptiness is read from the bucket status first.
  const empty = (await kv.status()).values === 0;
  const iterator = await kv.watch({ key: '>' });
  let initialDone = false;
  const finishInitial = (): void => {
    if (initialDone) return;
    initialDone = true;
    options.onInitialDone?.();
  };
  if (empty) finishInitial();
  // A watch that ends on its own (the client gave up re-creating its consumer) must be seen:
  // the caller would otherwise go on deciding with stale data.
  return consume(iterator, onEntry, options.onEntryError, (entry) => {
    if (entry.isUpdate) finishInitial();
  });
}

// Feeds a watch's entries to `onEntry` (its errors to `onEntryError`) until it ends; `after`
// runs after each entry.
function consume<E extends KvEntry>(
  iterator: AsyncIterable<E> & { stop(): void },
  onEntry: (entry: E) => void,
  onEntryError: ((error: unknown, entry: E) => void) | undefined,
  after: (entry: E) => void = () => undefined,
): BucketWatch {
  let stopping = false;
  const ended = (async (): Promise<{ expected: boolean; error?: unknown }> => {
    try {
      for await (const entry of iterator) {
        try {
          onEntry(entry);
        } catch (error) {
          onEntryError?.(error, entry);
        }
        after(entry);
      }
      return { expected: stopping };
    } catch (error) {
      return { expected: stopping, error };
    }
  })();
  return {
    ended,
    stop: () => {
      stopping = true;
      iterator.stop();
    },
  };
}

/** A running bucket watch. */
export interface BucketWatch {
  /** Settles when the watch ends; `expected` is false when it ended without stop(). */
  readonly ended: Promise<{ expected: boolean; error?: unknown }>;
  stop(): void;
}

/**
 * Watches the changes of a bucket from now on (no replay of current values: a bucket of
 * millions of accounts costs nothing at start). Same ending contract as {@link watchBucket}.
 */
export async function watchChanges(
  kv: KV,
  onEntry: (entry: KvEntry) => void,
  onEntryError?: (error: unknown, entry: KvEntry) => void,
): Promise<BucketWatch> {
  const iterator = await kv.watch({ key: '>', include: 'updates' });
  return consume(iterator, onEntry, onEntryError);
}
