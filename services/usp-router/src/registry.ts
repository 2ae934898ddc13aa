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
  /** Online endpoints as last seen by the watch or our own writes (the request fast path). */
  readonly #online = new Map<string, Endpoint>();
  #watch: BucketWatch | undefined;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(nc: NatsConnection): Promise<EndpointRegistry> {
    return new EndpointRegistry(await openBucket(nc, BucketSpecs.uspEndpoints));
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
    return this.#online.get(endpointId) ?? (await this.get(endpointId));
  }

  /** Mirrors online endpoints from a watch of the bucket; returns the running watch. */
  async follow(onError: (error: unknown) => void): Promise<BucketWatch> {
    this.#watch = await watchBucket(
      this.#kv,
      (entry) => {
        if (entry.operation !== 'PUT' || entry.length === 0) {
          this.#online.delete(decodeKvKey(entry.key));
          return;
        }
        this.#remember(mesh.usp.v1.Endpoint.decode(entry.value) as Endpoint);
      },
      { onEntryError: (error) => onError(error) },
    );
    return this.#watch;
  }

  #remember(endpoint: Endpoint): void {
    if (endpoint.online === true) this.#online.set(endpoint.endpointId, endpoint);
    else this.#online.delete(endpoint.endpointId);
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

  /** Endpoints in key order, at most `limit`, with `truncated` when more matched. */
  async list(options: {
    onlineOnly: boolean;
    prefix: string;
    limit: number;
  }): Promise<{ endpoints: Endpoint[]; truncated: boolean }> {
    const endpoints: Endpoint[] = [];
    let truncated = false;
    const keys = await this.#kv.keys();
    const all: string[] = [];
    for await (const key of keys) all.push(key);
    all.sort();
    for (const key of all) {
      const entry = await this.#kv.get(key);
      if (entry === null || entry.operation !== 'PUT' || entry.length === 0) continue;
      const endpoint = mesh.usp.v1.Endpoint.decode(entry.value);
      if (!endpoint.endpointId.startsWith(options.prefix)) continue;
      if (options.onlineOnly && !endpoint.online) continue;
      if (endpoints.length >= options.limit) {
        truncated = true;
        break;
      }
      endpoints.push(endpoint);
    }
    return { endpoints, truncated };
  }
}
