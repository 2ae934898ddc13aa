// One trace across processes: a span started by a caller continues in the auth service (its own
// process), carried in NATS headers, and the service exports it over OTLP to a collector.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type { NatsConnection } from '@octomesh/nats-kit';
import { startTelemetry, type ServiceProcess } from '@octomesh/service-kit';
import { startSecuredBus, startService, waitFor, type TestBus } from '@octomesh/testing';
import { login } from '../support/clients.ts';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

describe('trace propagation', () => {
  let server: TestBus;
  // The caller asks auth as a broker does: only the broker role may request authentication.
  let nc: NatsConnection;
  let auth: ServiceProcess;
  let collector: Server;
  const exported: ExportedSpan[] = [];

  beforeAll(async () => {
    // A minimal OTLP/HTTP JSON collector standing in for Jaeger.
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
        };
        for (const rs of parsed.resourceSpans)
          for (const ss of rs.scopeSpans) exported.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    server = await startSecuredBus();
    auth = await startService('auth', server, {
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await startTelemetry({ serviceName: 'trace-test' });
    nc = await server.connect('broker', 'trace-test');
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await auth?.stop();
    await server?.stop();
    await new Promise((resolve) => collector?.close(resolve));
  });

  test('a request made inside a span is handled in the same trace by the auth service', async () => {
    const tracer = trace.getTracer('test');
    const { traceId, spanId } = await tracer.startActiveSpan('device connect', async (span) => {
      await login(nc, 'nobody', 'x');
      span.end();
      return span.spanContext();
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const serverSpan = await waitFor('exported auth span', () =>
      exported.find((s) => s.name === 'mesh.auth.v1.authenticate' && s.traceId === traceId),
    );
    // The parent is the caller's client span, itself a child of our span.
    expect(serverSpan.parentSpanId).toBeDefined();
    expect(serverSpan.parentSpanId).not.toBe(spanId);
    expect(exported.every((s) => s.traceId === traceId)).toBe(true);
  });
});
