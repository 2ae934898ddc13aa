// Presence: broker events (read as one queue group, so replicas share them) and agent Records
// mark endpoints online or offline in the registry; the liveness sweep marks silent ones
// offline. Every change is announced as `1`/`0` (retained) on <prefix>/status/<id>, as a
// PresenceEvent on usp.v1.presence.<id>, and to the observer (Oktopus compatibility).
import { brokerEventsWildcard, mesh, QueueGroups, uspPresenceSubject } from '@octomesh/contracts';
import type { Msg } from '@octomesh/nats-kit';
import {
  isSilent,
  markedOffline,
  markedOnline,
  needsTouch,
  onlineChanged,
  presenceOfBrokerEvent,
  statusPayload,
  timedOut,
  touched,
  type OnlineFields,
} from './domain/presence.ts';
import type { Endpoint } from './registry.ts';
import type { RouterParts } from './router-parts.ts';

/** Told about every presence change. */
export type PresenceObserver = (endpoint: Endpoint) => void;

/** What presence works with. */
export interface PresenceParts extends RouterParts {
  onPresence?: PresenceObserver | undefined;
}

/** Endpoint presence. */
export class Presence {
  readonly #parts: PresenceParts;
  #subscription: { unsubscribe(): void } | undefined;

  constructor(parts: PresenceParts) {
    this.#parts = parts;
  }

  /** Starts reading broker events. */
  start(): void {
    this.#subscription = this.#parts.nc.subscribe(brokerEventsWildcard, {
      queue: QueueGroups.uspRouter,
      callback: (error, msg) => {
        if (error === null) void this.#onBrokerEvent(msg);
      },
    });
  }

  /** Stops reading broker events. */
  stop(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  /** Marks an endpoint online with what its connection told. */
  async markOnline(endpointId: string, fields: OnlineFields): Promise<void> {
    const own = this.#parts.topics.agent(endpointId);
    const now = Date.now();
    const { before, after } = await this.#parts.registry.update(endpointId, (current) =>
      markedOnline(current, endpointId, fields, own, now),
    );
    if (onlineChanged(before, after)) this.#announce(after!);
  }

  /** Marks an endpoint offline (unless connection `clientId` was already replaced). */
  async markOffline(endpointId: string, clientId: string | undefined): Promise<void> {
    const now = Date.now();
    const { before, after } = await this.#parts.registry.update(endpointId, (current) =>
      markedOffline(current, clientId, now),
    );
    if (onlineChanged(before, after)) this.#announce(after!);
  }

  /** The endpoint was heard from: last seen moves, at most once per resolution interval. */
  async touch(endpointId: string): Promise<void> {
    const now = Date.now();
    // Checked on the mirror first: not a KV write, nor a KV read, per message.
    if (!needsTouch(this.#parts.registry.mirrored(endpointId), now)) return;
    await this.#parts.registry.update(endpointId, (current) => touched(current, now));
  }

  /**
   * Liveness: every `intervalMs`, endpoints online but silent for longer than `timeoutMs` are
   * marked offline. Returns a stop function.
   */
  startLiveness(timeoutMs: number, intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void this.#sweepSilent(timeoutMs)
        .catch((error: unknown) =>
          this.#parts.logger.warn({ error: (error as Error).message }, 'liveness sweep failed'),
        )
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async #sweepSilent(timeoutMs: number): Promise<void> {
    const { registry, counters } = this.#parts;
    const cutoff = Date.now() - timeoutMs;
    const { endpoints } = await registry.list({
      onlineOnly: true,
      prefix: '',
      limit: Number.MAX_SAFE_INTEGER,
    });
    for (const endpoint of endpoints) {
      if (!isSilent(endpoint, cutoff)) continue;
      const { before, after } = await registry.update(endpoint.endpointId, (current) =>
        timedOut(current, cutoff, Date.now()),
      );
      if (onlineChanged(before, after)) {
        counters.livenessTimeouts++;
        this.#announce(after!);
      }
    }
  }

  async #onBrokerEvent(msg: Msg): Promise<void> {
    try {
      const change = presenceOfBrokerEvent(msg.subject.split('.').at(-1), msg.data);
      if (change?.kind === 'online') await this.markOnline(change.endpointId, change.fields);
      else if (change?.kind === 'offline')
        await this.markOffline(change.endpointId, change.clientId);
    } catch (error) {
      this.#parts.logger.warn(
        { subject: msg.subject, error: (error as Error).message },
        'broker event not applied',
      );
    }
  }

  #announce(endpoint: Endpoint): void {
    const { nc, publish, topics, counters, logger, onPresence } = this.#parts;
    counters.presenceChanges++;
    onPresence?.(endpoint);
    publish(topics.status(endpoint.endpointId), statusPayload(endpoint), { retain: true });
    nc.publish(
      uspPresenceSubject(endpoint.endpointId),
      mesh.usp.v1.PresenceEvent.encode({ endpoint }).finish(),
    );
    logger.info(
      { endpointId: endpoint.endpointId, online: endpoint.online },
      'usp endpoint presence',
    );
  }
}
