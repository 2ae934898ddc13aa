#!/usr/bin/env node
// Node 24 runs TypeScript by stripping types; the CLI ships as source.
import process from 'node:process';
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `octomesh needs Node 24 or later (this is ${process.version}); use the cli/bin/octomesh launcher or npm run octomesh\n`,
  );
  process.exit(1);
}
await import('../src/main.ts');
