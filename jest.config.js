// Two projects: unit tests sit next to the code; integration tests in tests/ use real NATS,
// real sockets and real clients. TypeScript is transformed by swc (no type-check here:
// `npm run typecheck` does that once for the whole workspace).
import { readdirSync, existsSync } from 'node:fs';

const workspaceDirs = ['libs', 'services'].flatMap((top) =>
  readdirSync(top)
    .filter((name) => existsSync(`${top}/${name}/src/index.ts`))
    .map((name) => [name, `${top}/${name}`]),
);
const moduleNameMapper = Object.fromEntries(
  workspaceDirs.map(([name, dir]) => [`^@octomesh/${name}$`, `<rootDir>/${dir}/src/index.ts`]),
);
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    },
  ],
};
const common = { transform, moduleNameMapper, testEnvironment: 'node', rootDir: '.' };

export default {
  // testTimeout is global in Jest (ignored inside projects): integration tests start real
  // servers and processes.
  testTimeout: 60_000,
  // Containers of the run are labelled with its id and removed at the end (containers.ts).
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{libs,services,cli}/*/src/**/*.test.ts',
        '<rootDir>/cli/src/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
    },
  ],
};
