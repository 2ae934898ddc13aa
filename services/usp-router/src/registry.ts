// The endpoint registry in KV `usp-endpoints`: one protobuf Endpoint per endpoint id. Every
// router replica updates it with compare-and-set on the revision, so concurrent updates from
// several replicas never overwrite each other; state survives router restarts.
import { BucketSpecs, decodeKvKey, encodeKvKey, mesh } from '@octomesh/contracts';
import {
  openBucket,
  watchBucket,
  type BucketWatch,
  type KV,
  type NatsConnection,
} from '@octomesh/nats-kit';

/** An endpoint as the registry keeps it. */
export type Endpoint = mesh.usp.v1.IEndpoint & { endpointId: string };

const MAX_ATTEMPTS = 8;

/** Reads and updates endpoints. */
export class EndpointRegistry {
  readonly #kv: KV;
  /** Every endpoint as last seen by the watch or our own writes. */
  readonly #mirror = new Map<string, Endpoint>();
  #watch: BucketWatch | undefined;
  #mirrorReady: Promise<void> | undefined;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(nc: NatsConnection, replicas = 1): Promise<EndpointRegistry> {
    return new EndpointRegistry(await openBucket(nc, BucketSpecs.uspEndpoints, replicas));
  }

  async get(endpointId: string): Promise<Endpoint | undefined> {
    return (await this.#read(endpointId)).endpoint;
  }

  /**
   * An endpoint for sending a request: from the local mirror when it is online there (no KV
   * round trip per request), else read from KV (another replica may have just registered it).
   * At worst a request goes to an endpoint that went offline a moment ago and times out.
   */
  async forRequest(endpointId: string): Promise<Endpoint | undefined> {
    const mirrored = this.#mirror.get(endpointId);
    return mirrored?.online === true ? mirrored : await this.get(endpointId);
  }

  /** The endpoint as the mirror holds it (no KV read), if it does. */
  mirrored(endpointId: string): Endpoint | undefined {
    return this.#mirror.get(endpointId);
  }

  /** Mirrors every endpoint from a watch of the bucket; returns the running watch. */
  async follow(onError: (error: unknown) => void): Promise<BucketWatch> {
    let initialDone!: () => void;
    this.#mirrorReady = new Promise<void>((resolve) => (initialDone = resolve));
    this.#watch = await watchBucket(
      this.#kv,
      (entry) => {
        if (entry.operation !== 'PUT' || entry.length === 0) {
          this.#mirror.delete(decodeKvKey(entry.key));
          return;
        }
        this.#remember(mesh.usp.v1.Endpoint.decode(entry.value) as Endpoint);
      },
      { onEntryError: (error) => onError(error), onInitialDone: () => initialDone() },
    );
    return this.#watch;
  }

  #remember(endpoint: Endpoint): void {
    this.#mirror.set(endpoint.endpointId, endpoint);
  }

  async #read(endpointId: string): Promise<{ endpoint?: Endpoint; revision: number }> {
    const entry = await this.#kv.get(encodeKvKey(endpointId));
    if (entry === null || entry.operation !== 'PUT' || entry.length === 0) {
      return { revision: entry?.revision ?? 0 };
    }
    const decoded = mesh.usp.v1.Endpoint.decode(entry.value);
    return {
      endpoint: { ...decoded, endpointId: decoded.endpointId || endpointId },
      revision: entry.revision,
    };
  }

  /**
   * Applies `change` to the current record (compare-and-set, retried on conflicts). `change`
   * returns undefined to leave the record as it is. Returns the records before and after.
   */
  async update(
    endpointId: string,
    change: (current: Endpoint | undefined) => Endpoint | undefined,
  ): Promise<{ before: Endpoint | undefined; after: Endpoint | undefined }> {
    const key = encodeKvKey(endpointId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { endpoint: before, revision } = await this.#read(endpointId);
      const after = change(before);
      if (after === undefined) return { before, after: before };
      const bytes = mesh.usp.v1.Endpoint.encode({ ...after, endpointId }).finish();
      try {
        if (revision === 0) await this.#kv.create(key, bytes);
        else await this.#kv.update(key, bytes, revision);
        this.#remember({ ...after, endpointId });
        return { before, after };
      } catch (error) {
        // Another replica wrote first: read again and re-apply.
        if (attempt === MAX_ATTEMPTS - 1) throw error;
      }
    }
    throw new Error('unreachable');
  }

  /**
   * Endpoints in id order, at most `limit`, with `truncated` when more matched. Read from the
   * mirror (follow() must run first): no KV round trip per endpoint.
   */
  async list(options: {
    onlineOnly: boolean;
    prefix: string;
    limit: number;
  }): Promise<{ endpoints: Endpoint[]; truncated: boolean }> {
    if (this.#mirrorReady === undefined) throw new Error('the registry mirror is not running');
    await this.#mirrorReady;
    const matching = [...this.#mirror.values()]
      .filter((e) => e.endpointId.startsWith(options.prefix))
      .filter((e) => !options.onlineOnly || e.online === true)
      .sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
    return {
      endpoints: matching.slice(0, options.limit),
      truncated: matching.length > options.limit,
    };
  }
}
