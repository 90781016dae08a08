/**
 * The risk lab's figures as text: a table for people, CSV for spreadsheets and JSON for programs.
 * The command line (`npm run sim -- risk`) and the page's copyable tables print the same rows.
 */
import { horizonSeconds, type RiskParameters } from './parameters';
import { sweepAxes, type PointSummary, type SweepAxis } from './sweep';

/** A proportion as a percentage with one decimal. */
export function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/** Seconds as a short duration: 45 s, 3.5 min, 2.0 h. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One line describing a parameter set. */
export function describeParameters(parameters: RiskParameters): string {
  const window = parameters.window;
  const windowText =
    window.kind === 'cut-off'
      ? `cut-off ${duration(window.seconds)}`
      : `watch lag median ${duration(window.medianSeconds)}, p95 ${duration(window.p95Seconds)}, over ${duration(horizonSeconds(window))}`;
  const attacker =
    parameters.attackerRestartsPerMinute > 0
      ? `, attacker restarts ${parameters.attackerRestartsPerMinute}/min`
      : '';
  return `${parameters.nodes} nodes, ${parameters.podsPerNode} pods per node, /${parameters.podCidrPrefix} per node (${parameters.ipamMode}), churn ${parameters.churnPerMinute}/min in rollouts of ${parameters.rolloutSize}, ${windowText}, ${parameters.admittedIdentities} admitted identit${parameters.admittedIdentities === 1 ? 'y' : 'ies'}${attacker}`;
}

/** A row of the flat table: one setup at one point. */
export interface ReportRow {
  axis: string;
  value: number;
  setup: string;
  label: string;
  trials: number;
  wrongAdmits: number;
  probability: number;
  lower: number;
  upper: number;
  analytic: number;
  attackerProbability: number;
  meanExposureSeconds: number | undefined;
  medianExposureSeconds: number | undefined;
  p95ExposureSeconds: number | undefined;
  expectedExposureSeconds: number;
}

/** The flat rows of a sweep's points. */
export function reportRows(axis: SweepAxis | 'point', points: readonly PointSummary[]): ReportRow[] {
  return points.flatMap((point) =>
    point.setups.map((setup) => ({
      axis,
      value: point.value,
      setup: setup.id,
      label: setup.label,
      trials: setup.trials,
      wrongAdmits: setup.wrongAdmits,
      probability: setup.probability.estimate,
      lower: setup.probability.lower,
      upper: setup.probability.upper,
      analytic: setup.analytic,
      attackerProbability: setup.attackerProbability.estimate,
      meanExposureSeconds: setup.exposure?.mean,
      medianExposureSeconds: setup.exposure?.median,
      p95ExposureSeconds: setup.exposure?.p95,
      expectedExposureSeconds: setup.expectedExposureSeconds,
    })),
  );
}

const csvColumns = [
  'axis',
  'value',
  'setup',
  'trials',
  'wrong_admits',
  'probability',
  'lower_95',
  'upper_95',
  'analytic',
  'attacker_probability',
  'mean_exposure_s',
  'median_exposure_s',
  'p95_exposure_s',
  'expected_exposure_s',
] as const;

const csvNumber = (value: number | undefined, digits = 4): string =>
  value === undefined ? '' : value.toFixed(digits);

/** CSV with a header line (RFC 4180: no field needs quoting here). */
export function formatCsv(rows: readonly ReportRow[]): string {
  const lines = rows.map((row) =>
    [
      row.axis,
      String(row.value),
      row.setup,
      String(row.trials),
      String(row.wrongAdmits),
      csvNumber(row.probability),
      csvNumber(row.lower),
      csvNumber(row.upper),
      csvNumber(row.analytic),
      csvNumber(row.attackerProbability),
      csvNumber(row.meanExposureSeconds, 1),
      csvNumber(row.medianExposureSeconds, 1),
      csvNumber(row.p95ExposureSeconds, 1),
      csvNumber(row.expectedExposureSeconds, 2),
    ].join(','),
  );
  return `${[csvColumns.join(','), ...lines].join('\n')}\n`;
}

/** Left-aligned columns separated by two spaces, as kubectl prints tables. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table a person reads. */
export function formatTable(
  axis: SweepAxis | 'point',
  parameters: RiskParameters,
  rows: readonly ReportRow[],
): string {
  const header =
    axis === 'point'
      ? ['SETUP']
      : [`${sweepAxes[axis].label.toUpperCase()} (${sweepAxes[axis].unit})`, 'SETUP'];
  const table: string[][] = [
    [...header, 'P(WRONG ADMIT)', '95 % INTERVAL', 'ANALYTIC', 'MEAN EXPOSURE', 'P95 EXPOSURE', 'TRIALS'],
  ];
  for (const row of rows)
    table.push([
      ...(axis === 'point' ? [] : [String(row.value)]),
      row.label,
      percent(row.probability),
      `${percent(row.lower)} – ${percent(row.upper)}`,
      percent(row.analytic),
      duration(row.meanExposureSeconds),
      duration(row.p95ExposureSeconds),
      String(row.trials),
    ]);
  return `Risk of a wrong admit: ${describeParameters(parameters)}${axis === 'point' ? '' : `; ${sweepAxes[axis].label.toLowerCase()} varies`}\n\n${alignColumns(table)}\n`;
}
