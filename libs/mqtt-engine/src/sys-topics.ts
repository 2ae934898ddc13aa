// $SYS statistics: retained messages under $SYS/broker/, refreshed every interval. Only rules
// that name $SYS can grant them (wildcards at the first level never match $ topics
// [MQTT-4.7.2-1]); the default policy gives them to admins.
import type { EngineCounters } from './counters.ts';
import type { Message } from './types.ts';

/** What $SYS reads of the engine (the engine itself; narrow so this imports no engine). */
export interface SysSource {
  readonly counters: Readonly<EngineCounters>;
  readonly connections: { readonly size: number };
  readonly sessions: { readonly size: number };
  readonly openConnections: number;
  readonly index: { readonly size: number };
  publish(message: Message): Promise<void>;
}

/** The statistics and their values, as published. */
export function sysStatistics(
  engine: SysSource,
  startedAt: number,
  now = Date.now(),
): Record<string, number> {
  const c = engine.counters;
  return {
    'clients/connected': engine.connections.size,
    'clients/sessions': engine.sessions.size,
    'connections/open': engine.openConnections,
    'messages/received': c.messagesReceived,
    'messages/routed': c.messagesRouted,
    'messages/publish-denied': c.publishDenied,
    'subscriptions/count': engine.index.size,
    'clients/refused': c.connectsRefused,
    'clients/slow-disconnected': c.slowSubscribersDisconnected,
    'uptime-seconds': Math.floor((now - startedAt) / 1000),
  };
}

/** Publishes the statistics every `intervalSeconds`; returns a stop function. */
export function startSysTopics(engine: SysSource, intervalSeconds: number): () => void {
  const startedAt = Date.now();
  const publishAll = (): void => {
    for (const [name, value] of Object.entries(sysStatistics(engine, startedAt))) {
      void engine.publish({
        topic: `$SYS/broker/${name}`,
        payload: Buffer.from(String(value)),
        qos: 0,
        retain: true,
        properties: {},
        expiresAt: undefined,
        publisherClientId: '$SYS',
      });
    }
  };
  publishAll();
  const timer = setInterval(publishAll, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
