// OpenTelemetry context travels in NATS headers (W3C traceparent / tracestate), so one trace
// follows a message from the device through every service.
import {
  context,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';

const setter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys(carrier) {
    return carrier === undefined ? [] : carrier.keys();
  },
  get(carrier, key) {
    if (carrier === undefined || !carrier.has(key)) return undefined;
    return carrier.get(key);
  },
};

/** Headers carrying the active (or given) trace context. */
export function headersWithContext(ctx: Context = context.active(), base?: MsgHdrs): MsgHdrs {
  const carrier = base ?? natsHeaders();
  propagation.inject(ctx, carrier, setter);
  return carrier;
}

/** The trace context a message carried, on top of the active context. */
export function contextFromHeaders(carrier: MsgHdrs | undefined): Context {
  return propagation.extract(context.active(), carrier, getter);
}

/** The tracer every kit span comes from. */
export const tracer = trace.getTracer('@octomesh/nats-kit');
