// Retained messages that reach the fabric without a broker: the usp-router announces each
// endpoint's presence as a retained message on `<prefix>/status/<id>` straight on NATS. Brokers
// receive fabric messages only for their clients' filters, so one of them (a NATS queue group
// of every replica) takes each such message and keeps it in the shared retained store, where
// every replica finds it for later subscribers. Messages a broker published are skipped: their
// replica stored them already.
import { fabricSubscription, decodeFabricHeaders, subjectToTopic } from '@octomesh/contracts';
import type { RetainedStore } from '@octomesh/mqtt-engine';
import type { NatsConnection, Subscription } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { fromFabric } from './fabric.ts';

/** Counters (metrics). */
export interface RetainedImportCounters {
  imported: number;
  failed: number;
  invalid: number;
}

const QUEUE = 'mqtt-retained-import';

/** Keeps retained messages that other services publish on the fabric, for `filters`. */
export function importRetained(
  nc: NatsConnection,
  store: RetainedStore,
  filters: readonly string[],
  logger: Logger,
): { counters: RetainedImportCounters; stop(): void } {
  const counters: RetainedImportCounters = { imported: 0, failed: 0, invalid: 0 };
  const subscriptions: Subscription[] = [];
  for (const filter of filters) {
    const { subjects, admits } = fabricSubscription(filter);
    for (const subject of subjects) {
      subscriptions.push(
        nc.subscribe(subject, {
          queue: QUEUE,
          callback: (error, msg) => {
            if (error !== null || !admits(msg.subject)) return;
            let message;
            try {
              const headers = msg.headers;
              if (headers === undefined) throw new Error('no headers');
              const fabric = decodeFabricHeaders((name) => headers.values(name));
              // Brokers number their messages and store their own retained ones.
              if (!fabric.retain || fabric.seq !== undefined) return;
              message = fromFabric(subjectToTopic(msg.subject), msg.data, fabric);
            } catch (cause) {
              counters.invalid++;
              logger.warn(
                { subject: msg.subject.slice(0, 200), error: (cause as Error).message },
                'invalid retained fabric message dropped',
              );
              return;
            }
            store
              .set({
                topic: message.topic,
                payload: message.payload,
                qos: message.qos,
                properties: message.properties as Record<string, unknown>,
                ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
              })
              .then(
                () => counters.imported++,
                (cause: unknown) => {
                  counters.failed++;
                  logger.warn(
                    { topic: message.topic, error: (cause as Error).message },
                    'retained message from the fabric not kept',
                  );
                },
              );
          },
        }),
      );
    }
  }
  return {
    counters,
    stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}
