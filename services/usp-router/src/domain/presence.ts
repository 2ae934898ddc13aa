// Presence as pure logic: how an endpoint's registry record changes when it connects,
// disconnects, is heard from or stays silent, and what a broker event means for it. The
// presence module applies these changes with compare-and-set and announces the results.
import { BrokerEventKinds, mesh, Roles } from '@octomesh/contracts';
import type { Endpoint } from '../registry.ts';

/**
 * Last seen is kept to this resolution: at most one KV write per endpoint per interval, not one
 * per message (so a liveness timeout must be well above it; config.ts asks for 120 s).
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** What a connection tells about an endpoint when it comes online. */
export type OnlineFields = Partial<
  Pick<Endpoint, 'agentTopic' | 'mqttVersion' | 'replica' | 'clientId'>
>;

/** The record of an endpoint that is online now; unknown fields keep their current values. */
export function markedOnline(
  current: Endpoint | undefined,
  endpointId: string,
  fields: OnlineFields,
  ownAgentTopic: string,
  now: number,
): Endpoint {
  return {
    endpointId,
    agentTopic: current?.agentTopic || ownAgentTopic,
    mqttVersion: current?.mqttVersion ?? 5,
    replica: current?.replica ?? '',
    clientId: current?.clientId ?? '',
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    online: true,
    lastSeenMs: now,
    changedMs: current?.online === true ? (current.changedMs ?? now) : now,
  };
}

/**
 * The record of an endpoint whose connection `clientId` ended (undefined: whichever), or
 * undefined when nothing changes: it was not online, or a later connection replaced that one.
 */
export function markedOffline(
  current: Endpoint | undefined,
  clientId: string | undefined,
  now: number,
): Endpoint | undefined {
  if (current === undefined || current.online !== true) return undefined;
  // A late disconnect of a connection that was already replaced changes nothing.
  if (clientId !== undefined && current.clientId && current.clientId !== clientId) return undefined;
  return { ...current, online: false, lastSeenMs: now, changedMs: now };
}

/** Whether an endpoint is online but was last heard from before `cutoff`. */
export function isSilent(endpoint: Endpoint | undefined, cutoff: number): boolean {
  return endpoint?.online === true && Number(endpoint.lastSeenMs ?? 0) < cutoff;
}

/**
 * The record of an endpoint the liveness sweep marks offline, or undefined when it was heard
 * from meanwhile (the sweep read the mirror; the registry may be newer).
 */
export function timedOut(
  current: Endpoint | undefined,
  cutoff: number,
  now: number,
): Endpoint | undefined {
  return current !== undefined && isSilent(current, cutoff)
    ? { ...current, online: false, changedMs: now }
    : undefined;
}

/** Whether last seen is older than its resolution, so hearing from the endpoint updates it. */
export function needsTouch(endpoint: Endpoint | undefined, now: number): boolean {
  return (
    endpoint === undefined || now - Number(endpoint.lastSeenMs ?? 0) >= LAST_SEEN_RESOLUTION_MS
  );
}

/** The record with last seen moved to `now`, or undefined when it is recent enough or absent. */
export function touched(current: Endpoint | undefined, now: number): Endpoint | undefined {
  return current !== undefined && needsTouch(current, now)
    ? { ...current, lastSeenMs: now }
    : undefined;
}

/** Whether an update turned an endpoint online or offline (then presence is announced). */
export function onlineChanged(before: Endpoint | undefined, after: Endpoint | undefined): boolean {
  return after !== undefined && (before?.online === true) !== (after.online === true);
}

/** What a broker event means for a device's presence. */
export type BrokerPresence =
  | { kind: 'online'; endpointId: string; fields: OnlineFields }
  | { kind: 'offline'; endpointId: string; clientId: string };

/**
 * The presence change a broker event (`kind` is the last subject token) stands for, or
 * undefined when it has none: another kind, or a client that is no device with an endpoint id.
 * Throws when the event does not decode.
 */
export function presenceOfBrokerEvent(
  kind: string | undefined,
  data: Uint8Array,
): BrokerPresence | undefined {
  if (kind === BrokerEventKinds.connected) {
    const event = mesh.broker.v1.ClientConnected.decode(data);
    const endpointId = event.identity?.endpointId ?? '';
    if (endpointId === '' || event.identity?.role !== Roles.device) return undefined;
    return {
      kind: 'online',
      endpointId,
      fields: {
        mqttVersion: event.mqttVersion === 5 ? 5 : 4,
        replica: event.replica,
        clientId: event.clientId,
      },
    };
  }
  if (kind === BrokerEventKinds.disconnected) {
    const event = mesh.broker.v1.ClientDisconnected.decode(data);
    const endpointId = event.identity?.endpointId ?? '';
    if (endpointId === '' || event.identity?.role !== Roles.device) return undefined;
    return { kind: 'offline', endpointId, clientId: event.clientId };
  }
  return undefined;
}

/** The retained payload of `<prefix>/status/<id>`: `1` online, `0` offline. */
export function statusPayload(endpoint: Endpoint): Buffer {
  return Buffer.from(endpoint.online ? '1' : '0');
}
