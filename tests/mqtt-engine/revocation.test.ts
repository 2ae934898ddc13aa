// Revocation in the engine: a rule change re-checks the subscriptions of connected and offline
// sessions and removes denied ones at once; a resumed session keeps only what its identity may
// hold now; a revoked account's connections close with 0x98 (3.1.1: closed); verdicts cached for
// another identity are dropped (issue 9 §2). The broker suite (tests/broker/revocation.test.ts)
// measures the same through NATS, auth and acl.
import type { AclRule } from '@octomesh/acl-rules';
import { collect, connectClient, end, eventually } from './clients.ts';
import { startTestBroker, type TestBroker } from './harness.ts';
import { closedWith, rawConnectWith } from './raw-client.ts';

const accounts = {
  adm: { password: 'pwa', role: 'admin' },
  dev: { password: 'pwd', role: 'device', endpointId: 'os::REV-1' },
};
const rnd = (): string => Math.random().toString(16).slice(2, 10);
const deny = (topic: string): AclRule => ({
  id: `deny-${rnd()}`,
  subject: 'role:admin',
  action: 'subscribe',
  topic,
  effect: 'deny',
});
const admin = (extra: Record<string, unknown> = {}) => ({
  protocolVersion: 5 as const,
  username: 'adm',
  password: 'pwa',
  ...extra,
});

describe('revocation in the engine', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker(accounts, { limits: { maxPublishRate: 0 } });
  });
  afterEach(() => {
    broker.setExtraRules([]);
    broker.setDeciderFailure(false);
  });
  afterAll(async () => {
    await broker.stop();
  });

  test('a rule change removes a subscription the rules now deny, for connected and offline sessions, and it stops receiving', async () => {
    const filter = `lab/revoke/${rnd()}/#`;
    const topic = filter.replace('#', 'x');
    const live = await connectClient(broker.url, admin());
    const box = collect(live);
    const marker = `lab/marker/${rnd()}`;
    await live.subscribeAsync([filter, marker], { qos: 1 });
    const offlineId = `offline-${rnd()}`;
    const offline = await connectClient(
      broker.url,
      admin({ clientId: offlineId, clean: true, properties: { sessionExpiryInterval: 300 } }),
    );
    await offline.subscribeAsync(filter, { qos: 1 });
    await end(offline);
    const publisher = await connectClient(broker.url, admin());
    await publisher.publishAsync(topic, 'before', { qos: 1 });
    await eventually('before', () => box.messages.find((m) => m.payload === 'before'));

    const revokedBefore = broker.engine.counters.subscriptionsRevoked;
    broker.setExtraRules([deny(filter)]);
    const result = await broker.engine.rulesChanged();
    expect(result.failed).toBe(0);
    expect(broker.engine.counters.subscriptionsRevoked - revokedBefore).toBe(2);
    expect(broker.engine.index.subscriptionsOf(offlineId)).toEqual([]);
    await publisher.publishAsync(topic, 'after', { qos: 1 });
    await publisher.publishAsync(marker, 'marker', { qos: 1 });
    // The session is still connected and served (the marker, sent after, arrives); only the
    // revoked subscription is gone.
    await eventually('marker', () => box.messages.find((m) => m.payload === 'marker'));
    expect(box.messages.map((m) => m.payload)).toEqual(['before', 'marker']);
    await end(live);
    await end(publisher);
  });

  test('a resumed session (Clean Start 0) gets back only the subscriptions its identity may hold now', async () => {
    const denied = `lab/resume-deny/${rnd()}/#`;
    const kept = `lab/resume-keep/${rnd()}/#`;
    const id = `resume-${rnd()}`;
    const first = await connectClient(
      broker.url,
      admin({ clientId: id, clean: true, properties: { sessionExpiryInterval: 300 } }),
    );
    await first.subscribeAsync([denied, kept], { qos: 1 });
    await end(first);
    // Changed while it was away, and this replica heard nothing (no rulesChanged()).
    broker.setExtraRules([deny(denied)]);
    const resumed = await connectClient(
      broker.url,
      admin({ clientId: id, clean: false, properties: { sessionExpiryInterval: 300 } }),
    );
    const connack = (resumed as unknown as { connackPacket: { sessionPresent: boolean } })
      .connackPacket;
    expect(connack.sessionPresent).toBe(true);
    expect(broker.engine.index.subscriptionsOf(id).map((s) => s.filter)).toEqual([kept]);
    await end(resumed);
  });

  test('when the acl cannot answer a re-check, subscriptions stay and the failure is counted', async () => {
    const filter = `lab/outage/${rnd()}/#`;
    const client = await connectClient(broker.url, admin());
    await client.subscribeAsync(filter, { qos: 0 });
    broker.setDeciderFailure(true);
    const result = await broker.engine.rulesChanged();
    expect(result.failed).toBeGreaterThan(0);
    const id = (client as unknown as { options: { clientId: string } }).options.clientId;
    expect(broker.engine.index.subscriptionsOf(id).map((s) => s.filter)).toEqual([filter]);
    broker.setDeciderFailure(false);
    await end(client);
  });

  test.each([5, 4] as const)(
    'MQTT %i: a revoked account loses its connections (5: DISCONNECT 0x98), a removed one its sessions too',
    async (version) => {
      const id = `revoked-${version}-${rnd()}`;
      const raw = await rawConnectWith(broker.port, {
        protocolVersion: version,
        clientId: id,
        clean: false,
        keepalive: 60,
        username: 'dev',
        password: Buffer.from('pwd'),
        ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
      });
      expect(raw.connack.returnCode ?? raw.connack.reasonCode).toBe(0);
      const closedBefore = broker.engine.counters.connectionsRevoked;
      expect(broker.engine.revokeAccount('dev', 'removed', true)).toBe(1);
      const goodbye = await closedWith(raw);
      if (version === 5) expect(goodbye?.reasonCode).toBe(0x98);
      else expect(goodbye).toBeUndefined();
      expect(broker.engine.counters.connectionsRevoked - closedBefore).toBe(1);
      expect(broker.engine.sessions.has(id)).toBe(false);
      // Another account is untouched.
      expect(broker.engine.revokeAccount('nobody', 'removed', true)).toBe(0);
    },
  );

  test('verdicts cached for one identity are dropped when the session resumes with another role', async () => {
    const id = `role-change-${rnd()}`;
    const options = admin({ clientId: id, clean: true, properties: { sessionExpiryInterval: 60 } });
    const first = await connectClient(broker.url, options);
    await first.publishAsync('lab/cached', 'x', { qos: 1 });
    await end(first);
    const before = broker.calls.authorize;
    // Same identity again: the cached verdict answers.
    const again = await connectClient(broker.url, { ...options, clean: false });
    await again.publishAsync('lab/cached', 'x', { qos: 1 });
    expect(broker.calls.authorize).toBe(before);
    await end(again);
    // The account's role changed (auth answers with the new one): the cache is dropped.
    (accounts.adm as { role: string }).role = 'controller';
    try {
      const changed = await connectClient(broker.url, { ...options, clean: false });
      await changed.publishAsync('lab/cached', 'x', { qos: 1 }).catch(() => undefined);
      expect(broker.calls.authorize).toBeGreaterThan(before);
      await end(changed);
    } finally {
      (accounts.adm as { role: string }).role = 'admin';
    }
  });
});
