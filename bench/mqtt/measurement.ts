// One figure of one broker in one scenario, and how it is printed.

/** A figure with the text shown for it. */
export interface Measurement {
  /** The headline number (msg/s, ms, bytes, 1 = survived), NaN when there is none. */
  readonly value: number;
  /** Short cell text for the summary table. */
  readonly cell: string;
  /** One line of detail printed as the run goes. */
  readonly detail: string;
  /** Defects seen: losses, refusals, disconnects, a dead process. Empty when clean. */
  readonly defects: readonly string[];
}

/** A scenario that could not run for this broker (protocol not supported, process dead). */
export function notApplicable(why: string): Measurement {
  return { value: Number.NaN, cell: 'n/a', detail: `n/a (${why})`, defects: [] };
}

/** "12,345" */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** "98%" */
export function formatShare(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)}%` : 'n/a';
}

/** "1.23" or "12.3" milliseconds. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** "512.0 MB" */
export function formatMb(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes)
    ? 'n/a'
    : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "reason ×3; other ×1" */
export function formatReasons(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([reason, n]) => `${reason} ×${n}`)
    .join('; ');
}
