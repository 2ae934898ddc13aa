// Serving endpoints as NATS micro services (`nats micro ls|info|stats` find every instance).
// Replicas share requests through the service's queue group. Handlers are async; the micro
// framework only counts synchronous throws, so the kit answers and counts async failures
// itself and shows its counters in the endpoint stats `data`.
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { InvalidMessageError, OctomeshError, RequestRefusedError } from '@octomesh/contracts';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Codec } from './codec.ts';
import { readDeadline } from './deadline-header.ts';
import { contextFromHeaders, tracer } from './trace-headers.ts';

/** Service error codes sent in the Nats-Service-Error-Code header. */
export const ServiceErrorCodes = {
  badRequest: 400,
  internal: 500,
  overloaded: 503,
} as const;

/** What a handler learns about the request besides its body. */
export interface RequestContext {
  readonly subject: string;
  readonly headers: MsgHdrs | undefined;
  readonly logger: Logger;
  /** The caller's deadline (ms since the epoch), when it sent one: stop work after it. */
  readonly deadline: number | undefined;
}

/** One endpoint: a subject, its codecs and an async handler. */
export interface EndpointDefinition<Req, Res> {
  readonly name: string;
  readonly subject: string;
  readonly request: Codec<Req>;
  readonly reply: Codec<Res>;
  handle(request: Req, ctx: RequestContext): Promise<Res>;
}

/** A service: name and version as `nats micro ls` shows them, its queue group and endpoints. */
export interface ServiceDefinition {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly queue: string;
  // Endpoints differ in request/reply types; each is checked where it is defined.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly endpoints: readonly EndpointDefinition<any, any>[];
  readonly metadata?: Record<string, string>;
  /** Requests handled at once per instance; more are refused with 503 (bounded work). */
  readonly maxInFlight?: number;
}

/** Counters per endpoint, kept by the kit (async errors included). */
export interface EndpointCounters {
  requests: number;
  errors: number;
  badRequests: number;
  overloaded: number;
  inFlight: number;
  lastError: string | undefined;
}

/** A served service. */
export interface RunningService {
  readonly id: string;
  readonly name: string;
  counters(endpoint: string): EndpointCounters;
  /** True while the service's subscriptions are alive. */
  isServing(): boolean;
  /** Stops taking requests and waits (up to `graceMs`) for requests in progress to be answered. */
  stop(graceMs?: number): Promise<void>;
}

/** Registers a micro service with its endpoints on `nc`. */
export async function serve(
  nc: NatsConnection,
  definition: ServiceDefinition,
  logger: Logger,
): Promise<RunningService> {
  const counters = new Map<string, EndpointCounters>();
  const maxInFlight = definition.maxInFlight ?? 1000;
  let inFlight = 0;
  const service: Service = await new Svcm(nc).add({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    queue: definition.queue,
    ...(definition.metadata !== undefined ? { metadata: definition.metadata } : {}),
    statsHandler: (endpoint) =>
      Promise.resolve(counterSnapshot(counters.get(endpointName(endpoint)))),
  });
  const log = logger.child({ micro: definition.name, instance: service.info().id });
  for (const endpoint of definition.endpoints) {
    const endpointCounters: EndpointCounters = {
      requests: 0,
      errors: 0,
      badRequests: 0,
      overloaded: 0,
      inFlight: 0,
      lastError: undefined,
    };
    counters.set(endpoint.name, endpointCounters);
    service.addEndpoint(endpoint.name, {
      subject: endpoint.subject,
      metadata: { endpoint: endpoint.name },
      handler: (error, msg) => {
        if (error !== null) {
          log.error(
            { endpoint: endpoint.name, error: error.message },
            'endpoint subscription failed',
          );
          return;
        }
        endpointCounters.requests++;
        if (inFlight >= maxInFlight) {
          endpointCounters.overloaded++;
          msg.respondError(ServiceErrorCodes.overloaded, 'overloaded, retry later');
          return;
        }
        inFlight++;
        endpointCounters.inFlight++;
        void handleRequest(endpoint, msg, endpointCounters, log).finally(() => {
          inFlight--;
          endpointCounters.inFlight--;
        });
      },
    });
  }
  // The server has our subscriptions once this returns: a service that says it serves can be
  // reached (a request sent right after would otherwise meet "no responders").
  await nc.flush();
  let stopped = false;
  void service.stopped.then((error) => {
    stopped = true;
    if (error instanceof Error) log.error({ error: error.message }, 'service stopped with error');
  });
  log.info(
    { endpoints: definition.endpoints.map((e) => e.subject), queue: definition.queue },
    'service serving',
  );
  return {
    id: service.info().id,
    name: definition.name,
    counters: (name) => counterSnapshot(counters.get(name)),
    isServing: () => !stopped && !service.isStopped && !nc.isClosed(),
    async stop(graceMs = 5000) {
      stopped = true;
      await service.stop();
      // Answers of requests already taken must still go out before NATS is drained.
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      if (inFlight > 0) log.warn({ inFlight }, 'stopped with requests still in progress');
    },
  };
}

function endpointName(endpoint: { metadata?: Record<string, string> }): string {
  return endpoint.metadata?.['endpoint'] ?? '';
}

function counterSnapshot(counters: EndpointCounters | undefined): EndpointCounters {
  return counters === undefined
    ? {
        requests: 0,
        errors: 0,
        badRequests: 0,
        overloaded: 0,
        inFlight: 0,
        lastError: undefined,
      }
    : { ...counters };
}

async function handleRequest<Req, Res>(
  endpoint: EndpointDefinition<Req, Res>,
  msg: ServiceMsg,
  counters: EndpointCounters,
  logger: Logger,
): Promise<void> {
  const parent = contextFromHeaders(msg.headers);
  const span = tracer.startSpan(endpoint.subject, { kind: SpanKind.SERVER }, parent);
  try {
    await context.with(trace.setSpan(parent, span), async () => {
      const request = endpoint.request.decode(msg.data);
      const reply = await endpoint.handle(request, {
        subject: msg.subject,
        headers: msg.headers,
        logger,
        deadline: readDeadline(msg.headers),
      });
      msg.respond(endpoint.reply.encode(reply));
    });
  } catch (error) {
    counters.errors++;
    counters.lastError = error instanceof Error ? error.message : String(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: counters.lastError });
    if (error instanceof RequestRefusedError) {
      logger.debug(
        { endpoint: endpoint.name, status: error.status, error: error.message },
        'refused',
      );
      msg.respondError(error.status, error.message);
    } else if (error instanceof InvalidMessageError) {
      counters.badRequests++;
      logger.warn({ endpoint: endpoint.name, error: error.message }, 'bad request');
      msg.respondError(ServiceErrorCodes.badRequest, error.message);
    } else {
      const code = error instanceof OctomeshError ? error.code : 'INTERNAL';
      logger.error({ endpoint: endpoint.name, code, error: counters.lastError }, 'handler failed');
      msg.respondError(ServiceErrorCodes.internal, `internal error (${code})`);
    }
  } finally {
    span.end();
  }
}
