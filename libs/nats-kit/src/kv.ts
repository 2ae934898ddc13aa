// JetStream KV access for the services: buckets are created on first use with settings fit
// for the data they keep, and watches are wrapped so callers see plain entries.
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

export type { KV, KvEntry } from '@nats-io/kv';

/** Settings for a bucket. */
export interface BucketOptions {
  /** Revisions kept per key (audit of credential and rule changes). */
  history?: number;
  description?: string;
}

/** Opens a KV bucket, creating it when it does not exist yet. */
export async function openBucket(
  nc: NatsConnection,
  name: string,
  options: BucketOptions = {},
): Promise<KV> {
  return new Kvm(nc).create(name, {
    history: options.history ?? 5,
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
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
  options: { onInitialDone?: () => void } = {},
): Promise<{ stop(): void }> {
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
  void (async () => {
    for await (const entry of iterator) {
      onEntry(entry);
      if (entry.isUpdate) finishInitial();
    }
  })();
  return { stop: () => iterator.stop() };
}
