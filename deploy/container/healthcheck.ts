// The image's HEALTHCHECK: GET /healthz on the service's health listener within 2 s, exit 0
// when it answers 200. The port is HEALTH_PORT, else the service's default.
const defaults: Record<string, number> = {
  auth: 8081,
  acl: 8082,
  broker: 8083,
  'usp-router': 8084,
};
const service = process.env['SERVICE'] ?? '';
const port = Number(process.env['HEALTH_PORT'] ?? defaults[service] ?? Number.NaN);
if (!Number.isInteger(port) || port <= 0) {
  console.error(`healthcheck: no health port for SERVICE '${service}'`);
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(2000),
  });
  process.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${(error as Error).message}`);
  process.exit(1);
}
