// Jest global setup: names this run, so that its test containers carry one label value and the
// teardown removes exactly them (containers.ts), including those of suites that crashed.
export default function globalSetup(): void {
  process.env['OCTOMESH_TEST_RUN'] ??= `run-${process.pid}-${Date.now().toString(36)}`;
}
