import {
  clientIdStanding,
  DEFAULT_CLIENT_ID_POLICY,
  parseClientIdPolicy,
} from './client-id-policy.ts';

const device = { role: 'device', username: 'router-1', endpointId: 'os::R-1' };

describe('client id policy', () => {
  test('a device owns its username and its endpoint id, and nothing else', () => {
    expect(clientIdStanding(DEFAULT_CLIENT_ID_POLICY, device, 'router-1')).toBe('owner');
    expect(clientIdStanding(DEFAULT_CLIENT_ID_POLICY, device, 'os::R-1')).toBe('owner');
    expect(clientIdStanding(DEFAULT_CLIENT_ID_POLICY, device, 'router-2')).toBe('refused');
    expect(clientIdStanding(DEFAULT_CLIENT_ID_POLICY, device, '')).toBe('refused');
  });

  test('a template whose field is empty names nothing', () => {
    const noEndpoint = { ...device, endpointId: '' };
    expect(clientIdStanding(DEFAULT_CLIENT_ID_POLICY, noEndpoint, '')).toBe('refused');
    expect(clientIdStanding({ device: ['x-%e'] }, noEndpoint, 'x-')).toBe('refused');
  });

  test('roles without templates may use any id but own none', () => {
    const admin = { role: 'admin', username: 'adm', endpointId: '' };
    expect(clientIdStanding(DEFAULT_CLIENT_ID_POLICY, admin, 'router-1')).toBe('free');
  });

  test('the setting is parsed strictly, every template checked', () => {
    expect(parseClientIdPolicy('device=%u|%e; controller=ctrl-%u')).toEqual({
      device: ['%u', '%e'],
      controller: ['ctrl-%u'],
    });
    expect(parseClientIdPolicy('device=%u;admin=')).toEqual({ device: ['%u'] });
    expect(() => parseClientIdPolicy('device=%x')).toThrow(/only %u and %e/);
    expect(() => parseClientIdPolicy('device')).toThrow(/role=template/);
    expect(() => parseClientIdPolicy('device=%u;device=%e')).toThrow(/twice/);
  });
});
