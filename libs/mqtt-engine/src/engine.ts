// The engine: sessions, the subscription index, retained messages and routing. Listeners hand
// it duplex streams; deciders (auth, acl) and stores come in through interfaces, so the engine
// has no NATS inside and runs the same in tests and in the broker service.
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { ReasonCodes } from '@octomesh/contracts';
import { Connection, type ConnectionHost } from './connection.ts';
import { zeroCounters, type EngineCounters } from './counters.ts';
import { DEFAULT_LIMITS, type EngineLimits } from './limits.ts';
import { silentLogger, type EngineLogger } from './logger.ts';
import { MemoryRetainedStore } from './memory-retained-store.ts';
import { RetainedQuotaError } from './retained-store.ts';
import type { RetainedStore } from './retained-store.ts';
import { Session, type PendingDelivery, type SessionDelivery } from './session.ts';
import { SharedGroups } from './shared-groups.ts';
import { startSysTopics } from './sys-topics.ts';
import { MemoryGuard } from './memory-guard.ts';
import { LocalFabric, type MessageFabric, type SharedDelivery } from './message-fabric.ts';
import { MemorySessionStore, type SessionStore, type StoredSession } from './session-store.ts';
import type { SessionMessageStore } from './session-messages.ts';
import { mergeOverlapping, SubscriptionIndex, type Subscription } from './subscription-index.ts';
import type { ConnectionMeta, Deciders, EngineIdentity, Message } from './types.ts';
import type { EnhancedAuthMethod } from './enhanced-auth.ts';
import { KeyIndex } from './key-index.ts';
import { recheckAllSessions, recheckSession, type RecheckResult } from './subscription-recheck.ts';
import { DEFAULT_CLIENT_ID_POLICY, type ClientIdPolicy } from './client-id-policy.ts';
import {
  addressOf,
  AddressLimits,
  DEFAULT_ROLE_QUOTAS,
  RetainedOwnership,
  topicLimitsOf,
  type RoleQuota,
  type TopicLimits,
  type RoleQuotas,
} from './quotas.ts';

const NO_QUOTA: RoleQuota = Object.freeze({});

/** What the engine is built from. */
export interface EngineOptions {
  deciders: Deciders;
  limits?: Partial<EngineLimits>;
  retained?: RetainedStore;
  logger?: EngineLogger;
  /** USP topic prefix: CONNACK tells agents `<prefix>/agent/<endpoint id>`. */
  uspTopicPrefix?: string;
  /** Replaces the memory guard (tests). */
  memoryGuard?: MemoryGuard;
  /** Carries messages between replicas (default: this replica only). */
  fabric?: MessageFabric;
  /** Keeps sessions between connections (default: this process's memory). */
  sessionStore?: SessionStore;
  /**
   * Keeps the QoS 1/2 messages of offline persistent sessions where every replica can take them
   * (default: none, they wait in the memory of the replica holding the session).
   */
  sessionMessages?: SessionMessageStore;
  /** Enhanced authentication methods offered to MQTT 5 clients (AUTH exchange). */
  authMethods?: readonly EnhancedAuthMethod[];
  /** Client id templates per role (default: devices use their username or endpoint id). */
  clientIdPolicy?: ClientIdPolicy;
  /** Quotas per role (default: devices bounded, controllers and admins publish freely). */
  roleQuotas?: RoleQuotas;
  /**
   * Called before a client id this replica does not hold is attached: other replicas holding it
   * end their connection (0x8E) and hand the session over through the store (their `release`).
   * Resolves when they have; a rejection refuses a resumed session (a clean start goes on).
   */
  claimClientId?: (clientId: string, cleanStart: boolean) => Promise<void>;
}

/** Observers of connection lifecycle (broker events). */
export interface EngineEvents {
  onConnected?(connection: Connection, sessionPresent: boolean): void;
  onDisconnected?(
    connection: Connection,
    reasonCode: number,
    reason: string,
    willSent: boolean,
  ): void;
}

/** The MQTT engine. */
export class Engine {
  readonly limits: EngineLimits;
  readonly deciders: Deciders;
  readonly retained: RetainedStore;
  readonly fabric: MessageFabric;
  readonly sessionStore: SessionStore;
  readonly #stopFabric: () => void;
  readonly logger: EngineLogger;
  readonly uspTopicPrefix: string | undefined;
  /** Enhanced authentication methods by name. */
  readonly authMethods: ReadonlyMap<string, EnhancedAuthMethod>;
  /** Which client ids each role may use and owns. */
  readonly clientIdPolicy: ClientIdPolicy;
  readonly #roleQuotas: RoleQuotas;
  readonly #topicLimits = new Map<string, TopicLimits>();
  readonly #retainedOwners = new RetainedOwnership();
  readonly #addresses: AddressLimits;
  /** Client ids of the sessions each identity holds, by subject and by username. */
  readonly #sessionsBySubject = new KeyIndex();
  readonly #sessionsByUsername = new KeyIndex();
  /** Every subscription; what it covers is the interest the fabric announces to other replicas. */
  readonly index = new SubscriptionIndex({
    onInterest: (filter, shareGroup, present) =>
      this.fabric.interest?.(filter, shareGroup, present),
  });
  readonly #shared = new SharedGroups();
  readonly sessions = new Map<string, Session>();
  readonly connections = new Map<string, Connection>();
  readonly counters: EngineCounters = zeroCounters();
  events: EngineEvents = {};
  readonly #open = new Set<Connection>();
  /** A rule re-check running, and whether another change came meanwhile. */
  #recheckRunning: Promise<RecheckResult> | undefined;
  #recheckAgain = false;
  readonly #pendingWills = new Map<string, { timer: NodeJS.Timeout; message: Message }>();
  readonly #claimClientId: EngineOptions['claimClientId'];
  readonly #sessionMessages: SessionMessageStore | undefined;
  /** Connected sessions changed in this turn, saved together (#sessionChanged). */
  readonly #changed = new Set<string>();
  /** Session saves in flight, so a release waits for the copy it hands over. */
  readonly #saving = new Map<string, Promise<void>>();
  readonly #stopSys: () => void;
  readonly #sweepTimer: NodeJS.Timeout;
  /** Connected sessions whose queues are backed up (normally empty). */
  readonly #backlogged = new Set<Session>();
  readonly #sessionObserver = {
    backlogChanged: (session: Session, backlogged: boolean): void => {
      if (backlogged) this.#backlogged.add(session);
      else this.#backlogged.delete(session);
    },
  };
  /** Sheds load when memory passes the limit (new CONNECTs refused, QoS 0 dropped). */
  readonly memoryGuard: MemoryGuard;
  /** What connections and their handlers see of the engine. */
  readonly #host: ConnectionHost;

  constructor(options: EngineOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.deciders = options.deciders;
    this.retained = options.retained ?? new MemoryRetainedStore();
    this.fabric = options.fabric ?? new LocalFabric();
    this.sessionStore = options.sessionStore ?? new MemorySessionStore();
    this.#claimClientId = options.claimClientId;
    this.#sessionMessages = options.sessionMessages;
    this.#stopFabric = this.fabric.subscribe((message, shared) =>
      this.#fromFabric(message, shared),
    );
    this.logger = options.logger ?? silentLogger;
    this.uspTopicPrefix = options.uspTopicPrefix;
    this.authMethods = new Map((options.authMethods ?? []).map((m) => [m.name, m]));
    this.clientIdPolicy = options.clientIdPolicy ?? DEFAULT_CLIENT_ID_POLICY;
    this.#roleQuotas = options.roleQuotas ?? DEFAULT_ROLE_QUOTAS;
    this.#addresses = new AddressLimits({
      maxConnections: this.limits.maxConnectionsPerAddress,
      connectRate: this.limits.connectRatePerAddress,
      connectBurst: this.limits.connectBurstPerAddress,
    });
    this.memoryGuard = options.memoryGuard ?? new MemoryGuard(this.limits.memoryLimitBytes);
    this.memoryGuard.onChange = (overloaded, used, limit) => {
      const fields = { usedMB: Math.round(used / 2 ** 20), limitMB: Math.round(limit / 2 ** 20) };
      if (overloaded)
        this.logger.warn(fields, 'memory limit reached: refusing CONNECTs (0x89), dropping QoS 0');
      else this.logger.info(fields, 'memory back under 80% of the limit: accepting CONNECTs');
    };
    this.memoryGuard.start();
    this.#stopSys =
      this.limits.sysIntervalSeconds > 0
        ? startSysTopics(this, this.limits.sysIntervalSeconds)
        : () => undefined;
    // One timer checks every connection's CONNECT deadline and keep alive, instead of a timer
    // (re-armed on every packet) per connection.
    const sweepMs = Math.max(50, Math.min(500, this.limits.connectTimeoutMs / 4));
    this.#sweepTimer = setInterval(() => {
      const now = Date.now();
      for (const connection of this.#open) connection.sweep(now);
    }, sweepMs);
    this.#sweepTimer.unref();
    this.#host = this.#connectionHost();
  }

  // The engine as its connections and their handlers see it (connection.ts, handlers/context.ts):
  // narrow, so neither imports the engine, and what only connections call stays private here.
  #connectionHost(): ConnectionHost {
    return {
      limits: this.limits,
      logger: this.logger,
      counters: this.counters,
      deciders: this.deciders,
      authMethods: this.authMethods,
      clientIdPolicy: this.clientIdPolicy,
      uspTopicPrefix: this.uspTopicPrefix,
      memoryGuard: this.memoryGuard,
      // A persistent session's subscriptions are saved as they change, not only when its
      // connection ends: a replica killed outright saves nothing.
      index: {
        add: (subscription) => {
          const result = this.index.add(subscription);
          this.#sessionChanged(subscription.clientId);
          return result;
        },
        remove: (clientId, filter, shareGroup) => {
          const removed = this.index.remove(clientId, filter, shareGroup);
          if (removed) this.#sessionChanged(clientId);
          return removed;
        },
        subscriptionsOf: (clientId) => this.index.subscriptionsOf(clientId),
      },
      retained: this.retained,
      quotaOf: (role) => this.quotaOf(role),
      topicLimitsOf: (role) => this.#topicLimitsOf(role),
      admitAddress: (sourceAddress) => this.#admitAddress(sourceAddress),
      assignClientId: () => `octomesh-${randomUUID()}`,
      publish: (message) => this.publish(message),
      awaitSubscribers: (topic) => this.awaitSubscribers(topic),
      recheckSession: (session, identity) => recheckSession(this, session, identity),
      attach: (connection, identity, cleanStart, expirySeconds, ownsClientId) =>
        this.#attach(connection, identity, cleanStart, expirySeconds, ownsClientId),
      connected: (connection, sessionPresent) =>
        this.events.onConnected?.(connection, sessionPresent),
      disconnected: (connection, reasonCode, reason) =>
        this.#disconnected(connection, reasonCode, reason),
      forget: (connection) => this.#forget(connection),
    };
  }

  /** Takes a new client stream from a listener. */
  accept(stream: Duplex, meta: ConnectionMeta): Connection {
    this.counters.connectionsAccepted++;
    const connection = new Connection(this.#host, stream, meta);
    this.#open.add(connection);
    this.#addresses.opened(addressOf(meta.sourceAddress));
    return connection;
  }

  // A connection's stream has closed.
  #forget(connection: Connection): void {
    if (this.#open.delete(connection))
      this.#addresses.closed(addressOf(connection.meta.sourceAddress));
  }

  /** The quota of a role (empty for a role with none). */
  quotaOf(role: string): RoleQuota {
    return this.#roleQuotas[role] ?? NO_QUOTA;
  }

  // A role's topic limits within the engine's, computed once per role (asked per PUBLISH).
  #topicLimitsOf(role: string): TopicLimits {
    let limits = this.#topicLimits.get(role);
    if (limits === undefined)
      this.#topicLimits.set(role, (limits = topicLimitsOf(this.quotaOf(role), this.limits)));
    return limits;
  }

  // Whether a CONNECT from this source address may go on (before any authentication work):
  // undefined, or the reason code that refuses it.
  #admitAddress(sourceAddress: string): number | undefined {
    const verdict = this.#addresses.admit(addressOf(sourceAddress));
    if (verdict === 'ok') return undefined;
    if (verdict === 'connections') {
      this.counters.quotaAddressConnectionsRefused++;
      return ReasonCodes.quotaExceeded;
    }
    this.counters.quotaAddressRateRefused++;
    return ReasonCodes.connectionRateExceeded;
  }

  // After the connection of `attachedClientId` attached: an identity over its role's connection
  // quota loses its oldest other connections (0x8E, the newest wins), and over its session quota
  // its oldest offline sessions.
  #enforceIdentityQuotas(attachedClientId: string, identity: EngineIdentity): void {
    const quota = this.quotaOf(identity.role);
    const others = this.#sessionsBySubject
      .get(identity.subject)
      .filter((clientId) => clientId !== attachedClientId)
      .map((clientId) => this.sessions.get(clientId))
      .filter((session): session is Session => session !== undefined);
    if (quota.maxConnections !== undefined) {
      const live = others.filter((s) => this.connections.has(s.clientId));
      for (const session of live.slice(0, Math.max(0, live.length + 1 - quota.maxConnections))) {
        this.counters.quotaConnectionsReplaced++;
        this.logger.info(
          { clientId: session.clientId, subject: identity.subject },
          'connection quota: older connection of the identity closed',
        );
        this.connections
          .get(session.clientId)
          ?.close(ReasonCodes.sessionTakenOver, 'another connection of this identity replaced it');
      }
    }
    if (quota.maxSessions !== undefined) {
      const offline = others.filter((s) => !this.connections.has(s.clientId));
      const excess = others.length + 1 - quota.maxSessions;
      for (const session of offline.slice(0, Math.max(0, excess))) {
        this.counters.quotaSessionsDiscarded++;
        this.logger.info(
          { clientId: session.clientId, subject: identity.subject },
          'session quota: older session of the identity discarded',
        );
        this.#endSession(session);
      }
    }
  }

  /** Open connections (connected or not). */
  get openConnections(): number {
    return this.#open.size;
  }

  // Attaches an authenticated connection to its session: the one in memory, else one from the
  // session store (a restarted or other replica), else a new one. A client id held by another
  // identity is refused, unless the newcomer owns that id (`ownsClientId`, client-id-policy.ts):
  // then the other identity's session is discarded, so no device can squat another's id. Then
  // the identity's quotas apply.
  async #attach(
    connection: Connection,
    identity: EngineIdentity,
    cleanStart: boolean,
    expirySeconds: number,
    ownsClientId: boolean,
  ): ReturnType<ConnectionHost['attach']> {
    const clientId = connection.clientId;
    let stored: StoredSession | undefined;
    if (!this.sessions.has(clientId) && this.#claimClientId !== undefined) {
      try {
        await this.#claimClientId(clientId, cleanStart);
      } catch (error) {
        this.logger.error(
          { clientId, error: (error as Error).message },
          'client id not claimed from other replicas',
        );
        // Resuming without the other replica's copy could lose its subscriptions.
        if (!cleanStart) return { ok: false, reason: 'store' };
      }
    }
    if (!this.sessions.has(clientId)) {
      try {
        stored = await this.sessionStore.load(clientId);
      } catch (error) {
        this.logger.error(
          { clientId, error: (error as Error).message },
          'session store unavailable',
        );
        // Resuming without the stored subscriptions would lose them silently.
        if (!cleanStart) return { ok: false, reason: 'store' };
      }
    }
    const owner = this.sessions.get(clientId)?.identity.subject ?? stored?.identitySubject;
    if (owner !== undefined && owner !== identity.subject) {
      if (!ownsClientId) return { ok: false, reason: 'identity' };
      this.#reclaim(clientId, owner);
      stored = undefined;
    }
    const previous = this.connections.get(clientId);
    if (previous !== undefined && previous !== connection) {
      // Session takeover [MQTT-3.1.4-3]: the old connection ends with 0x8E. A session with
      // expiry 0 ends with that connection [MQTT-3.1.2-6], so the new one finds no session
      // (Session Present 0 [MQTT-3.2.2-2]).
      this.counters.sessionsTakenOver++;
      previous.close(ReasonCodes.sessionTakenOver, 'session taken over');
    }
    // The old connection's will (MQTT 5 §3.1.3.2.2 note): sent at once when its delay is 0 or
    // its session ended with it (done as it closed, above); a delayed one is cancelled by a new
    // connection to the same session [MQTT-3.1.3-9], and sent now when a clean start ends that
    // session before the delay has passed.
    if (cleanStart) this.#releaseWill(clientId);
    else this.#cancelWill(clientId);
    const existing = this.sessions.get(clientId);
    let session = existing;
    let sessionPresent = false;
    if (session !== undefined && !cleanStart) {
      sessionPresent = true;
      clearTimeout(session.expiryTimer);
      if (!(await this.#takeMessages(session))) return { ok: false, reason: 'store' };
      // Verdicts cached for another role or endpoint id say nothing about this identity.
      if (!sameIdentity(session.identity, identity)) session.decisions.clear();
      this.#sessionsByUsername.remove(session.identity.username, clientId);
      this.#sessionsByUsername.add(identity.username, clientId);
      if (session.identity.subject !== identity.subject) {
        this.#sessionsBySubject.remove(session.identity.subject, clientId);
        this.#sessionsBySubject.add(identity.subject, clientId);
      }
      session.identity = identity;
      session.adopted = false;
      session.expirySeconds = expirySeconds;
    } else {
      if (session !== undefined) this.#endSession(session);
      session = new Session(
        clientId,
        identity,
        expirySeconds,
        this.limits.maxQueuedMessages,
        this.#sessionObserver,
      );
      this.sessions.set(clientId, session);
      this.#sessionsBySubject.add(identity.subject, clientId);
      this.#sessionsByUsername.add(identity.username, clientId);
      if (stored !== undefined && !cleanStart) {
        sessionPresent = true;
        if (!(await this.#takeMessages(session))) {
          this.#dropSession(session);
          return { ok: false, reason: 'store' };
        }
        for (const subscription of stored.subscriptions) this.index.add(subscription);
      } else if (stored !== undefined) {
        void this.sessionStore.delete(clientId).catch(() => undefined);
        this.#dropMessages(session);
      }
    }
    this.connections.set(clientId, connection);
    this.#enforceIdentityQuotas(clientId, identity);
    this.#sessionChanged(clientId);
    return { ok: true, session, sessionPresent };
  }

  // The client id's owner connected while another identity held it: that connection closes
  // (0x8E) and its session, here and in the store, is discarded.
  #reclaim(clientId: string, squatter: string): void {
    this.counters.clientIdsReclaimed++;
    this.logger.warn({ clientId, squatter }, 'client id reclaimed by its owner');
    const connection = this.connections.get(clientId);
    if (connection !== undefined) {
      connection.discardWill();
      connection.close(ReasonCodes.sessionTakenOver, 'client id reclaimed by its owner');
    }
    const session = this.sessions.get(clientId);
    if (session !== undefined) this.#endSession(session);
    else void this.sessionStore.delete(clientId).catch(() => undefined);
    this.#cancelWill(clientId);
  }

  // A connection that was connected has ended.
  #disconnected(connection: Connection, reasonCode: number, reason: string): void {
    const session = connection.session;
    if (session === undefined || this.connections.get(connection.clientId) !== connection) {
      this.events.onDisconnected?.(connection, reasonCode, reason, false);
      return;
    }
    this.connections.delete(connection.clientId);
    session.detach();
    let willSent = false;
    if (connection.will !== undefined) {
      willSent = this.#scheduleWill(
        connection.clientId,
        connection.will.message,
        Math.min(connection.will.delaySeconds, session.expirySeconds),
      );
    }
    if (session.expirySeconds === 0) {
      this.#endSession(session);
    } else {
      this.#saveSession(session);
      this.#spill(session);
      session.expiryTimer = setTimeout(
        () => this.#endSession(session),
        session.expirySeconds * 1000,
      );
      session.expiryTimer.unref();
    }
    this.events.onDisconnected?.(connection, reasonCode, reason, willSent);
  }

  #scheduleWill(clientId: string, message: Message, delaySeconds: number): boolean {
    if (delaySeconds <= 0) {
      void this.publish(message);
      return true;
    }
    // Will Delay Interval [MQTT-3.1.3-9]: a reconnect before it passes cancels the will.
    const timer = setTimeout(() => {
      this.#pendingWills.delete(clientId);
      void this.publish(message);
    }, delaySeconds * 1000);
    timer.unref();
    this.#pendingWills.set(clientId, { timer, message });
    return true;
  }

  #releaseWill(clientId: string): void {
    const pending = this.#pendingWills.get(clientId);
    if (pending === undefined) return;
    this.#pendingWills.delete(clientId);
    clearTimeout(pending.timer);
    void this.publish(pending.message);
  }

  #cancelWill(clientId: string): void {
    const pending = this.#pendingWills.get(clientId);
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      this.#pendingWills.delete(clientId);
    }
  }

  /**
   * A connected persistent session changed (attached, subscribed, unsubscribed): it is saved
   * once for everything changed in this turn (a SUBSCRIBE with many filters is one write). The
   * copy is marked connected: it does not expire while its replica lives, and a replica that dies
   * leaves it for its client to resume (the NATS store's sweeper starts its expiry once it sees
   * the owner gone).
   */
  #sessionChanged(clientId: string): void {
    if (this.#changed.size === 0) queueMicrotask(() => this.#saveChanged());
    this.#changed.add(clientId);
  }

  #saveChanged(): void {
    for (const clientId of this.#changed) {
      const session = this.sessions.get(clientId);
      if (session !== undefined && session.expirySeconds > 0 && this.connections.has(clientId)) {
        this.#saveSession(session, true);
      }
    }
    this.#changed.clear();
  }

  #saveSession(session: Session, connected = false): void {
    const clientId = session.clientId;
    const snapshot: StoredSession = {
      clientId,
      identitySubject: session.identity.subject,
      expirySeconds: session.expirySeconds,
      subscriptions: this.index.subscriptionsOf(clientId),
      disconnectedAt: Date.now(),
      ...(connected ? { connected: true } : {}),
    };
    const saving = this.sessionStore
      .save(snapshot)
      .catch((error: unknown) => {
        this.logger.error({ clientId, error: (error as Error).message }, 'session not saved');
      })
      .finally(() => {
        if (this.#saving.get(clientId) === saving) this.#saving.delete(clientId);
      });
    this.#saving.set(clientId, saving);
  }

  /**
   * Another replica takes this client id over: the connection here ends with 0x8E
   * [MQTT-3.1.4-3], its session (saved to the store when it has an expiry) leaves this replica's
   * memory so that the other replica loads it, and a pending delayed will is sent now when the new
   * connection starts clean, cancelled when it resumes [MQTT-3.1.3-9]. Messages queued for an
   * offline session here do not travel (the store keeps subscriptions only). Returns whether this
   * replica held anything of the client id.
   */
  async release(clientId: string, cleanStart: boolean): Promise<boolean> {
    const connection = this.connections.get(clientId);
    if (
      connection === undefined &&
      !this.sessions.has(clientId) &&
      !this.#pendingWills.has(clientId)
    ) {
      return false;
    }
    if (connection !== undefined) {
      this.counters.sessionsTakenOver++;
      connection.close(ReasonCodes.sessionTakenOver, 'session taken over on another replica');
    }
    if (cleanStart) this.#releaseWill(clientId);
    else this.#cancelWill(clientId);
    const session = this.sessions.get(clientId);
    if (session !== undefined) {
      await this.#saving.get(clientId);
      // Its messages are in the shared store before the other replica takes them.
      await session.persisting;
      // Only the copy here goes; the store's copy is the other replica's now.
      if (this.sessions.get(clientId) === session) this.#dropSession(session);
    }
    return true;
  }

  #endSession(session: Session): void {
    void this.sessionStore.delete(session.clientId).catch(() => undefined);
    this.#dropMessages(session);
    this.#dropSession(session);
  }

  /**
   * A persistent session went offline: with a shared message store, what it had not completed
   * (in flight, then queued) is written there, and so is every QoS 1/2 delivery while it stays
   * offline, so that any replica can resume it. Deliveries the store refuses stay in this
   * replica's memory (counted), as they would without a store.
   */
  #spill(session: Session): void {
    const store = this.#sessionMessages;
    if (store === undefined) return;
    const write = (pending: PendingDelivery[]): void => {
      if (pending.length === 0) return;
      this.counters.sessionMessagesStored += pending.length;
      session.persisting = session.persisting
        .then(() => store.append(session.clientId, pending))
        .catch((error: unknown) => {
          this.counters.sessionMessagesStored -= pending.length;
          this.counters.sessionMessagesKeptHere += pending.length;
          this.logger.error(
            {
              clientId: session.clientId,
              messages: pending.length,
              error: (error as Error).message,
            },
            'offline messages not stored: kept on this replica',
          );
          session.restorePending(pending);
        });
    };
    write(session.takePending());
    session.offlineSink = (delivery) => write([{ delivery }]);
  }

  /**
   * A session resumes here: its messages in the shared store come back to memory, before any
   * queued meanwhile. False when the store cannot answer (the client is refused, 0x88, and the
   * messages wait for its next attempt).
   */
  async #takeMessages(session: Session): Promise<boolean> {
    const store = this.#sessionMessages;
    if (store === undefined) return true;
    // New deliveries wait in memory from here on: they come after the stored ones.
    session.offlineSink = undefined;
    await session.persisting;
    try {
      const pending = await store.take(session.clientId);
      session.restorePending(pending);
      this.counters.sessionMessagesResumed += pending.length;
      return true;
    } catch (error) {
      this.logger.error(
        { clientId: session.clientId, error: (error as Error).message },
        'offline messages not read: session not resumed',
      );
      return false;
    }
  }

  // The session ended: its stored messages go too (after any write still in flight).
  #dropMessages(session: Session): void {
    const store = this.#sessionMessages;
    if (store === undefined) return;
    session.offlineSink = undefined;
    const clientId = session.clientId;
    session.persisting = session.persisting
      .then(() => store.drop(clientId))
      .catch((error: unknown) => {
        this.logger.warn(
          { clientId, error: (error as Error).message },
          'stored offline messages not removed (they expire with the stream limits)',
        );
      });
  }

  /**
   * Takes over an offline persistent session of a replica that died (the broker read it from the
   * shared store and won it there): its subscriptions go into this replica's index, so messages
   * for it are kept (in the shared message store) until its client resumes, here or anywhere.
   * Its expiry runs from when it was disconnected. False when this replica already holds the
   * client id, or the session has expired.
   */
  adopt(stored: StoredSession, now = Date.now()): boolean {
    const clientId = stored.clientId;
    if (this.sessions.has(clientId) || this.connections.has(clientId)) return false;
    const remainingMs = stored.disconnectedAt + stored.expirySeconds * 1000 - now;
    if (stored.expirySeconds <= 0 || remainingMs <= 0) return false;
    const identity: EngineIdentity = {
      subject: stored.identitySubject,
      username: '',
      role: '',
      endpointId: '',
      clientId,
    };
    const session = new Session(
      clientId,
      identity,
      stored.expirySeconds,
      this.limits.maxQueuedMessages,
      this.#sessionObserver,
    );
    session.adopted = true;
    this.sessions.set(clientId, session);
    this.#sessionsBySubject.add(identity.subject, clientId);
    for (const subscription of stored.subscriptions) this.index.add(subscription);
    this.#spill(session);
    session.expiryTimer = setTimeout(() => this.#endSession(session), remainingMs);
    session.expiryTimer.unref();
    this.counters.sessionsAdopted++;
    return true;
  }

  /**
   * This replica was cut off from the others long enough for them to declare it gone: they may
   * have sent its clients' wills and taken its persistent sessions over, storing messages for
   * them meanwhile. For every persistent session connected here, the client id is claimed again
   * (an adopter drops its copy), the messages stored for it are delivered now, and the session is
   * saved as this replica's again. Returns how many were reasserted and how many failed (a claim
   * or the store did not answer: calling again retries those and harms none).
   */
  async reassertSessions(concurrency = 32): Promise<{ reasserted: number; failed: number }> {
    let reasserted = 0;
    let failed = 0;
    const held = [...this.connections].filter(
      ([clientId]) => (this.sessions.get(clientId)?.expirySeconds ?? 0) > 0,
    );
    let next = 0;
    // A claim is a NATS round trip: a bounded number at once, not one session after another.
    const worker = async (): Promise<void> => {
      while (next < held.length) {
        const [clientId, connection] = held[next++]!;
        try {
          await this.#claimClientId?.(clientId, false);
          const session = this.sessions.get(clientId);
          if (this.connections.get(clientId) !== connection || session === undefined) continue;
          const store = this.#sessionMessages;
          if (store !== undefined) {
            // Messages an adopter stored while this replica was away: sent now as new deliveries.
            const pending = (await store.take(clientId)).map(({ delivery }) => ({ delivery }));
            if (pending.length > 0) {
              session.restorePending(pending);
              session.drain();
              this.counters.sessionMessagesResumed += pending.length;
            }
          }
          this.#sessionChanged(clientId);
          reasserted++;
        } catch (error) {
          failed++;
          this.logger.warn(
            { clientId, error: (error as Error).message },
            'session not reasserted after a long NATS outage',
          );
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(concurrency, held.length)) }, worker),
    );
    return { reasserted, failed };
  }

  /** Resolves once every write to the shared message store has landed (shutdown). */
  async persisted(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.persisting));
  }

  #dropSession(session: Session): void {
    clearTimeout(session.expiryTimer);
    this.index.removeClient(session.clientId);
    session.reset();
    if (this.sessions.get(session.clientId) === session) {
      this.sessions.delete(session.clientId);
      this.#sessionsBySubject.remove(session.identity.subject, session.clientId);
      this.#sessionsByUsername.remove(session.identity.username, session.clientId);
    }
  }

  /** Stores a retained message (if flagged) and sends it over the fabric to every replica's sessions. */
  async publish(message: Message): Promise<void> {
    if (message.retain) {
      // The publisher's retained quota (its role's): refused whole, never silently dropped.
      const owner = message.publisher?.subject;
      const bytes = message.payload.length;
      if (
        owner !== undefined &&
        bytes > 0 &&
        !this.#retainedOwners.allows(
          owner,
          message.topic,
          bytes,
          this.quotaOf(message.publisher!.role),
        )
      ) {
        this.counters.quotaRetainedRefused++;
        throw new RetainedQuotaError();
      }
      await this.retained.set({
        topic: message.topic,
        payload: message.payload,
        qos: message.qos,
        properties: message.properties as Record<string, unknown>,
        ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
      });
      if (owner !== undefined) this.#retainedOwners.record(owner, message.topic, bytes);
    }
    await this.fabric.publish(message);
  }

  // A message from the fabric: another replica's retained message is kept here too when each
  // replica holds its own retained store (not with the shared NATS one), then routed.
  #fromFabric(message: Message, shared: SharedDelivery | undefined): boolean {
    if (message.remote === true && message.retain && this.retained.shared !== true) {
      this.retained
        .set({
          topic: message.topic,
          payload: message.payload,
          qos: message.qos,
          properties: message.properties as Record<string, unknown>,
          ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
        })
        .catch((error: unknown) =>
          this.logger.warn(
            { topic: message.topic, error: (error as Error).message },
            'retained message from another replica not kept',
          ),
        );
    }
    if (shared !== undefined) return this.#routeShared(message, shared);
    this.route(message);
    return true;
  }

  /** A shared group's message the fabric gave this replica: one of the group's members here. */
  // False when no member is left here: the fabric then hands the message to another replica's.
  #routeShared(message: Message, shared: SharedDelivery): boolean {
    const members = this.index
      .match(message.topic)
      .filter((sub) => sub.shareGroup === shared.group && sub.filter === shared.filter);
    if (members.length === 0) {
      // The last member left while the message was on its way: nobody here may take it.
      this.counters.sharedUndeliverable++;
      return false;
    }
    this.#deliverTo(message, this.#placeShared(members));
    return true;
  }

  /**
   * Delivers a message to every session whose subscriptions match its topic: one copy per
   * client (overlaps merged), one member per shared group, preferring connected members.
   */
  route(message: Message): void {
    let matches = this.index.match(message.topic);
    if (matches.length === 0) return;
    // Shared groups spread over replicas get their messages from the fabric, one replica each.
    if (this.fabric.distributesSharedGroups === true) {
      matches = matches.filter((sub) => sub.shareGroup === undefined);
      if (matches.length === 0) return;
    }
    this.#deliverTo(message, this.#placeShared(matches));
  }

  /** One member per shared group (connected ones first); non-shared subscriptions unchanged. */
  #placeShared(matches: readonly Subscription[]): readonly Subscription[] {
    const { deliveries, unplaced } = this.#shared.select(
      matches,
      (member) => this.sessions.get(member.clientId)?.link !== undefined,
    );
    if (unplaced.length === 0) return deliveries;
    // Every member of a group is offline: one of their sessions keeps the message.
    const extra = unplaced.flatMap((g) => this.#shared.pick(g.group, g.filter, g.members) ?? []);
    return [...deliveries, ...extra];
  }

  #deliverTo(message: Message, targets: readonly Subscription[]): void {
    for (const copy of mergeOverlapping(targets, message.publisherClientId)) {
      const session = this.sessions.get(copy.clientId);
      if (session === undefined) continue;
      const qos = Math.min(message.qos, copy.qos);
      if (qos === 0 && this.memoryGuard.overloaded) {
        this.counters.droppedUnderMemoryPressure++;
        continue;
      }
      const delivery: SessionDelivery = {
        message,
        qos: Math.min(message.qos, copy.qos) as SessionDelivery['qos'],
        // Retain As Published keeps the flag; otherwise forwarded messages carry 0 [MQTT-3.3.1-12, -13].
        retain: copy.retainAsPublished ? message.retain : false,
        subscriptionIds: copy.subscriptionIdentifiers,
      };
      session.deliver(delivery);
      this.counters.messagesRouted++;
    }
  }

  /**
   * Backpressure for publishers: when local subscribers of `topic` have backed-up queues, waits
   * (up to publisherWaitMs) for them to catch up. Costs nothing while no session is backlogged.
   */
  async awaitSubscribers(topic: string): Promise<void> {
    if (this.#backlogged.size === 0) return;
    const waiting: Promise<void>[] = [];
    for (const subscription of this.index.match(topic)) {
      const session = this.sessions.get(subscription.clientId);
      if (session !== undefined && session.backlogged) waiting.push(session.relieved());
    }
    if (waiting.length === 0) return;
    this.counters.publishersSlowed++;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(waiting),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.limits.publisherWaitMs))),
    ]);
    clearTimeout(timer);
  }

  /** Rules changed: every session asks again. */
  invalidateDecisions(): void {
    for (const session of this.sessions.values()) session.decisions.clear();
  }

  /**
   * Rules changed: cached verdicts go, and every session's subscriptions are asked again;
   * denied ones are removed at once (subscription-recheck.ts). Changes that arrive during a
   * re-check lead to one more re-check after it.
   */
  rulesChanged(): Promise<RecheckResult> {
    this.invalidateDecisions();
    if (this.#recheckRunning !== undefined) {
      this.#recheckAgain = true;
      return this.#recheckRunning;
    }
    this.#recheckRunning = this.#recheckUntilQuiet().finally(() => {
      this.#recheckRunning = undefined;
    });
    return this.#recheckRunning;
  }

  async #recheckUntilQuiet(): Promise<RecheckResult> {
    let result: RecheckResult;
    do {
      this.#recheckAgain = false;
      const started = Date.now();
      result = await recheckAllSessions(this);
      this.logger.info({ ...result, ms: Date.now() - started }, 'subscriptions re-checked');
    } while (this.#recheckAgain);
    return result;
  }

  /**
   * An account changed or was removed: its live connections close (MQTT 5: DISCONNECT 0x98
   * Administrative action) on this replica; a removed account's sessions end too. Returns the
   * number of connections closed.
   */
  revokeAccount(username: string, reason: string, endSessions: boolean): number {
    let closed = 0;
    if (username === '') return 0;
    for (const clientId of this.#sessionsByUsername.get(username)) {
      const session = this.sessions.get(clientId);
      if (session === undefined) continue;
      const connection = this.connections.get(session.clientId);
      if (connection !== undefined) {
        connection.close(ReasonCodes.administrativeAction, `account ${reason}`);
        closed++;
        this.counters.connectionsRevoked++;
      }
      if (endSessions) this.#endSession(session);
    }
    if (closed > 0) this.logger.info({ username, reason, closed }, 'account revoked');
    return closed;
  }

  /** Closes every connection with the given reason (shutdown: 0x8B). */
  closeAll(reasonCode: number = ReasonCodes.serverShuttingDown): void {
    this.#stopSys();
    clearInterval(this.#sweepTimer);
    this.memoryGuard.stop();
    this.#stopFabric();
    for (const connection of [...this.#open]) connection.close(reasonCode, 'server shutting down');
  }
}

function sameIdentity(a: EngineIdentity, b: EngineIdentity): boolean {
  return (
    a.subject === b.subject &&
    a.username === b.username &&
    a.role === b.role &&
    a.endpointId === b.endpointId
  );
}
