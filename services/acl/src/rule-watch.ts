// Feeds the rule book from KV bucket `mqtt-acl` and announces every change on
// mesh.acl.v1.changed so brokers drop cached verdicts.
import { BucketSpecs, decodeKvKey, mesh, Subjects } from '@octomesh/contracts';
import {
  openBucket,
  watchBucket,
  type BucketWatch,
  type KvEntry,
  type NatsConnection,
} from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import type { RuleBook } from './domain/rule-book.ts';

function entryValue(entry: KvEntry): unknown {
  if (entry.operation !== 'PUT') return undefined;
  try {
    return entry.json();
  } catch {
    return entry.string();
  }
}

/** Loads every rule, then keeps following changes; resolves once the initial rules are in. */
export async function followRules(
  nc: NatsConnection,
  book: RuleBook,
  logger: Logger,
  replicas = 1,
): Promise<BucketWatch> {
  const kv = await openBucket(nc, BucketSpecs.acl, replicas);
  let initialDone = false;
  let markDone: () => void = () => undefined;
  const initial = new Promise<void>((resolve) => {
    markDone = resolve;
  });
  const watch = await watchBucket(
    kv,
    (entry) => {
      let ruleId: string;
      try {
        ruleId = decodeKvKey(entry.key);
      } catch {
        logger.error({ key: entry.key }, 'acl key not written by octomesh ignored');
        return;
      }
      const change = book.apply(ruleId, entry.revision, entryValue(entry));
      if (change.problem !== undefined) {
        logger.error(
          { ruleId: change.ruleId, problem: change.problem },
          'invalid acl rule ignored',
        );
      }
      if (!initialDone) return;
      logger.info(
        { ruleId: change.ruleId, operation: change.operation, revision: entry.revision },
        'acl rules changed',
      );
      nc.publish(
        Subjects.aclChanged,
        mesh.acl.v1.RulesChanged.encode({
          revision: entry.revision,
          ruleId: change.ruleId,
          operation: change.operation,
        }).finish(),
      );
    },
    {
      onInitialDone: () => {
        initialDone = true;
        markDone();
      },
      onEntryError: (error, entry) =>
        logger.error(
          { key: entry.key, error: (error as Error).message },
          'acl rule change not applied',
        ),
    },
  );
  await initial;
  logger.info(
    { rules: book.rules().length, invalid: book.invalid.size, revision: book.revision },
    'acl rules loaded',
  );
  return watch;
}
