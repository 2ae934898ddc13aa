// One client connection over any duplex stream (TCP, TLS, WebSocket): parses packets with
// mqtt-packet, hands each to its handler in order, writes answers in the client's protocol
// version, and enforces the connection-level limits (CONNECT timeout, keep alive, packet size).
import type { Duplex } from 'node:stream';
import mqtt, { type Packet } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { Engine } from './engine.ts';
import { TokenBucket } from './rate-limiter.ts';
import { dispatch } from './handlers/dispatch.ts';
import type { Session, SessionLink } from './session.ts';
import type { ConnectionMeta, EngineIdentity, Message } from './types.ts';

/** Lifecycle of a connection. */
export type ConnectionState = 'awaiting-connect' | 'connecting' | 'connected' | 'closed';

/** The will of a connection, sent when it ends without a normal DISCONNECT. */
export interface Will {
  message: Message;
  delaySeconds: number;
}

// Packets parsed but not yet handled before the socket is paused (bounded memory).
const MAX_PENDING_PACKETS = 64;

/** A client connection. */
export class Connection implements SessionLink {
  readonly engine: Engine;
  readonly stream: Duplex;
  readonly meta: ConnectionMeta;
  state: ConnectionState = 'awaiting-connect';
  protocolVersion: 3 | 4 | 5 = 4;
  clientId = '';
  identity: EngineIdentity | undefined;
  session: Session | undefined;
  will: Will | undefined;
  clientReceiveMaximum = 65535;
  clientMaximumPacketSize: number | undefined;
  requestProblemInformation = true;
  /** Topic aliases the client accepts from us (v5 CONNECT Topic Alias Maximum, 0 = none). */
  clientTopicAliasMaximum = 0;
  /** Topic aliases the client set towards us [MQTT-3.3.2-12]. */
  readonly topicAliases = new Map<number, string>();
  /** Set when DISCONNECT (or a takeover) ended the connection normally: no will. */
  normalDisconnect = false;
  readonly #parser = mqtt.parser();
  readonly #publishRate: TokenBucket | undefined;
  #throttledUntil = 0;
  #pending = 0;
  #work: Promise<void> = Promise.resolve();
  #keepAliveTimer: NodeJS.Timeout | undefined;
  #keepAliveMs = 0;
  #connectTimer: NodeJS.Timeout | undefined;

  constructor(engine: Engine, stream: Duplex, meta: ConnectionMeta) {
    this.engine = engine;
    this.stream = stream;
    this.meta = meta;
    this.#publishRate =
      engine.limits.maxPublishRate > 0
        ? new TokenBucket(engine.limits.maxPublishRate, engine.limits.publishBurst)
        : undefined;
    this.#parser.on('packet', (packet: Packet) => this.#enqueue(packet));
    this.#parser.on('error', (error: Error) => this.#malformed(error));
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    stream.on('error', () => this.#ended());
    stream.on('close', () => this.#ended());
    stream.on('end', () => this.#ended());
    // Probe connections that never send CONNECT (OBUSPA does this) must not hold a slot.
    this.#connectTimer = setTimeout(
      () => this.destroy('connect timeout'),
      engine.limits.connectTimeoutMs,
    );
    this.#connectTimer.unref();
  }

  #onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.#touch();
    this.#parser.parse(chunk);
    // The parser keeps a partial packet; refuse it once it exceeds our limit [MQTT-3.2.2-15].
    const partial = (this.#parser as unknown as { packet?: { length?: number } }).packet;
    if (partial?.length !== undefined && partial.length > this.engine.limits.maxPacketSize) {
      this.close(ReasonCodes.packetTooLarge, 'packet too large');
    }
  }

  #enqueue(packet: Packet): void {
    if (this.state === 'closed') return;
    if ((packet.length ?? 0) > this.engine.limits.maxPacketSize) {
      this.close(ReasonCodes.packetTooLarge, 'packet too large');
      return;
    }
    this.#pending++;
    if (this.#pending >= MAX_PENDING_PACKETS) this.stream.pause();
    if (packet.cmd === 'publish' && this.#publishRate !== undefined)
      this.#throttle(this.#publishRate.take());
    this.#work = this.#work
      .then(() => (this.state === 'closed' ? undefined : dispatch(this, packet)))
      .catch((error: unknown) => {
        this.engine.logger.error(
          { clientId: this.clientId, error: (error as Error).message },
          'handler failed',
        );
        this.close(ReasonCodes.unspecifiedError, 'internal error');
      })
      .finally(() => {
        this.#pending--;
        if (this.#pending < MAX_PENDING_PACKETS / 2 && this.state !== 'closed')
          this.stream.resume();
      });
  }

  // Over its publish rate: stop reading from the socket until the bucket refills, so TCP
  // slows the client down instead of us dropping or queueing without bound.
  #throttle(waitMs: number): void {
    if (waitMs === 0 || this.state === 'closed') return;
    const until = Date.now() + waitMs;
    if (until <= this.#throttledUntil) return;
    this.#throttledUntil = until;
    this.engine.counters.publishThrottled++;
    this.stream.pause();
    setTimeout(() => {
      if (
        this.state !== 'closed' &&
        Date.now() >= this.#throttledUntil &&
        this.#pending < MAX_PENDING_PACKETS / 2
      )
        this.stream.resume();
    }, waitMs).unref();
  }

  #malformed(error: Error): void {
    this.engine.logger.debug({ clientId: this.clientId, error: error.message }, 'malformed packet');
    this.close(ReasonCodes.malformedPacket, 'malformed packet');
  }

  /** Keep alive: the client must send something within 1.5 × the keep alive [MQTT-3.1.2-22]. */
  startKeepAlive(seconds: number): void {
    this.#keepAliveMs = seconds * 1500;
    this.#touch();
  }

  #touch(): void {
    if (this.#keepAliveMs === 0) return;
    clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = setTimeout(
      () => this.close(ReasonCodes.keepAliveTimeout, 'keep alive timeout'),
      this.#keepAliveMs,
    );
    this.#keepAliveTimer.unref();
  }

  /** CONNECT accepted: the CONNECT deadline no longer applies. */
  connected(): void {
    clearTimeout(this.#connectTimer);
    this.state = 'connected';
  }

  /** Writes a packet in the client's protocol version; false when it exceeds the client's limit. */
  write(packet: Packet): boolean {
    if (this.state === 'closed') return false;
    const bytes = mqtt.generate(packet, { protocolVersion: this.protocolVersion });
    if (this.clientMaximumPacketSize !== undefined && bytes.length > this.clientMaximumPacketSize)
      return false;
    this.stream.write(bytes);
    return true;
  }

  sendPublish(packet: Parameters<SessionLink['sendPublish']>[0]): boolean {
    return this.write(packet);
  }

  overflow(): void {
    this.engine.counters.slowSubscribersDisconnected++;
    this.engine.logger.warn({ clientId: this.clientId }, 'slow subscriber disconnected');
    this.close(ReasonCodes.quotaExceeded, 'subscriber too slow');
  }

  /**
   * Ends the connection: MQTT 5 clients get a DISCONNECT with the reason first (only after
   * CONNACK [MQTT-3.14.0-1]); then the socket closes.
   */
  close(reasonCode: number, reason: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'connected' && this.protocolVersion === 5) {
      this.write({
        cmd: 'disconnect',
        reasonCode,
        ...(this.requestProblemInformation ? { properties: { reasonString: reason } } : {}),
      });
    }
    this.engine.logger.debug({ clientId: this.clientId, reasonCode, reason }, 'closing connection');
    this.#shutdown(reasonCode, reason);
    this.stream.end();
    setTimeout(() => this.stream.destroy(), 1000).unref();
  }

  /** Drops the connection without a DISCONNECT (before CONNECT, or the socket is gone). */
  destroy(reason: string, reasonCode: number = ReasonCodes.unspecifiedError): void {
    if (this.state === 'closed') return;
    this.#shutdown(reasonCode, reason);
    this.stream.destroy();
  }

  #ended(): void {
    if (this.state !== 'closed') this.#shutdown(ReasonCodes.unspecifiedError, 'connection lost');
  }

  #shutdown(reasonCode: number, reason: string): void {
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    clearTimeout(this.#keepAliveTimer);
    clearTimeout(this.#connectTimer);
    this.#parser.removeAllListeners('packet');
    if (wasConnected) this.engine.disconnected(this, reasonCode, reason);
  }
}
