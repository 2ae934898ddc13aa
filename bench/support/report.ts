// Printing figures: one fixed-width row per phase, and ratios against the baseline of the same
// run (absolute numbers on a shared two-core machine say little on their own).
import { percentile, requestRate, unitRate, type PhaseResult } from './stats.ts';

const COLUMNS = [
  ['phase', 44],
  ['requests', 9],
  ['seconds', 8],
  ['req/s', 9],
  ['units/s', 12],
  ['p50 ms', 8],
  ['p99 ms', 8],
  ['max ms', 8],
  ['failures', 9],
] as const;

/** Prints a section title. */
export function printSection(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

/** Prints a line of text under the current section. */
export function printNote(text: string): void {
  process.stdout.write(`   ${text}\n`);
}

/** Prints the column header; `unit` names what units/s counts (logins, decisions). */
export function printHeader(unit: string): void {
  const names = COLUMNS.map(([name, width], i) => {
    const shown = name === 'units/s' ? `${unit}/s` : name;
    return i === 0 ? shown.padEnd(width) : shown.padStart(width);
  });
  process.stdout.write(`   ${names.join(' ')}\n`);
}

/** Prints one phase as a row, then its failure reasons, if any. */
export function printPhase(result: PhaseResult): void {
  const sorted = result.latenciesMs;
  const cells = [
    result.label,
    String(result.requests),
    result.seconds.toFixed(2),
    requestRate(result).toFixed(0),
    unitRate(result).toFixed(0),
    fixed(percentile(sorted, 50)),
    fixed(percentile(sorted, 99)),
    fixed(percentile(sorted, 100)),
    String(result.failures),
  ].map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[i]![1]) : cell.padStart(COLUMNS[i]![1])));
  process.stdout.write(`   ${cells.join(' ')}\n`);
  if (result.maxSendLagMs !== undefined && result.maxSendLagMs > 5) {
    printNote(
      `   sender fell behind schedule by up to ${result.maxSendLagMs.toFixed(1)} ms (charged to latency)`,
    );
  }
  for (const [reason, count] of result.failureReasons) printNote(`   failure ×${count}: ${reason}`);
}

/** "0.42" for a / b, or "n/a" when b is zero or either is not a number. */
export function formatRatio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : 'n/a';
}

function fixed(value: number): string {
  if (Number.isNaN(value)) return '-';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}
