// The project image (deploy/container/Dockerfile): built from these sources by the project's
// own script (layer-cached, so quick when nothing changed), non-root, with a health check, and
// its entrypoint refusing an unknown SERVICE. tests/deploy/mesh-containers.test.ts runs every
// service from it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { imageConfig, PROJECT_IMAGE, testRunId, useContainers } from '@octomesh/testing';
import { describeWithContainers } from '../support/containers.ts';

const run = promisify(execFile);
// `podman run --rm` with this run's label: the teardown removes it should a test time out.
const podmanRun = (args: string[]) =>
  run(
    'podman',
    ['run', '--rm', '--network', 'host', '--label', `octomesh.test=${testRunId()}`, ...args],
    {
      timeout: 60_000,
    },
  );

describeWithContainers('the project image', () => {
  beforeAll(async () => {
    // scripts/test.sh already ran it; running it again proves it is idempotent and cached.
    const { stdout } = await run('bash', ['scripts/containers.sh'], { timeout: 600_000 });
    expect(stdout).toMatch(/localhost\/octomesh:dev built in \d+ s/);
    expect(await useContainers(PROJECT_IMAGE)).toBe(true);
  }, 600_000);

  test('runs as the unprivileged user node and declares a health check', async () => {
    const config = await imageConfig();
    expect(config.user).toBe('node');
    expect(config.healthcheck).toEqual(['CMD', 'node', '/app/deploy/container/healthcheck.ts']);
  });

  test('refuses to start without a known SERVICE, saying which are known', async () => {
    const result = await podmanRun([PROJECT_IMAGE]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in result ? result.code : 0).toBe(2);
    expect(result.stderr).toContain('set SERVICE to one of auth, acl, broker, usp-router');
  });

  test('runs the octomesh CLI when given arguments, as uid 1000', async () => {
    const help = await podmanRun([PROJECT_IMAGE, '--help']);
    expect(help.stdout).toContain('octomesh sim [options]');
    const id = await podmanRun(['--entrypoint', 'id', PROJECT_IMAGE, '-u']);
    expect(id.stdout.trim()).toBe('1000');
  });
});
