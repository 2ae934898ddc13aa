// Suites that exist only as containers: `describe` where containers are expected (an engine's
// socket is there, or OCTOMESH_TEST_CONTAINERS=required), otherwise skipped with a notice.
// Jest decides what to collect synchronously, so this looks for the socket; the suite itself
// then asks `useContainers`, which fails when the engine does not answer or lacks the image.
import { existsSync } from 'node:fs';

/** True when this run should have containers. */
export function containersExpected(): boolean {
  const mode = process.env['OCTOMESH_TEST_CONTAINERS'] ?? 'auto';
  if (mode === 'off') return false;
  if (mode === 'required') return true;
  const host = process.env['DOCKER_HOST'];
  const sockets =
    host !== undefined && host.startsWith('unix://')
      ? [host.slice('unix://'.length)]
      : ['/var/run/docker.sock', '/run/podman/podman.sock'];
  return sockets.some((socket) => existsSync(socket));
}

/** `describe` when containers are expected, `describe.skip` with a notice otherwise. */
export function describeWithContainers(name: string, body: () => void): void {
  if (containersExpected()) {
    describe(name, body);
    return;
  }
  process.stderr.write(`octomesh tests: no container engine; skipped: ${name}\n`);
  describe.skip(name, body);
}
