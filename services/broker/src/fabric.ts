// The NATS fabric: every accepted PUBLISH goes to this replica's sessions at once and, when its
// topic matches MQTT_FABRIC_EXPORT, to NATS on `mqtt.msg.<encoded topic>`, with its MQTT properties and the publisher's authenticated
// identity in headers (design.md). Other replicas route what they receive; the usp-router
// reads the USP topics from the same subjects. A replica ignores its own messages on the way
// back. Messages from NATS are validated like any input: a bad subject or header is dropped
// and counted, never routed.
import {
  decodeFabricHeaders,
  encodeFabricHeaders,
  FABRIC_SUBJECT_PREFIX,
  subjectToTopic,
  topicToSubject,
  type FabricMessage,
} from '@octomesh/contracts';
import {
  orderedPairs,
  userPropertiesOf,
  type EngineIdentity,
  type Message,
  type MessageFabric,
} from '@octomesh/mqtt-engine';
import { headersOf, type Msg, type NatsConnection } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';
import { levelsMatch, splitLevels } from '@octomesh/acl-rules';

/** Counters of the fabric (metrics). */
export interface FabricCounters {
  published: number;
  received: number;
  invalid: number;
}

type Handler = (message: Message) => void;

/** The properties a fabric message carries, from an engine message. */
function toFabric(message: Message, replica: string): FabricMessage {
  const p = message.properties;
  const fabric: FabricMessage = { qos: message.qos, retain: message.retain, replica };
  if (message.expiresAt !== undefined) fabric.expiresAt = message.expiresAt;
  if (p.payloadFormatIndicator !== undefined)
    fabric.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.contentType !== undefined) fabric.contentType = p.contentType;
  if (p.responseTopic !== undefined) fabric.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) fabric.correlationData = p.correlationData;
  const pairs = userPropertyPairs(p.userProperties);
  if (pairs.length > 0) fabric.userProperties = pairs;
  if (message.publisher !== undefined) {
    fabric.publisher = {
      subject: message.publisher.subject,
      role: message.publisher.role,
      endpointId: message.publisher.endpointId,
      clientId: message.publisher.clientId,
    };
  }
  return fabric;
}

// The engine keeps the wire order of parsed user properties; otherwise object order.
function userPropertyPairs(
  userProperties: Record<string, string | string[]> | undefined,
): (readonly [string, string])[] {
  if (userProperties === undefined) return [];
  const ordered = orderedPairs(userProperties);
  if (ordered !== undefined) return [...ordered];
  return Object.entries(userProperties).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => [name, v] as const),
  );
}

/** The engine message for a fabric message received from another replica. */
export function fromFabric(topic: string, payload: Uint8Array, fabric: FabricMessage): Message {
  const properties: Message['properties'] = {};
  if (fabric.payloadFormatIndicator !== undefined)
    properties.payloadFormatIndicator = fabric.payloadFormatIndicator;
  if (fabric.contentType !== undefined) properties.contentType = fabric.contentType;
  if (fabric.responseTopic !== undefined) properties.responseTopic = fabric.responseTopic;
  if (fabric.correlationData !== undefined) properties.correlationData = fabric.correlationData;
  if (fabric.userProperties !== undefined)
    properties.userProperties = userPropertiesOf(fabric.userProperties);
  const publisher: EngineIdentity | undefined =
    fabric.publisher === undefined ? undefined : { ...fabric.publisher, username: '' };
  return {
    topic,
    payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    qos: fabric.qos,
    retain: fabric.retain,
    properties,
    expiresAt: fabric.expiresAt,
    publisherClientId: fabric.publisher?.clientId ?? '',
    ...(publisher !== undefined ? { publisher } : {}),
    remote: true,
  };
}

/** A MessageFabric over NATS. */
export class NatsFabric implements MessageFabric {
  readonly counters: FabricCounters = { published: 0, received: 0, invalid: 0 };
  readonly #nc: NatsConnection;
  readonly #replica: string;
  readonly #logger: Logger;
  readonly #handlers = new Set<Handler>();
  #subscription: { unsubscribe(): void } | undefined;
  #closed = false;

  /** Filters of the messages sent to NATS, as levels, and their literal leading text. */
  readonly #export: readonly string[][];
  readonly #exportPrefixes: readonly string[];

  constructor(
    nc: NatsConnection,
    replica: string,
    logger: Logger,
    exportFilters: readonly string[],
  ) {
    this.#nc = nc;
    this.#replica = replica;
    this.#logger = logger;
    this.#export = exportFilters.map(splitLevels);
    this.#exportPrefixes = this.#export.map((levels) => {
      const wildcard = levels.findIndex((l) => l === '+' || l === '#');
      return (wildcard === -1 ? levels : levels.slice(0, wildcard)).join('/');
    });
  }

  // Called for every PUBLISH: a string prefix test first, levels only for candidates.
  #exported(topic: string): boolean {
    if (!this.#exportPrefixes.some((prefix) => topic.startsWith(prefix))) return false;
    const levels = splitLevels(topic);
    return this.#export.some((filter) => levelsMatch(filter, levels));
  }

  publish(message: Message): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('fabric closed'));
    // This replica's sessions first, without a round trip through NATS.
    for (const handler of this.#handlers) handler(message);
    // $SYS statistics describe this replica alone; other topics go out when exported (every
    // NATS publish costs: the full fabric is opt-in until replicas share their interest).
    if (message.topic.startsWith('$SYS/') || !this.#exported(message.topic))
      return Promise.resolve();
    this.#nc.publish(topicToSubject(message.topic), message.payload, {
      headers: headersOf(encodeFabricHeaders(toFabric(message, this.#replica))),
    });
    this.counters.published++;
    return Promise.resolve();
  }

  subscribe(handler: Handler): () => void {
    this.#handlers.add(handler);
    this.#subscription ??= this.#nc.subscribe(`${FABRIC_SUBJECT_PREFIX}.>`, {
      callback: (error, msg) => {
        if (error === null) this.#receive(msg);
      },
    });
    return () => this.#handlers.delete(handler);
  }

  #receive(msg: Msg): void {
    let message: Message;
    try {
      const headers = msg.headers;
      if (headers === undefined) throw new Error('no headers');
      const fabric = decodeFabricHeaders((name) => headers.values(name));
      if (fabric.replica === this.#replica) return;
      message = fromFabric(subjectToTopic(msg.subject), msg.data, fabric);
    } catch (error) {
      this.counters.invalid++;
      this.#logger.warn(
        { subject: msg.subject.slice(0, 200), error: (error as Error).message },
        'invalid fabric message dropped',
      );
      return;
    }
    this.counters.received++;
    for (const handler of this.#handlers) handler(message);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#subscription?.unsubscribe();
    this.#handlers.clear();
    return Promise.resolve();
  }
}
