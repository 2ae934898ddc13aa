// The closing table: every figure per broker, the ratios octomesh/mosquitto and
// octomesh/aedes, and the targets of issue 3 marked met or MISSED.
import { formatRatio, printNote, printSection } from '../support/report.ts';
import type { BrokerName } from './brokers.ts';
import type { Measurement } from './measurement.ts';

/** The targets of issue 3 a row can carry. */
export const Targets = {
  /** At least as many msg/s as mosquitto. */
  mosquitto: 'mosquitto',
  /** 2× aedes: twice the rate, or half the latency / memory. */
  twiceAedes: '2x-aedes',
  /** Under 4 KB per idle connection. */
  under4k: 'under-4k',
  /** The broker process survives. */
  survives: 'survives',
} as const;
/** One of {@link Targets}. */
export type Target = (typeof Targets)[keyof typeof Targets];

/** One line of the summary. */
export interface MetricRow {
  readonly key: string;
  readonly label: string;
  /** rate: higher is better; latency and memory: lower is better; survival: 1 or 0. */
  readonly kind: 'rate' | 'latency' | 'memory' | 'survival';
  readonly targets: readonly Target[];
}

const IDLE_BYTES_TARGET = 4096;

function judge(
  row: MetricRow,
  target: Target,
  o: number,
  m: number | undefined,
  a: number | undefined,
): string | undefined {
  const higher = row.kind === 'rate';
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  if (!Number.isFinite(o)) return `${target}: n/a`;
  switch (target) {
    case 'mosquitto':
      return m === undefined || !Number.isFinite(m) ? undefined : `≥ mosquitto ${verdict(o >= m)}`;
    case '2x-aedes':
      if (a === undefined || !Number.isFinite(a)) return undefined;
      return higher ? `≥ 2× aedes ${verdict(o >= 2 * a)}` : `≤ ½ aedes ${verdict(o <= a / 2)}`;
    case 'under-4k':
      return `< 4 KB ${verdict(o < IDLE_BYTES_TARGET)}`;
    case 'survives':
      return `survives ${verdict(o === 1)}`;
  }
}

/** Prints the table, the missed targets and every defect; false when Octomesh had a defect. */
export function printSummary(
  rows: readonly MetricRow[],
  results: ReadonlyMap<string, ReadonlyMap<BrokerName, Measurement>>,
  brokers: readonly BrokerName[],
  wallSeconds: number,
): boolean {
  printSection(`summary (${wallSeconds.toFixed(0)} s of measuring)`);
  const header = [
    'figure'.padEnd(38),
    ...brokers.map((b) => b.padStart(11)),
    ...(brokers.includes('octomesh')
      ? brokers.filter((b) => b !== 'octomesh').map((b) => `o/${b[0]}`.padStart(6))
      : []),
    '  targets (issue 3)',
  ];
  printNote(header.join(' '));
  const missed: string[] = [];
  const defects: string[] = [];
  let octomeshClean = true;
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.key)) continue;
    seen.add(row.key);
    const byBroker = results.get(row.key);
    const value = (b: BrokerName) => byBroker?.get(b)?.value;
    const o = value('octomesh');
    const cells = brokers.map((b) => (byBroker?.get(b)?.cell ?? '-').padStart(11));
    const ratios =
      o === undefined || row.kind === 'survival'
        ? brokers.filter((b) => b !== 'octomesh').map(() => ''.padStart(6))
        : brokers
            .filter((b) => b !== 'octomesh')
            .map((b) => formatRatio(o, value(b) ?? Number.NaN).padStart(6));
    const verdicts =
      o === undefined
        ? []
        : row.targets
            .map((t) => judge(row, t, o, value('mosquitto'), value('aedes')))
            .filter((v): v is string => v !== undefined);
    for (const v of verdicts) if (v.endsWith('MISSED')) missed.push(`${row.label}: ${v}`);
    printNote(
      [
        row.label.padEnd(38),
        ...cells,
        ...(brokers.includes('octomesh') ? ratios : []),
        `  ${verdicts.join(', ')}`,
      ].join(' '),
    );
    for (const b of brokers) {
      for (const d of byBroker?.get(b)?.defects ?? []) {
        defects.push(`${b}, ${row.label}: ${d}`);
        if (b === 'octomesh') octomeshClean = false;
      }
    }
  }
  printNote(
    'ratios: octomesh / peer (rates: higher is better for octomesh; ms and bytes: lower is)',
  );
  printSection('targets missed');
  printNote(missed.length === 0 ? 'none' : missed.join('\n   '));
  printSection('losses, refusals, disconnects, crashes');
  printNote(defects.length === 0 ? 'none' : defects.join('\n   '));
  return octomeshClean;
}
