// Where the Octomesh broker spent its CPU: reads the .cpuprofile that `node --cpu-prof` wrote
// when the broker exited, and sums self time by function and by source file.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { printNote, printSection } from '../support/report.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

/** One line of the summary: a name and its share of the busy (non-idle) samples. */
export interface ProfileLine {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

/** Top functions and files by self time, over the busy part of the profile. */
export interface ProfileSummary {
  readonly file: string;
  readonly busyMs: number;
  readonly totalMs: number;
  readonly functions: readonly ProfileLine[];
  readonly files: readonly ProfileLine[];
}

const repoRoot = resolve(import.meta.dirname, '..', '..');

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const fromRepo = relative(repoRoot, path);
  return fromRepo.startsWith('..') ? path : fromRepo;
}

/** Summarizes the newest .cpuprofile in `dir`, or undefined when there is none. */
export function summarizeProfile(dir: string, top: number): ProfileSummary | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const file = files.at(-1);
  if (file === undefined) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const samples =
    profile.samples?.length ?? profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = samples > 0 ? totalMs / samples : 0;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyHits = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    busyHits += hits;
    const where = shortUrl(node.callFrame.url);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${where}${
      node.callFrame.url === '' ? '' : `:${node.callFrame.lineNumber + 1}`
    }`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    byFile.set(where, (byFile.get(where) ?? 0) + hits);
  }
  const lines = (map: Map<string, number>): ProfileLine[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({
        name,
        selfMs: hits * msPerSample,
        share: busyHits > 0 ? hits / busyHits : 0,
      }));
  return {
    file: join(dir, file),
    busyMs: busyHits * msPerSample,
    totalMs,
    functions: lines(byFunction),
    files: lines(byFile),
  };
}

/** Prints a summary (or that no profile was written). */
export function printProfile(summary: ProfileSummary | undefined): void {
  printSection('octomesh broker CPU profile (self time)');
  if (summary === undefined) {
    printNote('no profile was written');
    return;
  }
  printNote(
    `${summary.file}: busy ${(summary.busyMs / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s`,
  );
  printNote('by function:');
  for (const f of summary.functions)
    printNote(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
  printNote('by file:');
  for (const f of summary.files)
    printNote(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
}
