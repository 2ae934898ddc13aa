// What the runner asks a load generator process to do, and what it answers. Plain data: it
// crosses the IPC channel as JSON.

/** MQTT protocol levels the generator speaks: 4 is 3.1.1, 5 is 5.0. */
export const MqttVersions = { v311: 4, v5: 5 } as const;
/** One of {@link MqttVersions}. */
export type MqttVersion = (typeof MqttVersions)[keyof typeof MqttVersions];

/** Where a broker listens (always loopback). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** How one client identifies itself in CONNECT. */
export interface ClientIdentity {
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Sent as the MQTT 5 user property `usp-endpoint-id` (USP agents). */
  readonly endpointId?: string;
}

/**
 * Accounts by number, so thousands of clients need no list on the wire: client i uses account
 * `i % accounts`, named `<usernamePrefix><n>` with password `<passwordPrefix><n % passwords>`.
 */
export interface AccountPattern {
  readonly usernamePrefix: string;
  readonly passwordPrefix: string;
  readonly endpointPrefix: string;
  readonly accounts: number;
  readonly passwords: number;
  /** Topic prefix of each account's own topic: `<topicPrefix><endpoint id>`. */
  readonly topicPrefix: string;
  /** false: clients connect without credentials (a peer's anonymous listener). */
  readonly withCredentials: boolean;
}

/** A publisher and the topic it publishes on. */
export interface PublisherSpec {
  readonly client: ClientIdentity;
  readonly topic: string;
  /** Where this client connects instead of the job's endpoint (clients spread over replicas). */
  readonly endpoint?: Endpoint;
}

/** A subscriber and its topic filter: exact, or a shared group's `$share/<group>/<topic>`. */
export interface SubscriberSpec {
  readonly client: ClientIdentity;
  readonly filter: string;
  /** Where this client connects instead of the job's endpoint (clients spread over replicas). */
  readonly endpoint?: Endpoint;
}

/**
 * Clients that belong together: every subscriber whose filter equals a publisher's topic gets
 * its messages, and each shared group on that topic gets one copy for all its members.
 */
export interface FlowUnit {
  readonly publishers: readonly PublisherSpec[];
  readonly subscribers: readonly SubscriberSpec[];
}

/** Publish as fast as flow control allows, and count deliveries over a fixed window. */
export interface ThroughputMode {
  readonly type: 'throughput';
  readonly warmupMs: number;
  readonly windowMs: number;
}

/** Publish at a fixed total rate at scheduled times; latency counts from the scheduled time. */
export interface LatencyMode {
  readonly type: 'latency';
  readonly ratePerSecond: number;
  readonly durationMs: number;
}

/** Message traffic between publishers and subscribers. */
export interface FlowJob {
  readonly kind: 'flow';
  readonly endpoint: Endpoint;
  readonly version: MqttVersion;
  readonly qos: 0 | 1;
  readonly payloadBytes: number;
  /**
   * Messages a publisher keeps in flight: QoS 1 unacknowledged (capped by the broker's Receive
   * Maximum); QoS 0 sent but not yet delivered nor known lost. 0 = unbounded (QoS 0 only).
   */
  readonly window: number;
  readonly units: readonly FlowUnit[];
  readonly mode: ThroughputMode | LatencyMode;
  /** After publishing stops: how long to wait for the last deliveries. */
  readonly drainTimeoutMs: number;
  /** Subscribers read at most this many bytes per second (0 = as fast as they can): a flood's slow consumer. */
  readonly subscriberBytesPerSecond: number;
}

/** Connect, subscribe to the account's own topic, disconnect: `count` times, `concurrency` at once. */
export interface ConnectJob {
  readonly kind: 'connect';
  readonly endpoint: Endpoint;
  readonly version: MqttVersion;
  readonly accounts: AccountPattern;
  readonly clientIdPrefix: string;
  readonly first: number;
  readonly count: number;
  readonly concurrency: number;
}

/** Open `count` connections and keep them until told to close them. */
export interface IdleOpenJob {
  readonly kind: 'idle-open';
  readonly endpoint: Endpoint;
  readonly version: MqttVersion;
  readonly accounts: AccountPattern;
  readonly clientIdPrefix: string;
  readonly first: number;
  readonly count: number;
  readonly concurrency: number;
  readonly keepAliveSeconds: number;
  /** Also subscribe each connection to its account's own topic. */
  readonly subscribe: boolean;
}

/** A job a generator runs. */
export type Job = FlowJob | ConnectJob | IdleOpenJob;

/** Runner → generator. `prepare` connects a flow's clients; `start` runs it. */
export type GeneratorCommand =
  | { readonly id: number; readonly cmd: 'prepare'; readonly job: FlowJob }
  | { readonly id: number; readonly cmd: 'start' }
  | { readonly id: number; readonly cmd: 'stop-publishing' }
  | { readonly id: number; readonly cmd: 'connect'; readonly job: ConnectJob }
  | { readonly id: number; readonly cmd: 'idle-open'; readonly job: IdleOpenJob }
  | { readonly id: number; readonly cmd: 'idle-close' };

/** Failure reason → how often it happened. */
export type ReasonCounts = Record<string, number>;

/** What a flow measured in one generator. */
export interface FlowResult {
  /** PUBLISHes written. */
  readonly sent: number;
  /** QoS 1 PUBLISHes the broker acknowledged with success. */
  readonly acked: number;
  /** Copies the subscribers should get: acked (QoS 1) or sent (QoS 0) × matching subscribers. */
  readonly expected: number;
  readonly delivered: number;
  /** Deliveries inside the measured window, and the window's length. */
  readonly windowDelivered: number;
  readonly windowSent: number;
  readonly windowMs: number;
  /** A copy received twice, or a sequence number that went backwards. */
  readonly duplicates: number;
  /** Sequence numbers skipped (messages that never arrived, counted as they are noticed). */
  readonly gaps: number;
  /** Latency mode: milliseconds from scheduled send to delivery, unsorted. */
  readonly latenciesMs: number[];
  readonly maxSendLagMs: number;
  /** CPU the generator process used during the window, as a share of one core. */
  readonly generatorCpu: number;
  /** Bytes the subscribers read (a flood's slow consumer). */
  readonly subscriberBytes: number;
  /** PUBACKs with an error reason code, connections the broker closed, and other trouble. */
  readonly problems: ReasonCounts;
  /** Whether the job stopped early because the runner asked it to. */
  readonly stoppedEarly: boolean;
}

/** What a connect job measured. */
export interface ConnectResult {
  readonly completed: number;
  readonly failures: ReasonCounts;
  readonly seconds: number;
  /** Milliseconds from opening the socket to SUBACK, per successful client, unsorted. */
  readonly latenciesMs: number[];
  /** Of which from opening the socket to CONNACK. */
  readonly connackMs: number[];
}

/** What opening idle connections did. */
export interface IdleOpenResult {
  readonly opened: number;
  readonly failures: ReasonCounts;
  readonly seconds: number;
}

/** What closing them found. */
export interface IdleCloseResult {
  /** Connections the broker had closed before we closed them. */
  readonly closedByBroker: number;
}

/** Generator → runner. */
export type GeneratorMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | {
      readonly type: 'event';
      readonly id: number;
      readonly name: 'window-start' | 'window-end';
    };

/** The identity of client i of an account pattern. */
export function accountIdentity(
  pattern: AccountPattern,
  clientIdPrefix: string,
  i: number,
): ClientIdentity & { readonly topic: string } {
  const n = i % pattern.accounts;
  const endpointId = `${pattern.endpointPrefix}${n}`;
  return {
    clientId: `${clientIdPrefix}${i}`,
    ...(pattern.withCredentials
      ? {
          username: `${pattern.usernamePrefix}${n}`,
          password: `${pattern.passwordPrefix}${n % pattern.passwords}`,
        }
      : {}),
    endpointId,
    topic: `${pattern.topicPrefix}${endpointId}`,
  };
}
