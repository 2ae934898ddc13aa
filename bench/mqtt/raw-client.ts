// A bare MQTT client on a raw socket, cheap enough to drive a broker at full speed from one
// process: control packets (CONNECT, SUBSCRIBE, CONNACK, SUBACK, DISCONNECT) go through
// mqtt-packet, but PUBLISH and PUBACK, the hot path, are framed and read by hand without
// allocating a packet object, and QoS 1 PUBACKs for one socket read leave in one write.
import { connect as connectSocket, type Socket } from 'node:net';
import mqtt, { type IConnackPacket, type ISubackPacket, type Packet } from 'mqtt-packet';
import type { ClientIdentity, Endpoint, MqttVersion } from './jobs.ts';

/** MQTT control packet types (high nibble of the first byte). */
const PacketTypes = { publish: 3, puback: 4 } as const;

/** Milliseconds on a clock that every process on this machine shares. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Settings of {@link RawClient.open}. */
export interface OpenOptions {
  readonly keepAliveSeconds: number;
  readonly timeoutMs: number;
  /** Clean Start / Clean Session (default true). */
  readonly clean?: boolean;
  /** MQTT 5 Session Expiry Interval, in seconds (v5 only). */
  readonly sessionExpirySeconds?: number;
}

/** Thrown when a broker refuses or does not answer; `reason` groups failures in reports. */
export class MqttClientError extends Error {
  readonly reason: string;
  constructor(reason: string, detail?: string) {
    super(detail === undefined ? reason : `${reason}: ${detail}`);
    this.name = 'MqttClientError';
    this.reason = reason;
  }
}

interface Waiter {
  readonly cmd: Packet['cmd'];
  readonly resolve: (packet: Packet) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const noop = (): void => undefined;
const PUBACK_BYTES = 4;

/** One MQTT connection. */
export class RawClient {
  readonly socket: Socket;
  readonly version: MqttVersion;
  /** Every PUBLISH received: the buffer and where its payload lies in it. */
  onPublish: (buffer: Buffer, payloadStart: number, payloadEnd: number, qos: number) => void = noop;
  /** Every PUBACK received (reason code 0 unless a v5 broker said otherwise). */
  onPuback: (packetId: number, reasonCode: number) => void = noop;
  /** The socket closed; `why` says whether the broker ended it and with which reason. */
  onClose: (why: string) => void = noop;
  /** The broker's Receive Maximum (v5 CONNACK), 65535 when it names none. */
  serverReceiveMaximum = 65_535;
  closed = false;
  /** Set once we end the connection ourselves. */
  closing = false;
  bytesRead = 0;
  /** CONNACK's Session Present flag. */
  sessionPresent = false;
  #rest: Buffer | undefined;
  readonly #acks: number[] = [];
  #waiter: Waiter | undefined;
  #parser: ReturnType<typeof mqtt.parser> | undefined;
  #disconnectReason: number | undefined;
  #error: string | undefined;
  #budget = Number.POSITIVE_INFINITY;
  #throttle: NodeJS.Timeout | undefined;

  private constructor(socket: Socket, version: MqttVersion) {
    this.socket = socket;
    this.version = version;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#error = error.code ?? error.message;
    });
    socket.on('close', () => this.#onClosed());
  }

  /** Connects and sends CONNECT; resolves after a successful CONNACK. */
  static async open(
    endpoint: Endpoint,
    version: MqttVersion,
    identity: ClientIdentity,
    options: OpenOptions,
  ): Promise<RawClient> {
    const socket = connectSocket({ host: endpoint.host, port: endpoint.port });
    const client = new RawClient(socket, version);
    try {
      await client.#connected(options.timeoutMs);
      const v5 = version === 5;
      client.write({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: version,
        clean: options.clean ?? true,
        clientId: identity.clientId,
        keepalive: options.keepAliveSeconds,
        ...(identity.username !== undefined ? { username: identity.username } : {}),
        ...(identity.password !== undefined ? { password: Buffer.from(identity.password) } : {}),
        ...(v5 && (identity.endpointId !== undefined || options.sessionExpirySeconds !== undefined)
          ? {
              properties: {
                ...(identity.endpointId !== undefined
                  ? { userProperties: { 'usp-endpoint-id': identity.endpointId } }
                  : {}),
                ...(options.sessionExpirySeconds !== undefined
                  ? { sessionExpiryInterval: options.sessionExpirySeconds }
                  : {}),
              },
            }
          : {}),
      });
      const connack = (await client.#expect('connack', options.timeoutMs)) as IConnackPacket;
      const code = v5 ? connack.reasonCode : connack.returnCode;
      if (code !== undefined && code !== 0) {
        throw new MqttClientError(`connack 0x${code.toString(16).padStart(2, '0')}`);
      }
      client.sessionPresent = connack.sessionPresent;
      if (v5 && connack.properties?.receiveMaximum !== undefined) {
        client.serverReceiveMaximum = connack.properties.receiveMaximum;
      }
      return client;
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  /** Subscribes to one filter; resolves with the granted QoS, rejects on a refusal. */
  async subscribe(filter: string, qos: 0 | 1, timeoutMs: number): Promise<number> {
    this.write({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: filter, qos }],
    });
    const suback = (await this.#expect('suback', timeoutMs)) as ISubackPacket;
    const granted = suback.granted[0];
    if (typeof granted !== 'number' || granted >= 0x80) {
      throw new MqttClientError(`suback 0x${Number(granted).toString(16)}`);
    }
    return granted;
  }

  /** Writes one control packet. */
  write(packet: Packet): void {
    if (!this.closed) this.socket.write(mqtt.generate(packet, { protocolVersion: this.version }));
  }

  /** Sends PINGREQ (idle connections keep alive). */
  ping(): void {
    this.write({ cmd: 'pingreq' });
  }

  /** Reads at most `bytesPerSecond` (a slow consumer): pauses the socket once the budget is spent. */
  readSlowly(bytesPerSecond: number): void {
    const perTick = Math.max(1, Math.floor(bytesPerSecond / 10));
    this.#budget = perTick;
    this.#throttle = setInterval(() => {
      this.#budget = perTick;
      if (!this.closed) this.socket.resume();
    }, 100);
  }

  /** Ends the connection normally: DISCONNECT, then FIN. */
  disconnect(): void {
    if (this.closed) return;
    this.closing = true;
    this.write({ cmd: 'disconnect' });
    this.socket.end();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  /** Resolves once the socket has closed, or after `timeoutMs` (then it is destroyed). */
  whenClosed(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #connected(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new MqttClientError('tcp connect timeout'));
      }, timeoutMs);
      const onConnect = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: NodeJS.ErrnoException): void => {
        cleanup();
        reject(new MqttClientError(`tcp ${error.code ?? 'error'}`, error.message));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.socket.off('connect', onConnect);
        this.socket.off('error', onError);
      };
      this.socket.once('connect', onConnect);
      this.socket.once('error', onError);
    });
  }

  #expect(cmd: Packet['cmd'], timeoutMs: number): Promise<Packet> {
    if (this.closed) return Promise.reject(new MqttClientError(this.#closeWhy()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new MqttClientError(`no ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = { cmd, resolve, reject, timer };
    });
  }

  #onData(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    if (this.#budget !== Number.POSITIVE_INFINITY) {
      this.#budget -= chunk.length;
      if (this.#budget <= 0) this.socket.pause();
    }
    const buffer = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk]);
    let pos = 0;
    const end = buffer.length;
    while (pos + 2 <= end) {
      // Fixed header: type/flags byte, then the Remaining Length varint (1-4 bytes).
      let length = 0;
      let multiplier = 1;
      let i = pos + 1;
      let byte = 0;
      let complete = false;
      for (let n = 0; n < 4 && i < end; n++) {
        byte = buffer[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || i + length > end) break;
      this.#frame(buffer, pos, i, i + length);
      pos = i + length;
    }
    this.#rest = pos < end ? buffer.subarray(pos) : undefined;
    this.#flushAcks();
  }

  // One complete packet: header at `start`, body from `body` to `end`.
  #frame(buffer: Buffer, start: number, body: number, end: number): void {
    const first = buffer[start]!;
    const type = first >> 4;
    if (type === PacketTypes.publish) {
      const qos = (first >> 1) & 3;
      let p = body + 2 + buffer.readUInt16BE(body);
      let packetId = 0;
      if (qos > 0) {
        packetId = buffer.readUInt16BE(p);
        p += 2;
      }
      if (this.version === 5) p = skipProperties(buffer, p);
      this.onPublish(buffer, p, end, qos);
      if (qos === 1) this.#acks.push(packetId);
      return;
    }
    if (type === PacketTypes.puback) {
      const reasonCode = end - body > 2 ? buffer[body + 2]! : 0;
      this.onPuback(buffer.readUInt16BE(body), reasonCode);
      return;
    }
    this.#parser ??= this.#newParser();
    this.#parser.parse(buffer.subarray(start, end));
  }

  #newParser(): ReturnType<typeof mqtt.parser> {
    const parser = mqtt.parser({ protocolVersion: this.version });
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'disconnect') this.#disconnectReason = packet.reasonCode ?? 0;
      const waiter = this.#waiter;
      if (waiter !== undefined && waiter.cmd === packet.cmd) {
        this.#waiter = undefined;
        clearTimeout(waiter.timer);
        waiter.resolve(packet);
      }
    });
    parser.on('error', (error: Error) => {
      this.#error = `unparsable packet: ${error.message}`;
      this.socket.destroy();
    });
    return parser;
  }

  #flushAcks(): void {
    const count = this.#acks.length;
    if (count === 0 || this.closed) return;
    const out = Buffer.allocUnsafe(count * PUBACK_BYTES);
    for (let k = 0; k < count; k++) {
      const o = k * PUBACK_BYTES;
      out[o] = 0x40;
      out[o + 1] = 2;
      out.writeUInt16BE(this.#acks[k]!, o + 2);
    }
    this.#acks.length = 0;
    this.socket.write(out);
  }

  #closeWhy(): string {
    if (this.#disconnectReason !== undefined)
      return `broker sent DISCONNECT 0x${this.#disconnectReason.toString(16).padStart(2, '0')}`;
    if (this.#error !== undefined) return `socket ${this.#error}`;
    return 'broker closed the connection';
  }

  #onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.#throttle);
    const why = this.#closeWhy();
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.reject(new MqttClientError(why));
    }
    this.onClose(why);
  }
}

// MQTT 5 properties: a varint length, then that many bytes.
function skipProperties(buffer: Buffer, at: number): number {
  let length = 0;
  let multiplier = 1;
  let p = at;
  for (let n = 0; n < 4; n++) {
    const byte = buffer[p++]!;
    length += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) break;
  }
  return p + length;
}

/** A prebuilt PUBLISH for one topic: each message copies it and patches id and payload head. */
export class PublishTemplate {
  readonly frame: Buffer;
  /** Offset of the packet identifier, or -1 at QoS 0. */
  readonly packetIdOffset: number;
  readonly payloadOffset: number;

  constructor(topic: string, qos: 0 | 1, version: MqttVersion, payloadBytes: number) {
    const topicBytes = Buffer.from(topic);
    const remaining =
      2 + topicBytes.length + (qos > 0 ? 2 : 0) + (version === 5 ? 1 : 0) + payloadBytes;
    const header = [0x30 | (qos << 1), ...encodeVarint(remaining)];
    this.frame = Buffer.alloc(header.length + remaining, 0x61);
    let p = 0;
    for (const byte of header) this.frame[p++] = byte;
    this.frame.writeUInt16BE(topicBytes.length, p);
    p += 2;
    topicBytes.copy(this.frame, p);
    p += topicBytes.length;
    this.packetIdOffset = qos > 0 ? p : -1;
    if (qos > 0) p += 2;
    if (version === 5) this.frame[p++] = 0; // no properties
    this.payloadOffset = p;
  }

  /**
   * `count` consecutive PUBLISHes in one buffer. The payload starts with the sequence number
   * (u32), the publisher's index (u32) and the send time in ms (f64), all little-endian.
   */
  batch(count: number, firstSeq: number, publisher: number, timeMs: number): Buffer {
    const size = this.frame.length;
    const out = Buffer.allocUnsafe(size * count);
    for (let k = 0; k < count; k++) {
      const o = k * size;
      const seq = firstSeq + k;
      this.frame.copy(out, o);
      if (this.packetIdOffset >= 0) out.writeUInt16BE((seq % 65_535) + 1, o + this.packetIdOffset);
      out.writeUInt32LE(seq, o + this.payloadOffset);
      out.writeUInt32LE(publisher, o + this.payloadOffset + 4);
      out.writeDoubleLE(timeMs, o + this.payloadOffset + 8);
    }
    return out;
  }
}

/** Bytes at the head of every payload the generator sends. */
export const PAYLOAD_HEADER_BYTES = 16;

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0);
  return bytes;
}
