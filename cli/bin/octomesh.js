#!/usr/bin/env node
// Node 24 runs TypeScript by stripping types; the CLI ships as source.
import '../src/main.ts';
