// `octomesh devices`: its arguments, and the endpoint registry as a table or JSON. Pure.
import { mesh } from '@octomesh/contracts';
import { intOption, parse, UsageError } from '../args.ts';

/** The usp-router caps a listing at this many endpoints. */
export const MAX_DEVICES_LIMIT = 10_000;

/** What `octomesh devices` asks for and how it prints it. */
export interface DevicesInvocation {
  readonly request: mesh.usp.v1.IListEndpointsRequest;
  readonly json: boolean;
  readonly natsUrl: string | undefined;
}

const options = {
  'nats-url': { type: 'string' },
  online: { type: 'boolean' },
  prefix: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Parses `octomesh devices ...`; throws UsageError for bad usage. */
export function parseDevicesInvocation(argv: string[]): DevicesInvocation {
  const { values, positionals } = parse(argv, options);
  if (positionals.length > 0) throw new UsageError(`devices takes no ${positionals[0]}`);
  return {
    request: {
      onlineOnly: values.online === true,
      prefix: values.prefix ?? '',
      // 0 = the router's default (1,000).
      limit: intOption(values.limit, 'limit', 0, 1, MAX_DEVICES_LIMIT),
    },
    json: values.json === true,
    natsUrl: values['nats-url'],
  };
}

/** The registry as `--json` prints it: every field, 64-bit integers as strings. */
export function devicesToJson(reply: mesh.usp.v1.IListEndpointsReply): Record<string, unknown> {
  return mesh.usp.v1.ListEndpointsReply.toObject(mesh.usp.v1.ListEndpointsReply.fromObject(reply), {
    longs: String,
    defaults: true,
    json: true,
  });
}

/** The registry as an aligned table, plus a note when the router truncated it. */
export function renderDevices(reply: mesh.usp.v1.IListEndpointsReply, nowMs: number): string[] {
  const endpoints = reply.endpoints ?? [];
  const lines =
    endpoints.length === 0
      ? ['no endpoints']
      : table([
          ['ENDPOINT', 'STATE', 'LAST SEEN', 'AGENT TOPIC', 'MQTT', 'REPLICA'],
          ...endpoints.map((e) => [
            e.endpointId ?? '',
            e.online ? 'online' : 'offline',
            lastSeen(Number(e.lastSeenMs ?? 0), nowMs),
            e.agentTopic || '-',
            mqttVersion(e.mqttVersion ?? 0),
            e.replica || '-',
          ]),
        ]);
  if (reply.truncated)
    lines.push(`truncated: more endpoints match than listed (use --prefix or --limit)`);
  return lines;
}

/** `2025-06-01T10:00:00Z (12 s ago)`, or `never`. */
export function lastSeen(ms: number, nowMs: number): string {
  if (ms <= 0) return 'never';
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${iso} (${formatAge(nowMs - ms)})`;
}

/** How long ago, in the largest unit that keeps the number readable. */
export function formatAge(ms: number): string {
  // A little clock skew between the router's host and this one must not read as the future.
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

function mqttVersion(version: number): string {
  if (version === 5) return '5';
  if (version === 4) return '3.1.1';
  return version === 0 ? '-' : String(version);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
