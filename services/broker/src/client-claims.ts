// A client id is owned by one connection across every broker replica. A replica about to attach
// a client id it does not hold asks every peer on `mqtt.client.v1.claim` and waits for each of
// their answers (peers known from heartbeats, replica-interest.ts): a peer holding the client id
// first ends its connection (0x8E) and hands the session over through the shared session store
// (Engine.release), then answers. Alone, a replica asks nobody and pays nothing.
//
// An answer that does not come within the deadline (a peer dying, NATS slow) does not block the
// CONNECT forever: the claim fails after `timeoutMs` and the engine refuses a resumed session
// (a clean start goes on; the silent peer's connection, if it lives, is closed by the next
// claim or by its own takeover).
import { ReplicaSubjects } from '@octomesh/contracts';
import type { Msg, NatsConnection, Subscription } from '@octomesh/nats-kit';
import type { Logger } from '@octomesh/service-kit';

/** What releases a client id here (the engine). */
export interface ClientIdHolder {
  release(clientId: string, cleanStart: boolean): Promise<boolean>;
}

/** Settings of {@link ClientIdClaims}. */
export interface ClientIdClaimsOptions {
  /** A connection that sees requests from the other replicas (not one with noEcho for itself). */
  nc: NatsConnection;
  replica: string;
  logger: Logger;
  /** The peers alive now. */
  peers: () => readonly string[];
  timeoutMs?: number;
}

/** Counters (metrics). */
export interface ClientIdClaimCounters {
  claims: number;
  /** Claims that ended a connection or session on another replica. */
  takenFromPeers: number;
  /** Claims of other replicas that ended something here. */
  releasedToPeers: number;
  failed: number;
  invalid: number;
}

const MAX_CLIENT_ID_BYTES = 65_535;

/** Claims client ids from peers, and answers their claims. */
export class ClientIdClaims {
  readonly counters: ClientIdClaimCounters = {
    claims: 0,
    takenFromPeers: 0,
    releasedToPeers: 0,
    failed: 0,
    invalid: 0,
  };
  readonly #nc: NatsConnection;
  readonly #replica: string;
  readonly #logger: Logger;
  readonly #peers: () => readonly string[];
  readonly #timeoutMs: number;
  #subscription: Subscription | undefined;

  constructor(options: ClientIdClaimsOptions) {
    this.#nc = options.nc;
    this.#replica = options.replica;
    this.#logger = options.logger;
    this.#peers = options.peers;
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Answers the claims of other replicas by releasing what `holder` has of the client id. */
  answer(holder: ClientIdHolder): void {
    this.#subscription = this.#nc.subscribe(ReplicaSubjects.clientClaim, {
      callback: (error, msg) => {
        if (error === null) void this.#onClaim(msg, holder);
      },
    });
  }

  async #onClaim(msg: Msg, holder: ClientIdHolder): Promise<void> {
    let claim: { clientId: string; cleanStart: boolean; replica: string };
    try {
      claim = parseClaim(msg.data);
    } catch (error) {
      this.counters.invalid++;
      this.#logger.warn({ error: (error as Error).message }, 'invalid client id claim dropped');
      return;
    }
    if (claim.replica === this.#replica || msg.reply === undefined) return;
    let held = false;
    try {
      held = await holder.release(claim.clientId, claim.cleanStart);
    } catch (error) {
      this.#logger.error(
        { clientId: claim.clientId, error: (error as Error).message },
        'client id not released to another replica',
      );
    }
    if (held) {
      this.counters.releasedToPeers++;
      this.#logger.info(
        { clientId: claim.clientId, to: claim.replica },
        'client id taken over by another replica',
      );
    }
    msg.respond(JSON.stringify({ replica: this.#replica, held }));
  }

  /** Asks every peer to release `clientId`; resolves when all answered. */
  async claim(clientId: string, cleanStart: boolean): Promise<void> {
    const peers = this.#peers();
    if (peers.length === 0) return;
    this.counters.claims++;
    const waiting = new Set(peers);
    const answers = await this.#nc.requestMany(
      ReplicaSubjects.clientClaim,
      JSON.stringify({ clientId, cleanStart, replica: this.#replica }),
      { strategy: 'count', maxMessages: peers.length, maxWait: this.#timeoutMs },
    );
    let taken = false;
    for await (const answer of answers) {
      try {
        const body = JSON.parse(new TextDecoder().decode(answer.data)) as {
          replica?: unknown;
          held?: unknown;
        };
        if (typeof body.replica === 'string') waiting.delete(body.replica);
        if (body.held === true) taken = true;
      } catch {
        this.counters.invalid++;
      }
    }
    if (taken) this.counters.takenFromPeers++;
    if (waiting.size > 0) {
      this.counters.failed++;
      throw new Error(
        `replicas ${[...waiting].slice(0, 5).join(', ')} did not answer the claim of client id within ${this.#timeoutMs} ms`,
      );
    }
  }

  close(): void {
    this.#subscription?.unsubscribe();
  }
}

function parseClaim(data: Uint8Array): { clientId: string; cleanStart: boolean; replica: string } {
  if (data.length > MAX_CLIENT_ID_BYTES * 2) throw new Error('claim too large');
  const body = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
  if (
    typeof body['clientId'] !== 'string' ||
    body['clientId'] === '' ||
    typeof body['cleanStart'] !== 'boolean' ||
    typeof body['replica'] !== 'string'
  ) {
    throw new Error('claim needs clientId, cleanStart and replica');
  }
  return {
    clientId: body['clientId'],
    cleanStart: body['cleanStart'],
    replica: body['replica'],
  };
}
