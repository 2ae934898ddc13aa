import { BrokerEventKinds, mesh, Roles } from '@octomesh/contracts';
import type { Endpoint } from '../registry.ts';
import {
  LAST_SEEN_RESOLUTION_MS,
  markedOffline,
  markedOnline,
  needsTouch,
  onlineChanged,
  presenceOfBrokerEvent,
  statusPayload,
  timedOut,
  touched,
} from './presence.ts';

const own = 'oktopus/usp/v1/agent/os::A';

function endpoint(fields: Partial<Endpoint> = {}): Endpoint {
  return {
    endpointId: 'os::A',
    agentTopic: `${own}/custom`,
    mqttVersion: 4,
    replica: 'broker-a',
    clientId: 'c-1',
    online: true,
    lastSeenMs: 1_000,
    changedMs: 500,
    ...fields,
  };
}

describe('markedOnline', () => {
  test('a new endpoint gets its own agent topic, MQTT 5 and now as last seen and changed', () => {
    expect(markedOnline(undefined, 'os::A', {}, own, 2_000)).toEqual({
      endpointId: 'os::A',
      agentTopic: own,
      mqttVersion: 5,
      replica: '',
      clientId: '',
      online: true,
      lastSeenMs: 2_000,
      changedMs: 2_000,
    });
  });

  test('given fields replace the stored ones; undefined fields keep them', () => {
    const after = markedOnline(
      endpoint({ online: false }),
      'os::A',
      { clientId: 'c-2', replica: undefined },
      own,
      2_000,
    );
    expect(after).toMatchObject({
      agentTopic: `${own}/custom`,
      replica: 'broker-a',
      clientId: 'c-2',
      changedMs: 2_000,
    });
  });

  test('an endpoint already online keeps when it came online', () => {
    expect(markedOnline(endpoint(), 'os::A', {}, own, 2_000).changedMs).toBe(500);
  });
});

describe('markedOffline', () => {
  test('the connection that is registered going away marks the endpoint offline', () => {
    expect(markedOffline(endpoint(), 'c-1', 2_000)).toMatchObject({
      online: false,
      lastSeenMs: 2_000,
      changedMs: 2_000,
    });
  });

  test('a late disconnect of a replaced connection changes nothing', () => {
    expect(markedOffline(endpoint({ clientId: 'c-2' }), 'c-1', 2_000)).toBeUndefined();
  });

  test('an endpoint offline or unknown stays as it is; a Disconnect Record names no connection', () => {
    expect(markedOffline(endpoint({ online: false }), undefined, 2_000)).toBeUndefined();
    expect(markedOffline(undefined, undefined, 2_000)).toBeUndefined();
    expect(markedOffline(endpoint({ clientId: 'c-2' }), undefined, 2_000)?.online).toBe(false);
  });
});

describe('liveness and last seen', () => {
  test('an endpoint silent since before the cutoff times out; one heard from since does not', () => {
    expect(timedOut(endpoint({ lastSeenMs: 999 }), 1_000, 5_000)).toMatchObject({
      online: false,
      changedMs: 5_000,
      lastSeenMs: 999,
    });
    expect(timedOut(endpoint({ lastSeenMs: 1_000 }), 1_000, 5_000)).toBeUndefined();
    expect(timedOut(endpoint({ online: false, lastSeenMs: 0 }), 1_000, 5_000)).toBeUndefined();
  });

  test('last seen moves only once per resolution interval', () => {
    const seen = endpoint({ lastSeenMs: 10_000 });
    const soon = 10_000 + LAST_SEEN_RESOLUTION_MS - 1;
    const later = 10_000 + LAST_SEEN_RESOLUTION_MS;
    expect(needsTouch(seen, soon)).toBe(false);
    expect(touched(seen, soon)).toBeUndefined();
    expect(needsTouch(seen, later)).toBe(true);
    expect(touched(seen, later)?.lastSeenMs).toBe(later);
    expect(needsTouch(undefined, later)).toBe(true);
    expect(touched(undefined, later)).toBeUndefined();
  });
});

describe('onlineChanged', () => {
  test('only a change between online and offline is announced', () => {
    const on = endpoint();
    const off = endpoint({ online: false });
    expect(onlineChanged(undefined, on)).toBe(true);
    expect(onlineChanged(off, on)).toBe(true);
    expect(onlineChanged(on, off)).toBe(true);
    expect(onlineChanged(on, on)).toBe(false);
    expect(onlineChanged(off, off)).toBe(false);
    expect(onlineChanged(undefined, undefined)).toBe(false);
  });

  test('status is 1 online and 0 offline', () => {
    expect(statusPayload(endpoint()).toString()).toBe('1');
    expect(statusPayload(endpoint({ online: false })).toString()).toBe('0');
  });
});

describe('presenceOfBrokerEvent', () => {
  const identity = (role: string, endpointId = 'os::A') => ({ subject: 'u', role, endpointId });

  test('a device connecting is online with its MQTT version, replica and client id', () => {
    const data = mesh.broker.v1.ClientConnected.encode({
      identity: identity(Roles.device),
      mqttVersion: 4,
      replica: 'broker-b',
      clientId: 'c-9',
    }).finish();
    expect(presenceOfBrokerEvent(BrokerEventKinds.connected, data)).toEqual({
      kind: 'online',
      endpointId: 'os::A',
      fields: { mqttVersion: 4, replica: 'broker-b', clientId: 'c-9' },
    });
  });

  test('a device disconnecting is offline for that client id', () => {
    const data = mesh.broker.v1.ClientDisconnected.encode({
      identity: identity(Roles.device),
      clientId: 'c-9',
    }).finish();
    expect(presenceOfBrokerEvent(BrokerEventKinds.disconnected, data)).toEqual({
      kind: 'offline',
      endpointId: 'os::A',
      clientId: 'c-9',
    });
  });

  test('controllers, devices without endpoint id and other event kinds change nothing', () => {
    const controller = mesh.broker.v1.ClientConnected.encode({
      identity: identity(Roles.controller),
    }).finish();
    const noId = mesh.broker.v1.ClientConnected.encode({
      identity: identity(Roles.device, ''),
    }).finish();
    expect(presenceOfBrokerEvent(BrokerEventKinds.connected, controller)).toBeUndefined();
    expect(presenceOfBrokerEvent(BrokerEventKinds.connected, noId)).toBeUndefined();
    expect(presenceOfBrokerEvent(BrokerEventKinds.subscribed, noId)).toBeUndefined();
  });
});
