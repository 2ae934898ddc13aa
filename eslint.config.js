// ESLint flat config for the whole workspace. Prettier formats (`prettier --check`); ESLint
// only judges code, so eslint-config-prettier comes last and switches off style rules.
//
// The module boundaries are the reason this file exists: Nx tags in each package.json
// (`type:*`, `scope:*`) and the constraints below decide who may import whom.
// tests/lint/module-boundaries.test.ts lints a fixture workspace with `moduleBoundaries`
// to prove the constraints fire.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nxPlugin from '@nx/eslint-plugin';
import { createProjectGraphAsync } from '@nx/devkit';
import prettier from 'eslint-config-prettier/flat';

// @nx/enforce-module-boundaries reads the cached project graph and silently skips every
// check when there is none (a fresh clone, `nx reset`). Compute it here so plain `eslint`
// always enforces the boundaries; it is incremental and takes a moment once cached.
await createProjectGraphAsync({ exitOnError: false });

/** The NATS client packages: only the project tagged scope:nats may import them. */
const natsClient = ['@nats-io/*'];
/** The deprecated NATS client (nats.js v2): nobody imports it, not even the NATS kit. */
const legacyNatsClient = ['nats', 'nats/*'];

/** Who may depend on whom, by tag. Exported so the lint fixture tests the real list. */
export const depConstraints = [
  // A service never imports another service, nor the CLI.
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'],
  },
  // Every scope except scope:nats (a regex, so a new scope is banned without editing this).
  { sourceTag: '/^scope:(?!nats$)/', bannedExternalImports: natsClient },
  { sourceTag: '*', bannedExternalImports: legacyNatsClient },
];

/**
 * Test files inside a project may also use the test helpers (type:testing); production
 * code may not. Same constraints otherwise.
 */
export const testFileDepConstraints = depConstraints.map((constraint) =>
  ['type:service', 'type:app', 'type:lib'].includes(constraint.sourceTag)
    ? {
        ...constraint,
        onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'],
      }
    : constraint,
);

const testFiles = ['**/*.test.ts', '**/test-support/**/*.ts'];

/** @param {typeof depConstraints} constraints */
const boundaryRule = (constraints) => [
  'error',
  {
    // Relative and absolute imports into another project are reported by default;
    // circular dependencies between projects too.
    allow: [],
    banTransitiveDependencies: false,
    depConstraints: constraints,
  },
];

/**
 * Import rules that hold in every file, project or not. enforce-module-boundaries only
 * knows packages that are in the lock file, so the banned legacy client is named here too.
 */
const restrictedImports = [
  'error',
  {
    paths: [{ name: 'nats', message: 'Use @octomesh/nats-kit (the NATS client is @nats-io/*).' }],
    patterns: [
      { group: ['nats/*'], message: 'Use @octomesh/nats-kit (the NATS client is @nats-io/*).' },
      {
        group: ['@octomesh/*/**'],
        message: 'Import a project through its entry point (@octomesh/<name>), not a deep path.',
      },
    ],
  },
];

/**
 * The module-boundary part of the config, self-contained (parser included) so the lint
 * fixture can use exactly this without the type-aware rest.
 */
export const moduleBoundaries = [
  {
    name: 'octomesh/module-boundaries',
    files: ['**/*.ts', '**/*.js'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@nx': nxPlugin },
    rules: {
      '@nx/enforce-module-boundaries': boundaryRule(depConstraints),
      'no-restricted-imports': restrictedImports,
    },
  },
  {
    // tests/, bench/ and scripts/ are no Nx projects, so the tag rule does not see them; they
    // reach NATS through the kit like everyone else.
    name: 'octomesh/module-boundaries/outside-projects',
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedImports[1].paths,
          patterns: [
            ...restrictedImports[1].patterns,
            {
              group: ['@nats-io/*'],
              message: 'Use @octomesh/nats-kit: only the NATS kit imports @nats-io/*.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'octomesh/module-boundaries/test-files',
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaryRule(testFileDepConstraints) },
  },
];

export default defineConfig(
  {
    name: 'octomesh/ignores',
    ignores: [
      '**/node_modules/**',
      '**/generated/**',
      '**/.nx/**',
      '**/dist/**',
      '**/coverage/**',
      // Linted only by tests/lint/module-boundaries.test.ts, with its own config.
      'tests/fixtures/lint/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'octomesh/typescript',
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // Type information for the few promise/throw rules below; tsconfig.json covers
        // every .ts file that is linted.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Every async call has an owner: awaited, returned, or explicitly `void`ed.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Errors carry a code: throw OctomeshError subclasses, never strings.
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // House style: `as const` objects instead of enums.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Use an `as const` object and a union type instead of an enum.',
        },
      ],
    },
  },
  moduleBoundaries,
  prettier,
);
