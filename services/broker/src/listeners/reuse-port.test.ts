import { reusePortSupported } from './reuse-port.ts';

describe('reusePortSupported', () => {
  test('is true on Linux and the BSD and Unix kernels libuv supports SO_REUSEPORT on', () => {
    for (const platform of ['linux', 'freebsd', 'sunos', 'aix'])
      expect(reusePortSupported(platform)).toBe(true);
  });

  test('is false on macOS, Windows and OpenBSD, where listening with reusePort fails', () => {
    for (const platform of ['darwin', 'win32', 'openbsd'])
      expect(reusePortSupported(platform)).toBe(false);
  });
});
