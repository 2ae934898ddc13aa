import type { ConnectAttempt } from '@octomesh/mqtt-engine';
import { anonymousIdentity, isAnonymousAttempt } from './anonymous-identity.ts';

const attempt = (extra: Partial<ConnectAttempt> = {}): ConnectAttempt => ({
  clientId: 'os::00D09E-1234',
  username: undefined,
  password: undefined,
  protocolVersion: 5,
  meta: { sourceAddress: '127.0.0.1:40000', listener: 'mqtt' },
  endpointIdHint: 'os::00D09E-1234',
  ...extra,
});

describe('anonymous clients (ALLOW_ANONYMOUS)', () => {
  test('get role anonymous and no endpoint id, whatever usp-endpoint-id and client id they send', () => {
    expect(anonymousIdentity(attempt())).toEqual({
      subject: 'anonymous',
      username: '',
      role: 'anonymous',
      endpointId: '',
      clientId: 'os::00D09E-1234',
    });
  });

  test('are only those with no username, no password and no verified certificate', () => {
    expect(isAnonymousAttempt(attempt())).toBe(true);
    expect(isAnonymousAttempt(attempt({ username: '' }))).toBe(false);
    expect(isAnonymousAttempt(attempt({ password: Buffer.alloc(0) }))).toBe(false);
    const certificate = {
      subject: 'CN=dev',
      commonName: 'dev',
      sanDns: [],
      sanUri: [],
      sanEmail: [],
      fingerprintSha256: 'ab',
    };
    expect(
      isAnonymousAttempt(attempt({ meta: { sourceAddress: 'x', listener: 'mqtts', certificate } })),
    ).toBe(false);
  });
});
