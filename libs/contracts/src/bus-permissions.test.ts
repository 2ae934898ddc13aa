import { busPermissions, renderBusAuthorization } from './bus-permissions.ts';

describe('bus permissions', () => {
  test('the usp-router may publish only agent and status topics of the configured prefix', () => {
    const { 'usp-router': router, broker } = busPermissions({ uspTopicPrefix: 'acme/usp' });
    const fabric = router.publish.filter((s) => s.startsWith('mqtt.msg.'));
    expect(fabric.length).toBeGreaterThan(0);
    for (const subject of fabric)
      expect(subject).toMatch(/^mqtt\.msg\.acme\.usp\.(agent|status)\b/);
    expect(broker.publish).toContain('mqtt.msg.>');
  });

  test('no role but auth subscribes to mesh.auth, and only answering roles have allow_responses', () => {
    const table = busPermissions({ oktopusCompat: true, oktopusDevicesAuth: true });
    for (const [role, rights] of Object.entries(table)) {
      const readsAuth = rights.subscribe.some((s) => s.startsWith('mesh.auth.v1.authenticate'));
      expect([role, readsAuth]).toEqual([role, role === 'auth']);
      expect([role, rights.allowResponses]).toEqual([
        role,
        // The broker answers other replicas' client id claims.
        ['auth', 'acl', 'usp-router', 'broker'].includes(role),
      ]);
      // Every role reads its own inbox and no other.
      expect(rights.subscribe.filter((s) => s.startsWith('_INBOX'))).toEqual([
        `${rights.inboxPrefix}.>`,
      ]);
    }
  });

  test('the authorization block names NKey and password users with their permissions', () => {
    const text = renderBusAuthorization(
      [
        { role: 'broker', nkey: 'UABC' },
        { role: 'admin', user: 'ops', password: 'p' },
      ],
      busPermissions(),
    );
    expect(text).toContain('nkey: "UABC"');
    expect(text).toContain('user: "ops", password: "p"');
    // The broker answers requests (client id claims of other replicas); the admin does not.
    expect(text.match(/allow_responses/g)).toHaveLength(1);
    expect(() =>
      renderBusAuthorization([{ role: 'admin', user: 'o"ps', password: 'p' }], busPermissions()),
    ).toThrow(/quote/);
  });
});
