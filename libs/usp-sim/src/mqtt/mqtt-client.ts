// A lean MQTT 3.1.1 / 5.0 client on a raw socket (TCP or TLS), cheap enough to run thousands of
// connections in one process: no streams or per-connection parser (see packet-decoder.ts), no
// timer per message, one keep-alive interval per connection. It does what a USP agent needs:
// CONNECT/CONNACK, SUBSCRIBE, PUBLISH at QoS 0/1 with v5 properties, PUBACK, PINGREQ, and an
// abrupt close without DISCONNECT.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { reasonCodeName } from '@octomesh/contracts';
import mqtt, {
  type IConnackPacket,
  type IPublishPacket,
  type ISubackPacket,
  type Packet,
  type UserProperties,
} from 'mqtt-packet';
import { parseBrokerUrl, type BrokerUrl } from './broker-url.ts';
import { MqttClientError, MqttClientErrorCodes } from './mqtt-client-error.ts';
import { decodePacket } from './packet-decoder.ts';
import { PacketFramer } from './packet-framer.ts';

/** MQTT protocol levels on the wire: 4 is 3.1.1, 5 is 5.0. */
export type MqttProtocolVersion = 4 | 5;

/** TLS settings for `mqtts://`. */
export interface MqttTlsOptions {
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Verify the broker certificate (default true). */
  rejectUnauthorized?: boolean;
  /** SNI and certificate name to check (default: the URL host, unless it is an IP address). */
  servername?: string;
}

/** Settings of {@link MqttClient.connect}. */
export interface MqttConnectOptions {
  url: string | BrokerUrl;
  protocolVersion: MqttProtocolVersion;
  /** '' asks a v5 broker to assign one (Assigned Client Identifier in CONNACK). */
  clientId: string;
  username?: string;
  password?: string | Buffer;
  /** Seconds; 0 turns keep-alive off. Default 60. */
  keepAliveSeconds?: number;
  /** Clean Start (v5) / Clean Session (3.1.1); default true. */
  cleanStart?: boolean;
  /** v5: ask for Response Information in CONNACK. */
  requestResponseInformation?: boolean;
  /** v5: CONNECT user properties. */
  userProperties?: Readonly<Record<string, string>>;
  tls?: MqttTlsOptions;
  /** Deadline for TCP/TLS set-up plus CONNACK; default 10 s. */
  connectTimeoutMs?: number;
  /** Largest packet accepted from the broker; default 4 MiB. */
  maxPacketBytes?: number;
}

/** What the broker said in CONNACK. */
export interface ConnackInfo {
  readonly sessionPresent: boolean;
  /** The client id in use: the assigned one when the broker assigned it. */
  readonly clientId: string;
  /** v5 Response Information, when the broker sent it. */
  readonly responseInformation: string | undefined;
  /** v5 user properties named `subscribe-topic` (TR-369 R-MQTT.15), in order. */
  readonly subscribeTopics: readonly string[];
  /** The keep-alive in force: the broker's Server Keep Alive when it sent one. */
  readonly keepAliveSeconds: number;
  readonly userProperties: Readonly<UserProperties>;
}

/** A PUBLISH received from the broker. */
export interface IncomingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  readonly responseTopic: string | undefined;
  readonly correlationData: Buffer | undefined;
  readonly contentType: string | undefined;
}

/** Options of {@link MqttClient.publish}; the properties are sent only on v5 connections. */
export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Readonly<Record<string, string>>;
}

/** One subscription of a SUBSCRIBE. */
export interface Subscription {
  topic: string;
  qos: 0 | 1 | 2;
}

/** How a connection ended. */
export interface CloseInfo {
  /** True when this side ended it (disconnect or kill). */
  readonly byClient: boolean;
  /** Human-readable cause, e.g. `broker sent DISCONNECT 0x8e sessionTakenOver`. */
  readonly reason: string;
  /** Reason code of a v5 DISCONNECT from the broker. */
  readonly disconnectReasonCode: number | undefined;
}

interface PendingAck {
  readonly cmd: 'puback' | 'suback';
  readonly resolve: (packet: Packet) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

const DEFAULT_KEEP_ALIVE_SECONDS = 60;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PACKET_BYTES = 4 * 1024 * 1024;
const DISCONNECT_GRACE_MS = 2_000;
const noop = (): void => undefined;

/** 3.1.1 CONNACK return codes [MQTT-3.2.2.3]. */
const v3ReturnCodes: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** One MQTT connection. Create with {@link MqttClient.connect}. */
export class MqttClient {
  readonly protocolVersion: MqttProtocolVersion;
  /** Every PUBLISH received, in order; acknowledged after this returns. */
  onMessage: (message: IncomingMessage) => void = noop;
  /** The connection ended (once). */
  onClose: (info: CloseInfo) => void = noop;

  readonly #socket: Socket;
  readonly #framer: PacketFramer;
  readonly #pending = new Map<number, PendingAck>();
  readonly #closed: Promise<void>;
  #markClosed: () => void = noop;
  #connack: ConnackInfo | undefined;
  #connackWaiter: { resolve: (p: IConnackPacket) => void; reject: (e: Error) => void } | undefined;
  #open = true;
  #byClient = false;
  #socketError: string | undefined;
  #protocolError: string | undefined;
  #disconnectReasonCode: number | undefined;
  #nextPacketId = 1;
  #keepAliveTimer: NodeJS.Timeout | undefined;
  #lastWriteMs = 0;
  #pingSentMs: number | undefined;

  private constructor(socket: Socket, options: MqttConnectOptions) {
    this.protocolVersion = options.protocolVersion;
    this.#socket = socket;
    this.#framer = new PacketFramer(options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES);
    this.#closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#socketError ??= error.code ?? error.message;
    });
    socket.on('close', () => this.#onSocketClosed());
  }

  /** Opens the socket, sends CONNECT and resolves after a successful CONNACK. */
  static async connect(options: MqttConnectOptions): Promise<MqttClient> {
    const url = typeof options.url === 'string' ? parseBrokerUrl(options.url) : options.url;
    const socket = url.tls ? openTls(url, options.tls ?? {}) : netConnect(url.port, url.host);
    const client = new MqttClient(socket, options);
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      const waiter = client.#connackWaiter;
      client.#connackWaiter = undefined;
      waiter?.reject(
        new MqttClientError(
          MqttClientErrorCodes.timeout,
          `no CONNACK from ${url.host}:${url.port} within ${timeoutMs} ms`,
        ),
      );
      client.kill();
    }, timeoutMs);
    try {
      const connack = await client.#handshake(options);
      client.#connack = connackInfo(connack, options);
      client.#startKeepAlive(client.#connack.keepAliveSeconds);
      return client;
    } catch (error) {
      client.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** What the broker said in CONNACK. */
  get connack(): ConnackInfo {
    return this.#connack!;
  }

  /** False once the connection has ended. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Resolves when the socket has closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Subscribes; resolves with the granted QoS per filter, rejects when any is refused. */
  async subscribe(subscriptions: readonly Subscription[], timeoutMs = 10_000): Promise<number[]> {
    const messageId = this.#allocatePacketId();
    const suback = (await this.#request(messageId, 'suback', timeoutMs, {
      cmd: 'subscribe',
      messageId,
      subscriptions: subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })),
    })) as ISubackPacket;
    const granted = suback.granted as number[];
    const refused = granted.findIndex((code) => code >= 0x80);
    if (refused >= 0) {
      const code = granted[refused]!;
      const name = this.protocolVersion === 5 ? ` ${reasonCodeName(code)}` : ' failure';
      throw new MqttClientError(
        MqttClientErrorCodes.subackRefused,
        `SUBACK refused ${subscriptions[refused]?.topic ?? '?'}: 0x${hex(code)}${name}`,
        { wireCode: code, v5: this.protocolVersion === 5 },
      );
    }
    return granted;
  }

  /** Publishes; QoS 0 resolves once written, QoS 1 on PUBACK (rejects on a v5 refusal). */
  async publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    if (!this.#open) throw this.#closedError();
    const qos = options.qos ?? 0;
    const body = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const properties = this.protocolVersion === 5 ? publishProperties(options) : undefined;
    const packet: IPublishPacket = {
      cmd: 'publish',
      topic,
      payload: body,
      qos,
      retain: options.retain ?? false,
      dup: false,
      ...(properties !== undefined ? { properties } : {}),
    };
    if (qos === 0) {
      this.#write(packet);
      return;
    }
    const messageId = this.#allocatePacketId();
    const puback = await this.#request(messageId, 'puback', undefined, { ...packet, messageId });
    const code = (puback as { reasonCode?: number }).reasonCode ?? 0;
    if (code >= 0x80) {
      throw new MqttClientError(
        MqttClientErrorCodes.pubackRefused,
        `PUBACK refused ${topic}: 0x${hex(code)} ${reasonCodeName(code)}`,
        { wireCode: code, v5: true },
      );
    }
  }

  /** Ends the connection normally (DISCONNECT, then FIN); resolves once closed. */
  disconnect(): Promise<void> {
    if (this.#open) {
      this.#byClient = true;
      this.#write(
        this.protocolVersion === 5 ? { cmd: 'disconnect', reasonCode: 0 } : { cmd: 'disconnect' },
      );
      this.#socket.end();
      const timer = setTimeout(() => this.#socket.destroy(), DISCONNECT_GRACE_MS);
      timer.unref();
      void this.#closed.then(() => clearTimeout(timer));
    }
    return this.#closed;
  }

  /** Drops the socket at once, without DISCONNECT (as agents often do). */
  kill(): void {
    if (this.#open) this.#byClient = true;
    this.#socket.destroy();
  }

  #handshake(options: MqttConnectOptions): Promise<IConnackPacket> {
    const v5 = options.protocolVersion === 5;
    const waiting = new Promise<IConnackPacket>((resolve, reject) => {
      this.#connackWaiter = { resolve, reject };
    });
    const password =
      options.password === undefined
        ? undefined
        : Buffer.isBuffer(options.password)
          ? options.password
          : Buffer.from(options.password);
    const properties = v5
      ? {
          ...(options.requestResponseInformation === true
            ? { requestResponseInformation: true }
            : {}),
          ...(options.userProperties !== undefined
            ? { userProperties: { ...options.userProperties } }
            : {}),
        }
      : undefined;
    this.#write({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: options.protocolVersion,
      clean: options.cleanStart ?? true,
      clientId: options.clientId,
      keepalive: options.keepAliveSeconds ?? DEFAULT_KEEP_ALIVE_SECONDS,
      ...(options.username !== undefined ? { username: options.username } : {}),
      // 3.1.1 allows a password only with a user name [MQTT-3.1.2-22].
      ...(password !== undefined && (v5 || options.username !== undefined) ? { password } : {}),
      ...(properties !== undefined && Object.keys(properties).length > 0 ? { properties } : {}),
    });
    return waiting.then((connack) => {
      const code = (v5 ? connack.reasonCode : connack.returnCode) ?? 0;
      if (v5 ? code >= 0x80 : code !== 0) {
        const name = v5 ? reasonCodeName(code) : (v3ReturnCodes[code] ?? 'refused');
        const reasonString = connack.properties?.reasonString;
        throw new MqttClientError(
          MqttClientErrorCodes.connackRefused,
          `CONNACK 0x${hex(code)} ${name}${reasonString ? `: ${reasonString}` : ''}`,
          { wireCode: code, v5 },
        );
      }
      return connack;
    });
  }

  #request(
    messageId: number,
    cmd: PendingAck['cmd'],
    timeoutMs: number | undefined,
    packet: Packet,
  ): Promise<Packet> {
    if (!this.#open) return Promise.reject(this.#closedError());
    const answered = new Promise<Packet>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#pending.delete(messageId);
              reject(
                new MqttClientError(
                  MqttClientErrorCodes.timeout,
                  `no ${cmd.toUpperCase()} within ${timeoutMs} ms`,
                ),
              );
            }, timeoutMs);
      this.#pending.set(messageId, { cmd, resolve, reject, timer });
    });
    try {
      this.#write(packet);
    } catch (error) {
      const pending = this.#pending.get(messageId);
      this.#pending.delete(messageId);
      clearTimeout(pending?.timer);
      return Promise.reject(error as Error);
    }
    return answered;
  }

  #allocatePacketId(): number {
    for (let tries = 0; tries < 65_535; tries++) {
      const id = this.#nextPacketId;
      this.#nextPacketId = id === 65_535 ? 1 : id + 1;
      if (!this.#pending.has(id)) return id;
    }
    throw new MqttClientError(MqttClientErrorCodes.protocolError, 'no free packet identifier');
  }

  #write(packet: Packet): void {
    if (!this.#open) return;
    this.#socket.write(mqtt.generate(packet, { protocolVersion: this.protocolVersion }));
    this.#lastWriteMs = performance.now();
  }

  #startKeepAlive(seconds: number): void {
    if (seconds <= 0 || !this.#open) return;
    const periodMs = seconds * 1000;
    this.#lastWriteMs = performance.now();
    // Checked twice per period: a PINGREQ goes out when nothing else did for half a period, and
    // a PINGRESP still missing a whole period later means the broker is gone [MQTT-3.1.2-24].
    this.#keepAliveTimer = setInterval(() => {
      const now = performance.now();
      if (this.#pingSentMs !== undefined && now - this.#pingSentMs >= periodMs) {
        this.#protocolError ??= 'keep-alive timeout: no PINGRESP';
        this.#socket.destroy();
        return;
      }
      if (this.#pingSentMs === undefined && now - this.#lastWriteMs >= periodMs / 2) {
        this.#write({ cmd: 'pingreq' });
        this.#pingSentMs = now;
      }
    }, periodMs / 2);
    this.#keepAliveTimer.unref();
  }

  #onData(chunk: Buffer): void {
    try {
      this.#framer.push(chunk, (bytes) =>
        this.#onPacket(decodePacket(bytes, this.protocolVersion)),
      );
    } catch (error) {
      this.#protocolError ??= (error as Error).message;
      this.#socket.destroy();
    }
  }

  #onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack': {
        const waiter = this.#connackWaiter;
        this.#connackWaiter = undefined;
        waiter?.resolve(packet);
        return;
      }
      case 'publish':
        this.#onPublish(packet);
        return;
      case 'puback':
      case 'suback': {
        const pending = this.#pending.get(packet.messageId ?? 0);
        if (pending === undefined || pending.cmd !== packet.cmd) return;
        this.#pending.delete(packet.messageId!);
        clearTimeout(pending.timer);
        pending.resolve(packet);
        return;
      }
      case 'pubrel':
        this.#write({ cmd: 'pubcomp', messageId: packet.messageId! });
        return;
      case 'pingresp':
        this.#pingSentMs = undefined;
        return;
      case 'disconnect':
        this.#disconnectReasonCode = packet.reasonCode ?? 0;
        return;
      default:
        return;
    }
  }

  #onPublish(packet: IPublishPacket): void {
    const properties = packet.properties;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      this.onMessage({
        topic: packet.topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
        responseTopic: properties?.responseTopic,
        correlationData: properties?.correlationData,
        contentType: properties?.contentType,
      });
    } finally {
      // QoS 1 is acknowledged, QoS 2 received (PUBREC; PUBREL gets PUBCOMP): the handler ran.
      if (packet.qos === 1) this.#write({ cmd: 'puback', messageId: packet.messageId! });
      if (packet.qos === 2) this.#write({ cmd: 'pubrec', messageId: packet.messageId! });
    }
  }

  #closeReason(): string {
    if (this.#disconnectReasonCode !== undefined) {
      const code = this.#disconnectReasonCode;
      return `broker sent DISCONNECT 0x${hex(code)} ${reasonCodeName(code)}`;
    }
    if (this.#protocolError !== undefined) return this.#protocolError;
    if (this.#socketError !== undefined) return `socket ${this.#socketError}`;
    return this.#byClient ? 'closed by client' : 'broker closed the connection';
  }

  #closedError(): MqttClientError {
    return new MqttClientError(
      MqttClientErrorCodes.closed,
      `connection closed: ${this.#closeReason()}`,
    );
  }

  #onSocketClosed(): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#keepAliveTimer);
    const reason = this.#closeReason();
    const waiter = this.#connackWaiter;
    this.#connackWaiter = undefined;
    if (waiter !== undefined) {
      // Before CONNACK a socket error is a connection failure (refused, unreachable, TLS).
      waiter.reject(
        this.#socketError !== undefined && this.#disconnectReasonCode === undefined
          ? new MqttClientError(MqttClientErrorCodes.connectFailed, `cannot connect: ${reason}`)
          : new MqttClientError(MqttClientErrorCodes.closed, `closed before CONNACK: ${reason}`),
      );
    }
    const error = this.#closedError();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    this.onClose({
      byClient: this.#byClient,
      reason,
      disconnectReasonCode: this.#disconnectReasonCode,
    });
    this.#markClosed();
  }
}

function openTls(url: BrokerUrl, tls: MqttTlsOptions): Socket {
  const servername = tls.servername ?? (isIP(url.host) === 0 ? url.host : undefined);
  return tlsConnect({
    host: url.host,
    port: url.port,
    ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
    ...(servername !== undefined ? { servername } : {}),
  });
}

function connackInfo(connack: IConnackPacket, options: MqttConnectOptions): ConnackInfo {
  const properties = connack.properties ?? {};
  const userProperties = properties.userProperties ?? {};
  const subscribeTopic = userProperties['subscribe-topic'];
  return {
    sessionPresent: connack.sessionPresent,
    clientId: properties.assignedClientIdentifier ?? options.clientId,
    responseInformation: properties.responseInformation,
    subscribeTopics:
      subscribeTopic === undefined
        ? []
        : Array.isArray(subscribeTopic)
          ? subscribeTopic
          : [subscribeTopic],
    keepAliveSeconds:
      properties.serverKeepAlive ?? options.keepAliveSeconds ?? DEFAULT_KEEP_ALIVE_SECONDS,
    userProperties,
  };
}

function publishProperties(options: PublishOptions): IPublishPacket['properties'] | undefined {
  const properties: NonNullable<IPublishPacket['properties']> = {};
  if (options.contentType !== undefined) properties.contentType = options.contentType;
  if (options.responseTopic !== undefined) properties.responseTopic = options.responseTopic;
  if (options.correlationData !== undefined) properties.correlationData = options.correlationData;
  if (options.userProperties !== undefined)
    properties.userProperties = { ...options.userProperties };
  return Object.keys(properties).length > 0 ? properties : undefined;
}

function hex(code: number): string {
  return code.toString(16).padStart(2, '0');
}
