// A million mutated USP Records through the usp-router's classifier (issue 9 §7): the CI suite
// services/usp-router/src/domain/records.fuzz.test.ts (100,000 cases) run at ten times its
// counts. Exits with jest's code: 0 when every case got a typed verdict.
//   node bench/fuzz/usp-fuzz.ts            (OCTOMESH_FUZZ_SCALE, default 10)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const scale = process.env['OCTOMESH_FUZZ_SCALE'] ?? '10';
const started = Date.now();
const result = spawnSync(
  join(root, 'node_modules/.bin/jest'),
  [
    'services/usp-router/src/domain/records.fuzz.test.ts',
    '--selectProjects',
    'unit',
    '--testTimeout=1800000',
    '--verbose',
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, OCTOMESH_FUZZ_SCALE: scale } },
);
console.log(
  `usp fuzz: ${(100_000 * Number(scale)).toLocaleString('en')} cases in ${Math.round((Date.now() - started) / 1000)} s, exit ${result.status}`,
);
process.exit(result.status ?? 1);
