// OpenTelemetry for a service: W3C trace context propagation and async context always (so
// trace ids travel in NATS headers even when nothing is exported), spans exported over OTLP
// when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) names a collector such as Jaeger.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';

/** A started telemetry set-up. */
export interface Telemetry {
  /** True when spans leave the process. */
  readonly exporting: boolean;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  serviceName: string;
  /** Overrides the OTLP exporter (tests use an in-memory exporter). */
  exporter?: SpanExporter;
  /** Processor for the exporter; defaults to batching. */
  processor?: (exporter: SpanExporter) => SpanProcessor;
  env?: NodeJS.ProcessEnv;
}

/** Registers propagation, context and (when configured) OTLP export, once per process. */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  let exporter = options.exporter;
  if (exporter === undefined && endpoint !== undefined && endpoint !== '') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter() as unknown as SpanExporter;
  }
  // The standard OTEL_BSP_SCHEDULE_DELAY is honoured here because SDK 3 no longer reads it.
  const delay = Number(env['OTEL_BSP_SCHEDULE_DELAY'] ?? '5000');
  const scheduledDelayMillis = Number.isFinite(delay) && delay > 0 ? delay : 5000;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.namespace': 'octomesh',
    }),
    spanProcessors:
      exporter === undefined
        ? []
        : [
            (
              options.processor ??
              ((e) => new BatchSpanProcessor({ exporter: e, scheduledDelayMillis }))
            )(exporter),
          ],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    exporting: exporter !== undefined,
    shutdown: () => provider.shutdown(),
  };
}
