// Calling another service: every call has a deadline, and "nobody answered" becomes a typed
// ServiceUnavailableError so callers can fail closed without inspecting NATS errors.
import type { NatsConnection, MsgHdrs } from '@nats-io/nats-core';
import { errors as natsErrors } from '@nats-io/nats-core';
import {
  BadReplyError,
  RemoteServiceError,
  ServiceUnavailableError,
  UnavailableKinds,
  type UnavailableKind,
} from '@octomesh/contracts';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Codec } from './codec.ts';
import { setBudget } from './deadline-header.ts';
import { headersWithContext, tracer } from './trace-headers.ts';

/** Options of {@link call}: the deadline is mandatory. */
export interface CallOptions<Req, Res> {
  /** Milliseconds to wait for the answer; must be positive and finite. */
  readonly timeoutMs: number;
  readonly request: Codec<Req>;
  readonly reply: Codec<Res>;
  readonly headers?: MsgHdrs;
}

const ServiceErrorCodeHeader = 'Nats-Service-Error-Code';
const ServiceErrorHeader = 'Nats-Service-Error';

/** Sends a request and decodes its answer, or throws ServiceUnavailableError / RemoteServiceError. */
export async function call<Req, Res>(
  nc: NatsConnection,
  subject: string,
  request: Req,
  options: CallOptions<Req, Res>,
): Promise<Res> {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new RangeError(`call to ${subject} needs a positive deadline, got ${options.timeoutMs}`);
  }
  const span = tracer.startSpan(subject, { kind: SpanKind.CLIENT });
  const ctx = trace.setSpan(context.active(), span);
  try {
    const body = options.request.encode(request);
    let answer;
    try {
      answer = await nc.request(subject, body, {
        timeout: options.timeoutMs,
        headers: setBudget(headersWithContext(ctx, options.headers), options.timeoutMs),
      });
    } catch (error) {
      throw new ServiceUnavailableError(subject, unavailableKind(error), { cause: error });
    }
    const code = answer.headers?.get(ServiceErrorCodeHeader);
    if (code !== undefined && code !== '') {
      throw new RemoteServiceError(
        subject,
        Number(code),
        answer.headers?.get(ServiceErrorHeader) ?? '',
      );
    }
    try {
      return options.reply.decode(answer.data);
    } catch (error) {
      throw new BadReplyError(subject, { cause: error });
    }
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

function unavailableKind(error: unknown): UnavailableKind {
  if (error instanceof natsErrors.RequestError && error.isNoResponders())
    return UnavailableKinds.noResponders;
  if (error instanceof natsErrors.NoRespondersError) return UnavailableKinds.noResponders;
  if (error instanceof natsErrors.TimeoutError) return UnavailableKinds.timeout;
  if (error instanceof natsErrors.RequestError && error.cause instanceof natsErrors.TimeoutError) {
    return UnavailableKinds.timeout;
  }
  return UnavailableKinds.disconnected;
}
