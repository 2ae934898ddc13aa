// deploy/compose as an operator runs it: scripts/compose-smoke.sh brings the compose project up
// under podman-compose (NATS, the four services, simulated agents, all from the local images),
// sends a USP Get through the whole mesh to agent os::SIM-1, and tears it all down. The script
// asserts that nothing of its project is left; this test checks that again from the outside.
import { execFile } from 'node:child_process';
import { engineRequest, findEngine, PROJECT_IMAGE, useContainers } from '@octomesh/testing';
import { describeWithContainers } from '../support/containers.ts';

const SMOKE_TIMEOUT_MS = 180_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSmoke(): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['scripts/compose-smoke.sh'],
      { timeout: SMOKE_TIMEOUT_MS, killSignal: 'SIGTERM', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describeWithContainers('the compose deployment (deploy/compose)', () => {
  test(
    'comes up with one command, answers a USP Get through the whole mesh, and leaves nothing behind',
    async () => {
      expect(await useContainers(PROJECT_IMAGE)).toBe(true);
      const run = await runSmoke();
      if (run.code !== 0) process.stderr.write(`${run.stdout}\n${run.stderr}\n`);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Device.DeviceInfo.SerialNumber = SIM-1');
      expect(run.stdout).toMatch(/timing: up [\d.]+ s, get [\d.]+ s, down [\d.]+ s/);
      expect(run.stdout).toContain('compose-smoke: OK');

      const project = /project (octomesh-smoke-[\w.-]+):/.exec(run.stdout)?.[1];
      expect(project).toBeDefined();
      const socket = await findEngine();
      const filters = encodeURIComponent(
        JSON.stringify({ label: [`io.podman.compose.project=${project}`] }),
      );
      const left = await engineRequest(
        socket!,
        'GET',
        `/containers/json?all=true&filters=${filters}`,
      );
      expect(JSON.parse(left.body)).toEqual([]);
    },
    SMOKE_TIMEOUT_MS + 10_000,
  );
});
