// Oktopus compatibility: the NATS subjects Oktopus's mqtt-adapter serves and publishes, with
// the same payloads, so an unchanged Oktopus controller works against Octomesh.
//
//   agent Record on <prefix>/controller/<id>  → mqtt.usp.v1.<id>.info    (raw Record)
//   agent Record on <prefix>/api/<id>         → device.usp.v1.<id>.api   (raw Record)
//   presence change                           → mqtt.usp.v1.<id>.status  ("1" / "0")
//   mqtt-adapter.usp.v1.<id>.info (Record)    → agent topic, Response Topic <prefix>/controller/<id>
//   mqtt-adapter.usp.v1.<id>.api  (Record)    → agent topic, Response Topic <prefix>/api/<id>
//   mqtt-adapter.usp.v1.rtt (request)         → {"Code":200,"Msg":<round trip in µs>}
//
// Unlike the Oktopus adapter, only Records that passed the router's checks (to_id, and from_id
// equal to the authenticated endpoint) are passed on, and a controller's Record is sent only
// when it is addressed to the endpoint named in the subject.
import { decodeUspRecord, QueueGroups, uspTopics } from '@octomesh/contracts';
import type { Msg, NatsConnection } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { USP_CONTENT_TYPE, type PublishToTopic } from './fabric.ts';
import type { RecordObserver } from './inbound.ts';
import type { PresenceObserver } from './presence.ts';
import type { Endpoint, EndpointRegistry } from './registry.ts';

/** Oktopus subject prefixes. */
export const OktopusSubjects = {
  mqtt: 'mqtt.usp.v1.',
  device: 'device.usp.v1.',
  adapter: 'mqtt-adapter.usp.v1.',
} as const;

// Oktopus puts the endpoint id in one subject token as it is: ids that are no valid token
// (dots, wildcards, spaces) cannot be carried and are skipped (counted).
const TOKEN = /^[^\s.*>]+$/;

/** Counters of the compatibility layer. */
export interface OktopusCounters {
  forwardedToControllers: number;
  forwardedToAgents: number;
  refused: number;
}

/** What the router's inbound Records and presence tell the compatibility layer. */
export interface OktopusObserver {
  onRecord: RecordObserver;
  onPresence: PresenceObserver;
}

/** What the compatibility layer works with. */
export interface OktopusParts {
  nc: NatsConnection;
  registry: EndpointRegistry;
  publish: PublishToTopic;
  prefix: string;
  logger: Logger;
}

/**
 * Publishes a controller's Record as it is to an endpoint's agent topic with the given Response
 * Topic: the Oktopus controller matches its own answers, so nothing waits here.
 */
export async function forwardToAgent(
  parts: Pick<OktopusParts, 'registry' | 'publish' | 'prefix'>,
  endpointId: string,
  record: Uint8Array,
  responseTopic: string,
): Promise<void> {
  const endpoint = await parts.registry.forRequest(endpointId);
  parts.publish(endpoint?.agentTopic || uspTopics(parts.prefix).agent(endpointId), record, {
    contentType: USP_CONTENT_TYPE,
    responseTopic,
  });
}

/** Starts the Oktopus subjects; returns the observer to give the router and a stop function. */
export function startOktopusCompat(parts: OktopusParts): {
  observer: OktopusObserver;
  counters: OktopusCounters;
  stop: () => void;
} {
  const { nc, prefix, logger } = parts;
  const topics = uspTopics(prefix);
  const counters: OktopusCounters = { forwardedToControllers: 0, forwardedToAgents: 0, refused: 0 };
  const controllerLevel = `${prefix}/controller/`;
  const apiLevel = `${prefix}/api/`;

  const observer: OktopusObserver = {
    onRecord(topic, endpointId, record) {
      if (!TOKEN.test(endpointId)) {
        counters.refused++;
        return;
      }
      if (topic === `${controllerLevel}${endpointId}`) {
        nc.publish(`${OktopusSubjects.mqtt}${endpointId}.info`, record);
      } else if (topic === `${apiLevel}${endpointId}`) {
        nc.publish(`${OktopusSubjects.device}${endpointId}.api`, record);
      } else {
        return;
      }
      counters.forwardedToControllers++;
    },
    onPresence(endpoint: Endpoint) {
      if (!TOKEN.test(endpoint.endpointId)) return;
      nc.publish(
        `${OktopusSubjects.mqtt}${endpoint.endpointId}.status`,
        Buffer.from(endpoint.online ? '1' : '0'),
      );
    },
  };

  const toAgent = (msg: Msg, kind: 'info' | 'api'): void => {
    // mqtt-adapter.usp.v1.<id>.<kind>: the id is every token between prefix and kind.
    const id = msg.subject.slice(OktopusSubjects.adapter.length, -(kind.length + 1));
    try {
      if (!TOKEN.test(id) || id !== id.trim()) throw new Error('endpoint id is not one token');
      const record = decodeUspRecord(msg.data);
      if (record.toId !== id) throw new Error('the record is addressed to another endpoint');
      void forwardToAgent(
        parts,
        id,
        msg.data,
        kind === 'info' ? topics.controllerFor(id) : topics.api(id),
      )
        .then(() => counters.forwardedToAgents++)
        .catch((error: unknown) => {
          counters.refused++;
          logger.warn(
            { endpointId: id, error: (error as Error).message },
            'oktopus request not sent',
          );
        });
    } catch (error) {
      counters.refused++;
      logger.warn(
        { subject: msg.subject.slice(0, 200), error: (error as Error).message },
        'oktopus request refused',
      );
    }
  };

  const subscriptions = [
    nc.subscribe(`${OktopusSubjects.adapter}*.info`, {
      queue: QueueGroups.uspRouter,
      callback: (error, msg) => {
        if (error === null) toAgent(msg, 'info');
      },
    }),
    nc.subscribe(`${OktopusSubjects.adapter}*.api`, {
      queue: QueueGroups.uspRouter,
      callback: (error, msg) => {
        if (error === null) toAgent(msg, 'api');
      },
    }),
    nc.subscribe(`${OktopusSubjects.adapter}rtt`, {
      queue: QueueGroups.uspRouter,
      callback: (error, msg) => {
        if (error !== null) return;
        // Oktopus answers with the TCP round trip to the broker in µs; ours is the round trip
        // to NATS, which every broker shares.
        nc.rtt()
          .then((ms) => msg.respond(JSON.stringify({ Code: 200, Msg: Math.round(ms * 1000) })))
          .catch((e: unknown) =>
            msg.respond(JSON.stringify({ Code: 500, Msg: (e as Error).message })),
          );
      },
    }),
  ];
  return {
    observer,
    counters,
    stop: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
