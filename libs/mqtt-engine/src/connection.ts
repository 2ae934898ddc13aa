// One client connection over any duplex stream (TCP, TLS, WebSocket): parses packets with
// mqtt-packet, hands each to its handler in order, writes answers in the client's protocol
// version, and enforces the connection-level limits (CONNECT timeout, keep alive, packet size).
import type { Duplex } from 'node:stream';
import type { Packet } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import type { Engine } from './engine.ts';
import { TokenBucket } from './rate-limiter.ts';
import { dispatch } from './handlers/dispatch.ts';
import { createParser } from './codec.ts';
import { fitPacket } from './fit-packet.ts';
import { v3ConnackCode } from './reason-mapping.ts';
import { PacketViolation } from './wire/packet-violation.ts';
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
  /** Our outbound QoS 1/2 window: the client's Receive Maximum, at most maxInflightMessages. */
  clientReceiveMaximum: number;
  clientMaximumPacketSize: number | undefined;
  requestProblemInformation = true;
  /** Topic aliases the client accepts from us (v5 CONNECT Topic Alias Maximum, 0 = none). */
  clientTopicAliasMaximum = 0;
  #topicAliases: Map<number, string> | undefined;
  /** Set when DISCONNECT (or a takeover) ended the connection normally: no will. */
  normalDisconnect = false;
  readonly #parser = createParser().useCompactBuffer();
  #publishRate: TokenBucket | null | undefined;
  #pending = 0;
  /** QoS 1 PUBLISHes received and not yet acknowledged (counted against our Receive Maximum). */
  #unackedQos1 = 0;
  #work: Promise<void> = Promise.resolve();
  /** Keep alive in ms (0 = none) and the last time the client sent anything. */
  #keepAliveMs = 0;
  #lastActivity = Date.now();
  /** Until CONNECT is accepted, the connection must complete by this time. */
  #connectDeadline: number;
  #corked = false;
  /** The client's side of the stream ended: what it sent is handled, then the connection ends. */
  #inputEnded = false;
  /** Aliases we gave topics towards the client (v5), created on first use. */
  #outAliases: OutboundAliases | undefined;

  constructor(engine: Engine, stream: Duplex, meta: ConnectionMeta) {
    this.engine = engine;
    this.stream = stream;
    this.meta = meta;
    this.clientReceiveMaximum = engine.limits.maxInflightMessages;
    this.#parser.on('packet', (packet: Packet) => this.#enqueue(packet));
    this.#parser.on('error', (error: Error) => this.#malformed(error));
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    // Few closures per connection: idle connections are most of a broker's memory.
    const ended = (): void => this.#ended();
    stream.on('error', ended);
    stream.on('end', ended);
    stream.on('close', () => {
      this.#ended();
      engine.forget(this);
    });
    // The socket caught up: send what waited for it.
    stream.on('drain', () => this.session?.drain());
    // Probe connections that never send CONNECT (OBUSPA does this) must not hold a slot; the
    // engine's sweep checks this deadline (one timer for all connections).
    this.#connectDeadline = Date.now() + engine.limits.connectTimeoutMs;
  }

  #onData(chunk: Buffer): void {
    if (this.state === 'closed' || this.#inputEnded) return;
    this.#lastActivity = Date.now();
    this.#parser.parse(chunk);
    // The parser keeps a partial packet; refuse it once it exceeds our limit [MQTT-3.2.2-15].
    const partial = this.#parser.partialLength;
    if (partial !== undefined && partial > this.engine.limits.maxPacketSize)
      this.#violated(ReasonCodes.packetTooLarge, 'packet too large');
  }

  #enqueue(packet: Packet): void {
    if (this.state === 'closed' || this.#inputEnded) return;
    if ((packet.length ?? 0) > this.engine.limits.maxPacketSize) {
      this.#violated(ReasonCodes.packetTooLarge, 'packet too large');
      return;
    }
    if (packet.cmd === 'connect') this.#parser.keepOnlyVersion(packet.protocolVersion ?? 4);
    // MQTT 5 clients learn our Receive Maximum in CONNACK and must not have more QoS 1
    // PUBLISHes unacknowledged [MQTT-3.3.4-9] (QoS 2 is counted in the publish handler);
    // 3.1.1 has no such limit, its clients are only slowed by the paused socket.
    const qos1 = packet.cmd === 'publish' && packet.qos === 1 && this.protocolVersion === 5;
    if (qos1 && ++this.#unackedQos1 > this.engine.limits.receiveMaximum) {
      this.#violated(ReasonCodes.receiveMaximumExceeded, 'receive maximum exceeded');
      return;
    }
    this.#pending++;
    if (this.#pending >= MAX_PENDING_PACKETS) this.stream.pause();
    // A PUBLISH pipelined behind its CONNECT comes before the identity (and its role's rate)
    // is known: its rate step then decides when its turn comes, never on a guess.
    const limited =
      packet.cmd === 'publish' &&
      (this.identity === undefined || this.#rateLimiter() !== undefined);
    let work = this.#work;
    if (limited) {
      // Over its publish rate, a client's PUBLISHes wait their turn before they are handled;
      // the waiting packets fill the pending bound and pause the socket, so TCP slows the
      // client down: nothing it sent is lost and the handled rate never exceeds the limit.
      work = work.then(() => {
        const rate = this.#rateLimiter();
        if (rate === undefined) return undefined;
        const waitMs = rate.reserve();
        if (waitMs === 0 || this.state === 'closed') return undefined;
        this.engine.counters.publishThrottled++;
        return new Promise<void>((resolve) => setTimeout(resolve, waitMs));
      });
    }
    this.#work = work
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
        if (qos1) this.#unackedQos1--;
        if (this.#pending < MAX_PENDING_PACKETS / 2 && this.state !== 'closed')
          this.stream.resume();
      });
  }

  /** Topic aliases the client set towards us [MQTT-3.3.2-12] (created on first use). */
  get topicAliases(): Map<number, string> {
    return (this.#topicAliases ??= new Map());
  }

  // The publish-rate bucket, created with the first PUBLISH (idle devices never need one).
  // The identity's role sets the rate (controllers and admins have none by default); roles
  // without one get the engine-wide limit. Decided once, when the identity is known (null:
  // unlimited); before that (no CONNACK yet) undefined, and nothing is cached.
  #rateLimiter(): TokenBucket | undefined {
    if (this.#publishRate !== undefined) return this.#publishRate ?? undefined;
    if (this.identity === undefined) return undefined;
    const quota = this.engine.quotaOf(this.identity.role);
    const rate = quota.publishRate ?? this.engine.limits.maxPublishRate;
    const burst = quota.publishBurst ?? this.engine.limits.publishBurst;
    this.#publishRate = rate <= 0 ? null : new TokenBucket(rate, Math.max(1, burst));
    return this.#publishRate ?? undefined;
  }

  /**
   * Called by the engine's sweep: ends a connection past its CONNECT deadline or silent for
   * 1.5 × its keep alive [MQTT-3.1.2-22].
   */
  sweep(now: number): void {
    if (this.state === 'closed') return;
    if (this.state !== 'connected') {
      if (now >= this.#connectDeadline) this.destroy('connect timeout');
      return;
    }
    if (this.#keepAliveMs > 0 && now - this.#lastActivity > this.#keepAliveMs)
      this.close(ReasonCodes.keepAliveTimeout, 'keep alive timeout');
  }

  // A packet broke the spec (wire/check-packet.ts) or could not be decoded: the connection
  // ends with the reason the spec gives. Packets received before it are still handled; none
  // after it [MQTT-4.8.0-1] (5.0 §4.13).
  #malformed(error: Error): void {
    const violation = error instanceof PacketViolation ? error : undefined;
    if (this.state === 'awaiting-connect' && violation !== undefined) {
      if (!this.#stopReading(violation.violationCode, violation.message, violation.rule)) return;
      this.#work = this.#work.then(() => this.#refuseConnect(violation));
      return;
    }
    this.#violated(
      violation?.violationCode ?? ReasonCodes.malformedPacket,
      error.message,
      violation?.rule,
    );
  }

  // The client broke the protocol: nothing more is read from it, what it sent before is still
  // handled, then the connection closes with the reason.
  #violated(reasonCode: number, reason: string, rule?: string): void {
    if (!this.#stopReading(reasonCode, reason, rule)) return;
    this.#work = this.#work.then(() => this.close(reasonCode, reason));
  }

  // False when the connection was already ending.
  #stopReading(reasonCode: number, reason: string, rule: string | undefined): boolean {
    if (this.state === 'closed' || this.#inputEnded) return false;
    this.#inputEnded = true;
    this.#parser.removeAllListeners('packet');
    this.stream.pause();
    this.engine.counters.packetViolations++;
    this.engine.logger.info(
      { clientId: this.clientId, reasonCode, reason, ...(rule !== undefined ? { rule } : {}) },
      'packet violation, closing',
    );
    return true;
  }

  // A CONNECT that broke the spec: a level we do not speak gets CONNACK 0x01 in 3.1.1 form
  // [MQTT-3.1.2-2]; MQTT 5 gets CONNACK 0x81/0x82 (§4.13.1); 3.1/3.1.1 get no CONNACK
  // [MQTT-3.1.4-1]. Then the connection closes.
  #refuseConnect(violation: PacketViolation): void {
    if (this.state === 'closed') return;
    const code = violation.violationCode;
    if (code === ReasonCodes.unsupportedProtocolVersion) {
      this.protocolVersion = 4;
      this.write({ cmd: 'connack', sessionPresent: false, returnCode: v3ConnackCode(code) });
    } else if (violation.connectLevel === 5) {
      this.protocolVersion = 5;
      this.write({ cmd: 'connack', sessionPresent: false, reasonCode: code });
    }
    this.stream.end();
    this.destroy(violation.message, code);
  }

  /** Keep alive: the client must send something within 1.5 × the keep alive [MQTT-3.1.2-22]. */
  startKeepAlive(seconds: number): void {
    this.#keepAliveMs = seconds * 1500;
    this.#lastActivity = Date.now();
  }

  /** CONNECT accepted: the CONNECT deadline no longer applies. */
  connected(): void {
    this.state = 'connected';
  }

  /**
   * True while the socket holds more unsent bytes than the engine allows: deliveries then wait
   * in the session's bounded queue (QoS 0 dropped first) instead of piling up in the socket.
   */
  get congested(): boolean {
    return this.stream.writableLength > this.engine.limits.writeBufferBytes;
  }

  /**
   * Writes a packet in the client's protocol version, trimmed to the client's Maximum Packet
   * Size (fit-packet.ts); false when it cannot fit.
   */
  write(packet: Packet): boolean {
    if (this.state === 'closed') return false;
    // The client is gone while its last packets are handled: nothing can reach it. QoS 1/2
    // deliveries stay in flight for its session (resent on resume), so this is not a refusal.
    if (this.stream.destroyed || this.stream.writableEnded) return true;
    const bytes = fitPacket(packet, this.protocolVersion, this.clientMaximumPacketSize);
    if (bytes === undefined) return false;
    if (!this.#corked) {
      // Packets written in one turn of the event loop leave in one write (far fewer syscalls
      // and TLS records under load).
      this.#corked = true;
      this.stream.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.stream.uncork();
      });
    }
    this.stream.write(bytes);
    return true;
  }

  sendPublish(packet: Parameters<SessionLink['sendPublish']>[0]): boolean {
    if (this.clientTopicAliasMaximum === 0 || this.protocolVersion !== 5) return this.write(packet);
    // Outbound topic aliases [MQTT-3.3.2-7..11]: a topic sent before goes as its alias alone.
    this.#outAliases ??= new OutboundAliases(this.clientTopicAliasMaximum);
    const { alias, known } = this.#outAliases.lookup(packet.topic);
    const properties = { ...packet.properties, topicAlias: alias };
    const sent = this.write({ ...packet, topic: known ? '' : packet.topic, properties });
    if (sent && !known) this.#outAliases.commit(packet.topic, alias);
    return sent;
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

  // The socket ended or failed. Packets the client sent before that are still handled, in
  // order and to completion, before the connection ends: a DISCONNECT or a closed socket never
  // overtakes the PUBLISHes received before it [MQTT-4.6.0] (mosquitto_pub -l sends its last
  // lines, DISCONNECT and FIN in one burst).
  #ended(): void {
    if (this.state === 'closed' || this.#inputEnded) return;
    this.#inputEnded = true;
    this.#work = this.#work.then(() => {
      if (this.state !== 'closed') this.#shutdown(ReasonCodes.unspecifiedError, 'connection lost');
    });
  }

  #shutdown(reasonCode: number, reason: string): void {
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.#parser.removeAllListeners('packet');
    if (wasConnected) this.engine.disconnected(this, reasonCode, reason);
  }
}

/**
 * The topic aliases we use towards one client: up to its Topic Alias Maximum, and once all are
 * taken the least recently assigned alias is given to the new topic.
 */
class OutboundAliases {
  readonly #maximum: number;
  readonly #byTopic = new Map<string, number>();
  readonly #topics: string[] = [];
  #next = 0;

  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /** The alias for a topic, and whether the client already knows it. */
  lookup(topic: string): { alias: number; known: boolean } {
    const alias = this.#byTopic.get(topic);
    if (alias !== undefined) return { alias, known: true };
    return { alias: (this.#next % this.#maximum) + 1, known: false };
  }

  /** The PUBLISH carrying topic and alias was written: the client now maps alias → topic. */
  commit(topic: string, alias: number): void {
    const previous = this.#topics[alias - 1];
    if (previous !== undefined) this.#byTopic.delete(previous);
    this.#topics[alias - 1] = topic;
    this.#byTopic.set(topic, alias);
    this.#next++;
  }
}
