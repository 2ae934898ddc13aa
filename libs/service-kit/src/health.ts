// /healthz (the process runs), /readyz (it can do its job: NATS connected, serving) and
// /metrics (Prometheus text) on a small HTTP server per service.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the health server asks the service. */
export interface HealthChecks {
  /** True when the service can answer requests. */
  ready(): boolean;
  /** What is degraded now, one line each, shown by /readyz (an outage of NATS, say). */
  degraded?(): string[];
  /** Prometheus text exposition of the service's metrics. */
  metrics?(): string;
}

/** A running health server. */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the health server; port 0 picks a free port (see `port`). */
export async function startHealthServer(
  host: string,
  port: number,
  checks: HealthChecks,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = checks.ready();
      const degraded = checks.degraded?.() ?? [];
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end([ready ? 'ready' : 'not ready', ...degraded].join('\n') + '\n');
    } else if (path === '/metrics' && checks.metrics !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(checks.metrics());
    } else {
      res.writeHead(404).end();
    }
  });
  server.requestTimeout = 5000;
  server.headersTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
