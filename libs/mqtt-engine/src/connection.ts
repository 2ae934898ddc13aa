// One client connection over any duplex stream (TCP, TLS, WebSocket): parses packets with the
// engine's codec, hands each to its handler in order, writes answers in the client's protocol
// version, and enforces the connection-level limits (CONNECT timeout, keep alive, packet size).
// Its fields change only through its own methods: the CONNECT handler decides, the connection
// applies. It knows the engine only as a ConnectionHost (issue 11: no import circle).
import type { Duplex } from 'node:stream';
import type { IConnackPacket, IConnectPacket, Packet } from 'mqtt-packet';
import { ReasonCodes } from '@octomesh/contracts';
import { TokenBucket } from './rate-limiter.ts';
import { dispatch } from './handlers/dispatch.ts';
import type {
  AcceptedConnect,
  AttachRefusal,
  AttachResult,
  ConnectionState,
  HandlerConnection,
  HandlerContext,
  Will,
} from './handlers/context.ts';
import { createParser } from './codec.ts';
import { fitPacket } from './fit-packet.ts';
import { v3ConnackCode } from './reason-mapping.ts';
import { OutboundAliases } from './outbound-aliases.ts';
import { PacketViolation } from './wire/packet-violation.ts';
import type { Session, SessionLink } from './session.ts';
import type { ConnectionMeta, EngineIdentity } from './types.ts';

/** What a connection needs of its engine: its handlers' context, and its own lifecycle. */
export interface ConnectionHost extends HandlerContext {
  /**
   * Attaches an authenticated connection to its session (takeover, client id ownership) and
   * applies its identity's quotas.
   */
  attach(
    connection: Connection,
    identity: EngineIdentity,
    cleanStart: boolean,
    expirySeconds: number,
    ownsClientId: boolean,
  ): Promise<{ ok: true; session: Session; sessionPresent: boolean } | AttachRefusal>;
  /** CONNACK went out (broker events). */
  connected(connection: Connection, sessionPresent: boolean): void;
  /** A connection that was connected has ended (will, session expiry). */
  disconnected(connection: Connection, reasonCode: number, reason: string): void;
  /** The connection's stream has closed. */
  forget(connection: Connection): void;
}

// Packets parsed but not yet handled before the socket is paused (bounded memory).
const MAX_PENDING_PACKETS = 64;

/** A client connection. */
export class Connection implements HandlerConnection, SessionLink {
  readonly #host: ConnectionHost;
  readonly stream: Duplex;
  readonly meta: ConnectionMeta;
  #state: ConnectionState = 'awaiting-connect';
  #protocolVersion: 3 | 4 | 5 = 4;
  #clientId = '';
  #identity: EngineIdentity | undefined;
  #session: Session | undefined;
  /** Unset when DISCONNECT (or a reclaimed client id) ended the connection normally. */
  #will: Will | undefined;
  /** Our outbound QoS 1/2 window: the client's Receive Maximum, at most maxInflightMessages. */
  #clientReceiveMaximum: number;
  #clientMaximumPacketSize: number | undefined;
  #requestProblemInformation = true;
  /** Topic aliases the client accepts from us (v5 CONNECT Topic Alias Maximum, 0 = none). */
  #clientTopicAliasMaximum = 0;
  #topicAliases: Map<number, string> | undefined;
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

  constructor(host: ConnectionHost, stream: Duplex, meta: ConnectionMeta) {
    this.#host = host;
    this.stream = stream;
    this.meta = meta;
    this.#clientReceiveMaximum = host.limits.maxInflightMessages;
    this.#parser.on('packet', (packet: Packet) => this.#enqueue(packet));
    this.#parser.on('error', (error: Error) => this.#malformed(error));
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    // Few closures per connection: idle connections are most of a broker's memory.
    const ended = (): void => this.#ended();
    stream.on('error', ended);
    stream.on('end', ended);
    stream.on('close', () => {
      this.#ended();
      host.forget(this);
    });
    // The socket caught up: send what waited for it.
    stream.on('drain', () => this.#session?.drain());
    // Probe connections that never send CONNECT (OBUSPA does this) must not hold a slot; the
    // engine's sweep checks this deadline (one timer for all connections).
    this.#connectDeadline = Date.now() + host.limits.connectTimeoutMs;
  }

  /** Where the connection is in its lifecycle. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The client's protocol level (4 until CONNECT says otherwise). */
  get protocolVersion(): 3 | 4 | 5 {
    return this.#protocolVersion;
  }

  /** CONNECT's client id, or the one assigned; '' before CONNECT. */
  get clientId(): string {
    return this.#clientId;
  }

  /** Who authenticated, once someone has. */
  get identity(): EngineIdentity | undefined {
    return this.#identity;
  }

  /** The session, once attached. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** What is sent if the connection ends without a normal DISCONNECT. */
  get will(): Will | undefined {
    return this.#will;
  }

  /** Client's Receive Maximum (v5), at most maxInflightMessages. */
  get clientReceiveMaximum(): number {
    return this.#clientReceiveMaximum;
  }

  /** Client's Maximum Packet Size (v5), undefined = no limit. */
  get clientMaximumPacketSize(): number | undefined {
    return this.#clientMaximumPacketSize;
  }

  /** Whether the client wants Reason Strings (v5 CONNECT Request Problem Information). */
  get requestProblemInformation(): boolean {
    return this.#requestProblemInformation;
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'closed' || this.#inputEnded) return;
    this.#lastActivity = Date.now();
    this.#parser.parse(chunk);
    // The parser keeps a partial packet; refuse it once it exceeds our limit [MQTT-3.2.2-15].
    const partial = this.#parser.partialLength;
    if (partial !== undefined && partial > this.#host.limits.maxPacketSize)
      this.#violated(ReasonCodes.packetTooLarge, 'packet too large');
  }

  #enqueue(packet: Packet): void {
    if (this.#state === 'closed' || this.#inputEnded) return;
    if ((packet.length ?? 0) > this.#host.limits.maxPacketSize) {
      this.#violated(ReasonCodes.packetTooLarge, 'packet too large');
      return;
    }
    if (packet.cmd === 'connect') this.#parser.keepOnlyVersion(packet.protocolVersion ?? 4);
    // MQTT 5 clients learn our Receive Maximum in CONNACK and must not have more QoS 1
    // PUBLISHes unacknowledged [MQTT-3.3.4-9] (QoS 2 is counted in the publish handler);
    // 3.1.1 has no such limit, its clients are only slowed by the paused socket.
    const qos1 = packet.cmd === 'publish' && packet.qos === 1 && this.#protocolVersion === 5;
    if (qos1 && ++this.#unackedQos1 > this.#host.limits.receiveMaximum) {
      this.#violated(ReasonCodes.receiveMaximumExceeded, 'receive maximum exceeded');
      return;
    }
    this.#pending++;
    if (this.#pending >= MAX_PENDING_PACKETS) this.stream.pause();
    // A PUBLISH pipelined behind its CONNECT comes before the identity (and its role's rate)
    // is known: its rate step then decides when its turn comes, never on a guess.
    const limited =
      packet.cmd === 'publish' &&
      (this.#identity === undefined || this.#rateLimiter() !== undefined);
    let work = this.#work;
    if (limited) {
      // Over its publish rate, a client's PUBLISHes wait their turn before they are handled;
      // the waiting packets fill the pending bound and pause the socket, so TCP slows the
      // client down: nothing it sent is lost and the handled rate never exceeds the limit.
      work = work.then(() => {
        const rate = this.#rateLimiter();
        if (rate === undefined) return undefined;
        const waitMs = rate.reserve();
        if (waitMs === 0 || this.#state === 'closed') return undefined;
        this.#host.counters.publishThrottled++;
        return new Promise<void>((resolve) => setTimeout(resolve, waitMs));
      });
    }
    this.#work = work
      .then(() => (this.#state === 'closed' ? undefined : dispatch(this.#host, this, packet)))
      .catch((error: unknown) => {
        this.#host.logger.error(
          { clientId: this.#clientId, error: (error as Error).message },
          'handler failed',
        );
        this.close(ReasonCodes.unspecifiedError, 'internal error');
      })
      .finally(() => {
        this.#pending--;
        if (qos1) this.#unackedQos1--;
        if (this.#pending < MAX_PENDING_PACKETS / 2 && this.#state !== 'closed')
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
    if (this.#identity === undefined) return undefined;
    const quota = this.#host.quotaOf(this.#identity.role);
    const rate = quota.publishRate ?? this.#host.limits.maxPublishRate;
    const burst = quota.publishBurst ?? this.#host.limits.publishBurst;
    this.#publishRate = rate <= 0 ? null : new TokenBucket(rate, Math.max(1, burst));
    return this.#publishRate ?? undefined;
  }

  /**
   * Called by the engine's sweep: ends a connection past its CONNECT deadline or silent for
   * 1.5 × its keep alive [MQTT-3.1.2-22].
   */
  sweep(now: number): void {
    if (this.#state === 'closed') return;
    if (this.#state !== 'connected') {
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
    if (this.#state === 'awaiting-connect' && violation !== undefined) {
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
    if (this.#state === 'closed' || this.#inputEnded) return false;
    this.#inputEnded = true;
    this.#parser.removeAllListeners('packet');
    this.stream.pause();
    this.#host.counters.packetViolations++;
    this.#host.logger.info(
      { clientId: this.#clientId, reasonCode, reason, ...(rule !== undefined ? { rule } : {}) },
      'packet violation, closing',
    );
    return true;
  }

  // A CONNECT that broke the spec: a level we do not speak gets CONNACK 0x01 in 3.1.1 form
  // [MQTT-3.1.2-2]; MQTT 5 gets CONNACK 0x81/0x82 (§4.13.1); 3.1/3.1.1 get no CONNACK
  // [MQTT-3.1.4-1]. Then the connection closes.
  #refuseConnect(violation: PacketViolation): void {
    if (this.#state === 'closed') return;
    const code = violation.violationCode;
    let connack: IConnackPacket | undefined;
    if (code === ReasonCodes.unsupportedProtocolVersion) {
      this.#protocolVersion = 4;
      connack = { cmd: 'connack', sessionPresent: false, returnCode: v3ConnackCode(code) };
    } else if (violation.connectLevel === 5) {
      this.#protocolVersion = 5;
      connack = { cmd: 'connack', sessionPresent: false, reasonCode: code };
    }
    this.refuse(connack, violation.message, code);
  }

  /** Answers with a refusing CONNACK (if any) and drops the connection [MQTT-3.2.2-7]. */
  refuse(connack: IConnackPacket | undefined, reason: string, reasonCode?: number): void {
    if (connack !== undefined) this.write(connack);
    this.stream.end();
    this.destroy(reason, reasonCode);
  }

  /**
   * CONNECT arrived: from now on answers speak the client's version and respect what it asked
   * of us (Request Problem Information, Receive Maximum, Maximum Packet Size, Topic Alias
   * Maximum), refusals included.
   */
  beginConnect(packet: IConnectPacket): void {
    this.#state = 'connecting';
    this.#protocolVersion = packet.protocolVersion ?? 4;
    const props = packet.properties ?? {};
    this.#requestProblemInformation = props.requestProblemInformation !== false;
    if (props.receiveMaximum !== undefined)
      this.#clientReceiveMaximum = Math.min(
        props.receiveMaximum,
        this.#host.limits.maxInflightMessages,
      );
    if (props.maximumPacketSize !== undefined)
      this.#clientMaximumPacketSize = props.maximumPacketSize;
    if (props.topicAliasMaximum !== undefined)
      this.#clientTopicAliasMaximum = props.topicAliasMaximum;
  }

  /** The client id the connection goes by: CONNECT's, or one assigned [MQTT-3.1.3-6]. */
  useClientId(clientId: string): void {
    this.#clientId = clientId;
  }

  /**
   * Authentication (CONNECT or re-authentication) proved this identity; an attached session
   * takes it too, and no verdict cached for the previous one survives (its role or endpoint may
   * have changed).
   */
  authenticated(identity: EngineIdentity): void {
    this.#identity = identity;
    const session = this.#session;
    if (session !== undefined) {
      session.identity = identity;
      session.decisions.clear();
    }
  }

  /**
   * Takes the accepted CONNECT's will, then its session. The will comes first: a socket lost
   * while the session loads still sends it.
   */
  async attach(accepted: AcceptedConnect): Promise<AttachResult> {
    this.#will = accepted.will;
    const attached = await this.#host.attach(
      this,
      accepted.identity,
      accepted.cleanStart,
      accepted.expirySeconds,
      accepted.ownsClientId,
    );
    if (!attached.ok) return attached;
    this.#session = attached.session;
    return { ok: true, sessionPresent: attached.sessionPresent };
  }

  /**
   * Completes an accepted CONNECT: CONNACK (the CONNECT deadline no longer applies), the keep
   * alive, then the session resumes: unacknowledged PUBLISHes and PUBRELs are sent again
   * [MQTT-4.4.0-1].
   */
  acknowledge(connack: IConnackPacket, keepAliveSeconds: number, sessionPresent: boolean): void {
    if (this.#state === 'closed') {
      // The socket went away while the session was loading: detach it again.
      this.#host.disconnected(this, ReasonCodes.unspecifiedError, 'connection lost during CONNECT');
      return;
    }
    this.#state = 'connected';
    if (!this.write(connack)) {
      // Even without its optional properties CONNACK exceeds the client's Maximum Packet Size
      // [MQTT-3.1.2-24]: nothing can be said to this client. It never learnt it was accepted,
      // so its will is not sent.
      this.#host.logger.info(
        { clientId: this.#clientId, maximumPacketSize: this.#clientMaximumPacketSize },
        'CONNACK exceeds the client maximum packet size, closing',
      );
      this.#will = undefined;
      this.destroy('CONNACK exceeds the client maximum packet size');
      return;
    }
    // Keep alive: the client must send something within 1.5 × the keep alive [MQTT-3.1.2-22].
    this.#keepAliveMs = keepAliveSeconds * 1500;
    this.#lastActivity = Date.now();
    for (const packetId of this.#session!.resume(this))
      this.write({ cmd: 'pubrel', messageId: packetId });
    this.#host.connected(this, sessionPresent);
  }

  /** The connection ends normally (DISCONNECT, a reclaimed client id): no will is sent. */
  discardWill(): void {
    this.#will = undefined;
  }

  /**
   * True while the socket holds more unsent bytes than the engine allows: deliveries then wait
   * in the session's bounded queue (QoS 0 dropped first) instead of piling up in the socket.
   */
  get congested(): boolean {
    return this.stream.writableLength > this.#host.limits.writeBufferBytes;
  }

  /**
   * Writes a packet in the client's protocol version, trimmed to the client's Maximum Packet
   * Size (fit-packet.ts); false when it cannot fit.
   */
  write(packet: Packet): boolean {
    if (this.#state === 'closed') return false;
    // The client is gone while its last packets are handled: nothing can reach it. QoS 1/2
    // deliveries stay in flight for its session (resent on resume), so this is not a refusal.
    if (this.stream.destroyed || this.stream.writableEnded) return true;
    const bytes = fitPacket(packet, this.#protocolVersion, this.#clientMaximumPacketSize);
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
    if (this.#clientTopicAliasMaximum === 0 || this.#protocolVersion !== 5)
      return this.write(packet);
    // Outbound topic aliases [MQTT-3.3.2-7..11]: a topic sent before goes as its alias alone.
    this.#outAliases ??= new OutboundAliases(this.#clientTopicAliasMaximum);
    const { alias, known } = this.#outAliases.lookup(packet.topic);
    const properties = { ...packet.properties, topicAlias: alias };
    const sent = this.write({ ...packet, topic: known ? '' : packet.topic, properties });
    if (sent && !known) this.#outAliases.commit(packet.topic, alias);
    return sent;
  }

  overflow(): void {
    this.#host.counters.slowSubscribersDisconnected++;
    this.#host.logger.warn({ clientId: this.#clientId }, 'slow subscriber disconnected');
    this.close(ReasonCodes.quotaExceeded, 'subscriber too slow');
  }

  /**
   * Ends the connection: MQTT 5 clients get a DISCONNECT with the reason first (only after
   * CONNACK [MQTT-3.14.0-1]); then the socket closes.
   */
  close(reasonCode: number, reason: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connected' && this.#protocolVersion === 5) {
      this.write({
        cmd: 'disconnect',
        reasonCode,
        ...(this.#requestProblemInformation ? { properties: { reasonString: reason } } : {}),
      });
    }
    this.#host.logger.debug({ clientId: this.#clientId, reasonCode, reason }, 'closing connection');
    this.#shutdown(reasonCode, reason);
    this.stream.end();
    setTimeout(() => this.stream.destroy(), 1000).unref();
  }

  /** Drops the connection without a DISCONNECT (before CONNECT, or the socket is gone). */
  destroy(reason: string, reasonCode: number = ReasonCodes.unspecifiedError): void {
    if (this.#state === 'closed') return;
    this.#shutdown(reasonCode, reason);
    this.stream.destroy();
  }

  // The socket ended or failed. Packets the client sent before that are still handled, in
  // order and to completion, before the connection ends: a DISCONNECT or a closed socket never
  // overtakes the PUBLISHes received before it [MQTT-4.6.0] (mosquitto_pub -l sends its last
  // lines, DISCONNECT and FIN in one burst).
  #ended(): void {
    if (this.#state === 'closed' || this.#inputEnded) return;
    this.#inputEnded = true;
    this.#work = this.#work.then(() => {
      if (this.#state !== 'closed') this.#shutdown(ReasonCodes.unspecifiedError, 'connection lost');
    });
  }

  #shutdown(reasonCode: number, reason: string): void {
    const wasConnected = this.#state === 'connected';
    this.#state = 'closed';
    this.#parser.removeAllListeners('packet');
    if (wasConnected) this.#host.disconnected(this, reasonCode, reason);
  }
}
