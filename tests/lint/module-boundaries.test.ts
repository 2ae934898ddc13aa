// Proves that the module-boundary rules in eslint.config.js fire: ESLint lints the fixture
// workspace in tests/fixtures/lint/module-boundaries (its own Nx root, its eslint.config.js
// re-exports `moduleBoundaries` from the root config) in a child process, because Nx fixes
// its workspace root at import time from the working directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type LintMessage = { ruleId: string | null; message: string; line: number; fatal?: boolean };
type LintResult = { filePath: string; messages: LintMessage[] };

const fixtureRoot = join(__dirname, '..', 'fixtures', 'lint', 'module-boundaries');
const eslintBin = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const boundaryRule = '@nx/enforce-module-boundaries';

let scratchDir = '';
let results: LintResult[] = [];

/** Runs ESLint on the fixture; Nx writes its graph and cache under a scratch dir, not the repo. */
function lintFixture(): LintResult[] {
  const reportFile = join(scratchDir, 'eslint-report.json');
  const run = spawnSync(
    process.execPath,
    [eslintBin, '--format', 'json', '--output-file', reportFile, '.'],
    {
      cwd: fixtureRoot,
      encoding: 'utf8',
      timeout: 50_000,
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_WORKSPACE_ROOT_PATH: fixtureRoot,
        NX_WORKSPACE_DATA_DIRECTORY: join(scratchDir, 'nx-workspace-data'),
        NX_CACHE_DIRECTORY: join(scratchDir, 'nx-cache'),
      },
    },
  );
  // Exit code 1 means "lint errors found", which the fixture is built to produce; anything
  // else (2 = config or crash, null = killed) means ESLint did not judge the fixture at all.
  if (run.status !== 1) {
    throw new Error(`eslint exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(readFileSync(reportFile, 'utf8')) as LintResult[];
}

function messagesIn(file: string): LintMessage[] {
  const result = results.find((r) => r.filePath === join(fixtureRoot, file));
  if (!result) throw new Error(`ESLint did not lint ${file}`);
  return result.messages;
}

/** Messages reported on the line of `from '<specifier>'` in a fixture file. */
function messagesForImport(file: string, specifier: string): LintMessage[] {
  const lines = readFileSync(join(fixtureRoot, file), 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes(`from '${specifier}'`)) + 1;
  if (line === 0) throw new Error(`${file} has no import of '${specifier}'`);
  return messagesIn(file).filter((m) => m.line === line);
}

function boundaryMessagesForImport(file: string, specifier: string): string[] {
  return messagesForImport(file, specifier)
    .filter((m) => m.ruleId === boundaryRule)
    .map((m) => m.message);
}

beforeAll(() => {
  scratchDir = mkdtempSync(join(tmpdir(), 'octomesh-lint-fixture-'));
  results = lintFixture();
});

afterAll(() => {
  rmSync(scratchDir, { recursive: true, force: true });
});

describe('module boundaries', () => {
  it('parses every fixture file, so no verdict below is an artefact of a parse error', () => {
    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal || m.ruleId === null));
    expect(fatal).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(5);
  });

  it('reports a service that imports another service', () => {
    expect(boundaryMessagesForImport('services/one/src/index.ts', '@fixture/two')).toEqual([
      'A project tagged with "type:service" can only depend on libs tagged with "type:lib", "type:contracts"',
    ]);
  });

  it('reports a project outside scope:nats that imports the NATS client', () => {
    const messages = boundaryMessagesForImport('libs/util/src/index.ts', '@nats-io/nats-core');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/is not allowed to import "@nats-io\/nats-core"/);
  });

  it('does not report a service that imports a lib through its package name', () => {
    // The same file has violations on other lines, so the rule did run on it.
    expect(messagesIn('services/one/src/index.ts').some((m) => m.ruleId === boundaryRule)).toBe(
      true,
    );
    expect(messagesForImport('services/one/src/index.ts', '@fixture/util')).toEqual([]);
  });

  it('lets the NATS kit (scope:nats) import the NATS client', () => {
    expect(messagesIn('libs/nats-kit/src/index.ts').some((m) => m.ruleId === boundaryRule)).toBe(
      true,
    );
    expect(messagesForImport('libs/nats-kit/src/index.ts', '@nats-io/nats-core')).toEqual([]);
  });

  it('reports the legacy nats client even in the NATS kit', () => {
    const rules = messagesForImport('libs/nats-kit/src/index.ts', 'nats').map((m) => m.ruleId);
    expect(rules).toEqual(expect.arrayContaining([boundaryRule, 'no-restricted-imports']));
  });

  it('reports a relative import that reaches into another project', () => {
    expect(
      boundaryMessagesForImport('services/one/src/index.ts', '../../../libs/util/src/helper.ts'),
    ).toEqual([
      'Projects cannot be imported by a relative or absolute path, and must begin with a npm scope',
    ]);
  });

  it('leaves no Nx cache or workspace data inside the fixture', () => {
    expect(existsSync(join(fixtureRoot, '.nx'))).toBe(false);
  });
});
