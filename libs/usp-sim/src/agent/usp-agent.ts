// A simulated USP agent that behaves on MQTT as OBUSPA does (TR-369 MQTT binding):
// - MQTT 5 (default): empty client id (the broker assigns one), clean start, keep-alive 60, the
//   `usp-endpoint-id` user property and Request Response Information; the agent topic comes from
//   CONNACK. It subscribes at QoS 0, publishes an MQTTConnect Record to the controller topic
//   (Content Type, Response Topic = agent topic), then Boot!, and answers each request on the
//   request's Response Topic with its Correlation Data.
// - MQTT 3.1.1: client id = endpoint id, subscription `<agent topic>/#`, and every Record goes to
//   `<topic>/reply-to=<agent topic with / as %2F>` [R-MQTT.24], answers to the topic named by
//   the request's own reply-to, if any [R-MQTT.25].
// Its data model is created on the first request, so idle agents stay cheap.
import {
  DEFAULT_TOPIC_PREFIX,
  decodeUspMsg,
  OctomeshError,
  decodeUspRecord,
  uspTopics,
  type usp,
  type usp_record,
} from '@octomesh/contracts';
import type { AgentEffect } from '../handlers/handler-context.ts';
import { handleUspMsg } from '../handlers/handle-msg.ts';
import type { DeviceModel } from '../model/device-model.ts';
import {
  bootParameterMap,
  createSimDeviceModel,
  identityFor,
  type DeviceIdentity,
} from '../model/sim-data-model.ts';
import { openIdleProbe, type IdleProbe } from '../mqtt/idle-probe.ts';
import {
  MqttClient,
  type CloseInfo,
  type IncomingMessage,
  type MqttTlsOptions,
} from '../mqtt/mqtt-client.ts';
import {
  BootCauses,
  bootNotify,
  operationCompleteNotify,
  type BootCause,
} from '../usp/notifications.ts';
import { notifyMsg } from '../usp/usp-messages.ts';
import { agentTopicsFromConnack, replyToSuffix, replyToTopic } from './mqtt-topics.ts';
import { PendingNotifies, type NotifyRetryOptions } from './notify-retries.ts';
import { mqttConnectRecord, noSessionRecord } from './usp-records.ts';

/** MQTT versions an agent speaks. */
export const UspMqttVersions = { v5: '5', v311: '3.1.1' } as const;
/** One of {@link UspMqttVersions}. */
export type UspMqttVersion = (typeof UspMqttVersions)[keyof typeof UspMqttVersions];

/** The controller endpoint id Oktopus uses, and so the default `to_id` of agent notifications. */
export const DEFAULT_CONTROLLER_ID = 'oktopusController';

/** Reconnection after the broker drops an online agent (off unless given). */
export interface ReconnectOptions {
  /** First wait, ms (default 1000); doubles per failed attempt. */
  minDelayMs?: number;
  /** Longest wait, ms (default 60000). */
  maxDelayMs?: number;
}

/** Settings of one {@link UspAgent}. */
export interface UspAgentOptions {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  url: string;
  endpointId: string;
  mqttVersion?: UspMqttVersion;
  username?: string;
  password?: string;
  /** Default: '' (assigned by the broker) in MQTT 5, the endpoint id in 3.1.1 [R-MQTT.8]. */
  clientId?: string;
  /** Topic prefix (default `oktopus/usp/v1`). */
  topicPrefix?: string;
  /** Where Records to controllers go (default `<prefix>/controller`). */
  controllerTopic?: string;
  /** `to_id` of the Connect Record and notifications (default `oktopusController`). */
  controllerId?: string;
  /** The agent topic when CONNACK names none (default `<prefix>/agent/<endpoint id>`). */
  agentTopic?: string;
  /** Send Boot! after connecting (default true). */
  boot?: boolean;
  /** Boot! Cause of the first boot (default LocalReboot). */
  bootCause?: BootCause;
  /** send_resp of notifications, which then wait for NotifyResp and retry (default true). */
  notifySendResp?: boolean;
  notifyRetry?: NotifyRetryOptions;
  /** subscription_id of Boot! and OperationComplete (default `sim-boot`, `sim-operation`). */
  subscriptionIds?: { boot?: string; operationComplete?: string };
  /** QoS of every Record the agent publishes (default 1). */
  publishQos?: 0 | 1;
  /** MQTT 5 Content Type of Records (default `usp.msg`). */
  contentType?: string;
  keepAliveSeconds?: number;
  /** MQTT 5: ask for Response Information (default true). */
  requestResponseInformation?: boolean;
  tls?: MqttTlsOptions;
  connectTimeoutMs?: number;
  /** Also open an idle TCP connection that sends nothing, as OBUSPA does. */
  probe?: boolean;
  reconnect?: ReconnectOptions | false;
  /** How long the simulated Reboot() takes, ms (default 1000). */
  rebootDelayMs?: number;
  identity?: Partial<Omit<DeviceIdentity, 'endpointId'>>;
  /** Lifecycle events (online, offline, reconnect failures). */
  onEvent?: (event: AgentEvent) => void;
}

/** What happened to an agent's connection. */
export type AgentEvent =
  | { readonly type: 'online'; readonly endpointId: string; readonly reconnect: boolean }
  | {
      readonly type: 'offline';
      readonly endpointId: string;
      readonly reason: string;
      readonly byClient: boolean;
    }
  | { readonly type: 'reconnect-failed'; readonly endpointId: string; readonly error: Error };

/** What an agent did, for stats. */
export interface AgentCounters {
  /** Request Msgs received and handled. */
  requests: number;
  /** Responses and Errors sent. */
  responses: number;
  /** Of which USP Errors. */
  errors: number;
  /** Notify requests sent (not counting resends). */
  notifies: number;
  notifyResends: number;
  notifiesAnswered: number;
  notifiesGivenUp: number;
  /** Records not handled: undecodable, addressed to another endpoint, or not NoSessionContext. */
  recordsDropped: number;
  publishFailures: number;
  reconnects: number;
}

/** A fresh set of counters. */
export function emptyAgentCounters(): AgentCounters {
  return {
    requests: 0,
    responses: 0,
    errors: 0,
    notifies: 0,
    notifyResends: 0,
    notifiesAnswered: 0,
    notifiesGivenUp: 0,
    recordsDropped: 0,
    publishFailures: 0,
    reconnects: 0,
  };
}

type AgentState = 'idle' | 'connecting' | 'online' | 'offline' | 'stopped';

/** One simulated agent. */
export class UspAgent {
  readonly endpointId: string;
  readonly identity: DeviceIdentity;
  readonly counters: AgentCounters = emptyAgentCounters();
  readonly #options: UspAgentOptions;
  readonly #v5: boolean;
  readonly #controllerTopic: string;
  readonly #controllerId: string;
  readonly #fallbackAgentTopic: string;
  readonly #notifies: PendingNotifies;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #bootId = Date.now().toString(36);
  #state: AgentState = 'idle';
  #client: MqttClient | undefined;
  #agentTopic: string | undefined;
  #model: DeviceModel | undefined;
  #probe: IdleProbe | undefined;
  #msgCounter = 0;
  #reconnectAttempt = 0;

  constructor(options: UspAgentOptions) {
    this.#options = options;
    this.endpointId = options.endpointId;
    this.identity = identityFor(options.endpointId, options.identity);
    this.#v5 = (options.mqttVersion ?? UspMqttVersions.v5) === UspMqttVersions.v5;
    const topics = uspTopics(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX);
    this.#controllerTopic = options.controllerTopic ?? topics.controller;
    this.#controllerId = options.controllerId ?? DEFAULT_CONTROLLER_ID;
    this.#fallbackAgentTopic = options.agentTopic ?? topics.agent(options.endpointId);
    this.#notifies = new PendingNotifies(options.notifyRetry ?? {}, () => {
      this.counters.notifiesGivenUp++;
    });
  }

  /** The topic the agent is reached on, once connected. */
  get agentTopic(): string | undefined {
    return this.#agentTopic;
  }

  /** True while connected and subscribed. */
  get isOnline(): boolean {
    return this.#state === 'online';
  }

  /** The MQTT client id in use (the broker-assigned one in MQTT 5). */
  get clientId(): string | undefined {
    return this.#client?.connack.clientId;
  }

  /** Notify requests still waiting for a NotifyResp. */
  get notifiesPending(): number {
    return this.#notifies.size;
  }

  /** The agent's data model (created on first use). */
  get model(): DeviceModel {
    this.#model ??= createSimDeviceModel(this.identity);
    return this.#model;
  }

  /** Connects, subscribes, sends the MQTTConnect Record and (unless disabled) Boot!. */
  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new OctomeshError(
        'USP_SIM_ALREADY_STARTED',
        `agent ${this.endpointId} was started already`,
      );
    if (this.#options.probe === true) this.#probe = openIdleProbe(this.#options.url);
    try {
      await this.#connect(false);
    } catch (error) {
      this.#probe?.close();
      this.#state = 'stopped';
      throw error;
    }
    if ((this.#state as AgentState) === 'online' && this.#options.boot !== false)
      this.#sendBoot(this.#options.bootCause ?? BootCauses.localReboot, '');
  }

  /** Disconnects normally (DISCONNECT) and stops every timer. */
  async stop(): Promise<void> {
    this.#halt();
    await this.#client?.disconnect();
  }

  /** Drops the connection without DISCONNECT, as agents often do; no reconnect follows. */
  kill(): void {
    this.#halt();
    this.#client?.kill();
  }

  #halt(): void {
    this.#state = 'stopped';
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#notifies.clear();
    this.#probe?.close();
  }

  async #connect(reconnect: boolean): Promise<void> {
    this.#state = 'connecting';
    const options = this.#options;
    const client = await MqttClient.connect({
      url: options.url,
      protocolVersion: this.#v5 ? 5 : 4,
      clientId: options.clientId ?? (this.#v5 ? '' : this.endpointId),
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      keepAliveSeconds: options.keepAliveSeconds ?? 60,
      requestResponseInformation: this.#v5 && options.requestResponseInformation !== false,
      ...(this.#v5 ? { userProperties: { 'usp-endpoint-id': this.endpointId } } : {}),
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
      ...(options.connectTimeoutMs !== undefined
        ? { connectTimeoutMs: options.connectTimeoutMs }
        : {}),
    });
    if ((this.#state as AgentState) === 'stopped') {
      client.kill();
      return;
    }
    this.#client = client;
    client.onMessage = (message) => this.#onMessage(message);
    client.onClose = (info) => this.#onClose(client, info);
    try {
      const { agentTopic, filters } = this.#v5
        ? agentTopicsFromConnack(client.connack, this.#fallbackAgentTopic)
        : { agentTopic: this.#fallbackAgentTopic, filters: [`${this.#fallbackAgentTopic}/#`] };
      // Set before subscribing: a request may arrive in the same read as the SUBACK.
      this.#agentTopic = agentTopic;
      // No Record goes out before a subscription holds [R-MQTT.17].
      await client.subscribe(filters.map((topic) => ({ topic, qos: 0 })));
      // The Connect Record is awaited (at QoS 1 until the broker took it): start() means announced.
      await client.publish(
        this.#toControllers(),
        mqttConnectRecord(this.endpointId, this.#controllerId, this.#v5 ? 5 : 4, agentTopic),
        this.#publishOptions(undefined),
      );
    } catch (error) {
      client.kill();
      throw error;
    }
    if ((this.#state as AgentState) !== 'connecting') return;
    this.#state = 'online';
    this.#options.onEvent?.({ type: 'online', endpointId: this.endpointId, reconnect });
  }

  #onMessage(message: IncomingMessage): void {
    let record: usp_record.Record;
    let msg: usp.Msg;
    try {
      record = decodeUspRecord(message.payload);
      if (record.toId !== this.endpointId || record.noSessionContext == null) {
        this.counters.recordsDropped++;
        return;
      }
      msg = decodeUspMsg(record.noSessionContext.payload ?? new Uint8Array());
    } catch {
      // TR-369 R-MQTT.30/.31: an unreadable Record is dropped (MQTT 5 may answer
      // application/vnd.bbf.usp.error; the simulator only counts it).
      this.counters.recordsDropped++;
      return;
    }
    if (msg.body?.request != null) this.counters.requests++;
    const result = handleUspMsg(msg, { model: this.model, controllerId: record.fromId });
    if (result.reply !== undefined) {
      this.counters.responses++;
      if (result.reply.body?.error != null) this.counters.errors++;
      void this.#publishRecord(
        this.#replyTopic(message),
        noSessionRecord(this.endpointId, record.fromId, result.reply),
        message.correlationData,
      );
    }
    for (const effect of result.effects) this.#apply(effect);
  }

  #replyTopic(request: IncomingMessage): string {
    if (this.#v5)
      return request.responseTopic ?? replyToTopic(request.topic) ?? this.#controllerTopic;
    const target = replyToTopic(request.topic) ?? this.#controllerTopic;
    return `${target}${replyToSuffix(this.#agentTopic!)}`;
  }

  #toControllers(): string {
    return this.#v5
      ? this.#controllerTopic
      : `${this.#controllerTopic}${replyToSuffix(this.#agentTopic ?? this.#fallbackAgentTopic)}`;
  }

  #publishOptions(correlationData: Buffer | undefined) {
    return {
      qos: this.#options.publishQos ?? 1,
      contentType: this.#options.contentType ?? 'usp.msg',
      ...(this.#agentTopic !== undefined ? { responseTopic: this.#agentTopic } : {}),
      ...(correlationData !== undefined ? { correlationData } : {}),
    };
  }

  async #publishRecord(topic: string, record: Uint8Array, correlationData?: Buffer): Promise<void> {
    const client = this.#client;
    if (client === undefined || !client.isOpen) {
      this.counters.publishFailures++;
      return;
    }
    try {
      await client.publish(topic, record, this.#publishOptions(correlationData));
    } catch {
      this.counters.publishFailures++;
    }
  }

  #apply(effect: AgentEffect): void {
    switch (effect.kind) {
      case 'notifyAnswered':
        if (this.#notifies.answered(effect.msgId)) this.counters.notifiesAnswered++;
        return;
      case 'reboot':
        this.#later(this.#options.rebootDelayMs ?? 1_000, () => this.#completeReboot(effect));
        return;
    }
  }

  // The simulated reboot: the Request instance goes, UpTime restarts, the requester learns the
  // outcome (OperationComplete) and the agent announces itself again (Boot! RemoteReboot). The
  // MQTT connection stays up: a reconnect would only add noise to tests and benchmarks.
  #completeReboot(effect: Extract<AgentEffect, { kind: 'reboot' }>): void {
    const model = this.model;
    const table = model.find('Device.LocalAgent.Request.');
    const number = Number(/(\d+)\.$/.exec(effect.requestPath)?.[1]);
    if (table?.kind === 'table') model.transaction().deleteInstance(table, number);
    model.markRebooted();
    const sendResp = this.#options.notifySendResp !== false;
    this.#sendNotify(
      operationCompleteNotify({
        subscriptionId: this.#options.subscriptionIds?.operationComplete ?? 'sim-operation',
        sendResp,
        objPath: 'Device.',
        commandName: 'Reboot()',
        commandKey: effect.commandKey,
        outputArgs: {},
      }),
      effect.controllerId,
    );
    if (this.#options.boot !== false) this.#sendBoot(BootCauses.remoteReboot, effect.commandKey);
  }

  #sendBoot(cause: BootCause, commandKey: string): void {
    this.#sendNotify(
      bootNotify({
        subscriptionId: this.#options.subscriptionIds?.boot ?? 'sim-boot',
        sendResp: this.#options.notifySendResp !== false,
        cause,
        commandKey,
        firmwareUpdated: false,
        parameterMap: bootParameterMap(this.identity),
      }),
      this.#controllerId,
    );
  }

  #sendNotify(notify: usp.INotify, toId: string): void {
    if (this.#state === 'stopped') return;
    const msgId = `notify-${this.#bootId}-${++this.#msgCounter}`;
    const record = noSessionRecord(this.endpointId, toId, notifyMsg(msgId, notify));
    const topic = this.#toControllers();
    this.counters.notifies++;
    void this.#publishRecord(topic, record);
    if (notify.sendResp === true)
      this.#notifies.track(msgId, () => {
        this.counters.notifyResends++;
        void this.#publishRecord(topic, record);
      });
  }

  #later(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #onClose(client: MqttClient, info: CloseInfo): void {
    if (client !== this.#client) return;
    const wasOnline = this.#state === 'online';
    if (this.#state !== 'stopped') this.#state = 'offline';
    if (!wasOnline) return;
    this.#options.onEvent?.({
      type: 'offline',
      endpointId: this.endpointId,
      reason: info.reason,
      byClient: info.byClient,
    });
    if (!info.byClient && this.#options.reconnect) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const options = this.#options.reconnect || {};
    const min = options.minDelayMs ?? 1_000;
    const max = options.maxDelayMs ?? 60_000;
    const base = Math.min(max, min * 2 ** this.#reconnectAttempt);
    this.#later(base / 2 + (Math.random() * base) / 2, () => {
      if (this.#state !== 'offline') return;
      this.#connect(true).then(
        () => {
          this.#reconnectAttempt = 0;
          this.counters.reconnects++;
        },
        (error: Error) => {
          if ((this.#state as AgentState) === 'stopped') return;
          this.#state = 'offline';
          this.#reconnectAttempt++;
          this.#options.onEvent?.({ type: 'reconnect-failed', endpointId: this.endpointId, error });
          this.#scheduleReconnect();
        },
      );
    });
  }
}
