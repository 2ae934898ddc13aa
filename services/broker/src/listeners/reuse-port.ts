// SO_REUSEPORT: several broker processes bind the same port and the kernel spreads new
// connections over them (issue 11). Node 24 passes `reusePort` to libuv, which supports it on
// Linux 3.9+, FreeBSD 12+, Solaris 11.4 and AIX 7.2.5+ and fails the listen elsewhere (macOS
// and Windows among them), so the setting is refused at start on those platforms instead.

/** `process.platform` values whose kernels spread connections over SO_REUSEPORT sockets. */
export const REUSE_PORT_PLATFORMS = ['linux', 'freebsd', 'sunos', 'aix'] as const;

/** Whether listeners can bind with `reusePort` on `platform` (default: this one). */
export function reusePortSupported(platform: string = process.platform): boolean {
  return (REUSE_PORT_PLATFORMS as readonly string[]).includes(platform);
}
