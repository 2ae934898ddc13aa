// Jest global teardown: no container of this run is left behind, whatever the suites did.
import { removeTestContainers, testRunId } from '@octomesh/testing';

export default async function globalTeardown(): Promise<void> {
  const removed = await removeTestContainers(testRunId());
  if (removed > 0) process.stderr.write(`teardown: removed ${removed} leftover test containers\n`);
}
