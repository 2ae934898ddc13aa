// What every part of the router (presence, requests, inbound Records) works with, and the
// counters they share, rendered on /metrics (metrics.ts).
import type { UspTopics } from '@octomesh/contracts';
import type { NatsConnection } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import type { RouterConfig } from './config.ts';
import { DropReasons, type DropReason } from './domain/records.ts';
import type { PublishToTopic } from './fabric.ts';
import type { EndpointRegistry } from './registry.ts';

/** What every part of the router works with. */
export interface RouterParts {
  nc: NatsConnection;
  registry: EndpointRegistry;
  /** The one way to publish on the MQTT fabric. */
  publish: PublishToTopic;
  topics: UspTopics;
  config: RouterConfig;
  counters: RouterCounters;
  logger: Logger;
}

/** Counters for /metrics. */
export interface RouterCounters {
  recordsReceived: number;
  dropped: Record<DropReason, number>;
  foreignTopicsIgnored: number;
  requestsSent: number;
  answersMatched: number;
  answersUnmatched: number;
  timeouts: number;
  notifications: number;
  notifyResponsesSent: number;
  presenceChanges: number;
  livenessTimeouts: number;
}

/** Counters at zero, with one drop counter per reason. */
export function newRouterCounters(): RouterCounters {
  return {
    recordsReceived: 0,
    dropped: Object.fromEntries(DropReasons.map((reason) => [reason, 0])) as Record<
      DropReason,
      number
    >,
    foreignTopicsIgnored: 0,
    requestsSent: 0,
    answersMatched: 0,
    answersUnmatched: 0,
    timeouts: 0,
    notifications: 0,
    notifyResponsesSent: 0,
    presenceChanges: 0,
    livenessTimeouts: 0,
  };
}
