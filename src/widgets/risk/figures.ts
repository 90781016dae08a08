/**
 * A sweep's figures in the shape the plots and tables draw: one row per point and setup, and the
 * exposure distribution of one point in bins. The page's pre-computed defaults are stored in this
 * shape (`default-figures.json`, written by `scripts/risk-figures.ts`), so the static tables, the
 * plots and a live sweep all render the same data.
 */
import {
  histogram,
  receiverModel,
  riskSetup,
  sweepAxes,
  type PointSummary,
  type SweepAxis,
} from '../../simulator-risk';

export interface FigureSetup {
  id: string;
  label: string;
  /** Where its receiver takes the source identity from. */
  source: string;
}

export interface FigureRow {
  value: number;
  setup: string;
  trials: number;
  probability: number;
  lower: number;
  upper: number;
  analytic: number;
  meanExposureSeconds: number | null;
  p95ExposureSeconds: number | null;
  /** A trial of this point to open in the lab (one with a wrong admit when there is one). */
  exampleSeed: number;
}

export interface ExposureFigure {
  /** The point's value on the axis. */
  value: number;
  /** Upper edges of the bins, in seconds. */
  edges: number[];
  /** Per setup with wrong admits, trials per bin. */
  counts: { setup: string; counts: number[] }[];
}

export interface SweepFigure {
  axis: SweepAxis;
  axisLabel: string;
  unit: string;
  setups: FigureSetup[];
  rows: FigureRow[];
  exposure: ExposureFigure | undefined;
}

const exposureBins = 12;

/** A setup's description for legends and tables. */
function figureSetup(id: string): FigureSetup {
  const setup = riskSetup(id);
  if (setup === undefined) return { id, label: id, source: 'unknown' };
  return { id, label: setup.label, source: receiverModel(setup).source };
}

/** The exposure distribution of one point. */
function exposureFigure(point: PointSummary, horizonSeconds: number): ExposureFigure {
  const edges = Array.from(
    { length: exposureBins },
    (_, index) => ((index + 1) * horizonSeconds) / exposureBins,
  );
  return {
    value: point.value,
    edges,
    counts: point.setups
      .filter((setup) => setup.wrongAdmits > 0)
      .map((setup) => ({
        setup: setup.id,
        counts: histogram(setup.exposuresSeconds, horizonSeconds, exposureBins),
      })),
  };
}

/** The figure of a sweep's points; `exposureAt` picks the point whose exposures are binned. */
export function sweepFigure(
  axis: SweepAxis,
  setupIds: readonly string[],
  points: readonly PointSummary[],
  exposureAt: number | undefined,
): SweepFigure {
  const rows: FigureRow[] = points.flatMap((point) => {
    // An immune setup's trial opens the same seed as a vulnerable one's: the same stale entry, refused.
    const anyExample = point.setups.find((setup) => setup.exampleSeeds.length > 0)?.exampleSeeds[0];
    return point.setups.map((setup) => ({
      value: point.value,
      setup: setup.id,
      trials: setup.trials,
      probability: setup.probability.estimate,
      lower: setup.probability.lower,
      upper: setup.probability.upper,
      analytic: setup.analytic,
      meanExposureSeconds: setup.exposure?.mean ?? null,
      p95ExposureSeconds: setup.exposure?.p95 ?? null,
      exampleSeed: setup.exampleSeeds[0] ?? anyExample ?? point.firstSeed,
    }));
  });
  const chosen =
    points.find((point) => point.value === exposureAt) ?? points.find((point) => point.trials > 0);
  const horizon = chosen === undefined ? 0 : horizonOf(chosen);
  return {
    axis,
    axisLabel: sweepAxes[axis].label,
    unit: sweepAxes[axis].unit,
    setups: setupIds.map(figureSetup),
    rows,
    exposure: chosen === undefined || horizon <= 0 ? undefined : exposureFigure(chosen, horizon),
  };
}

function horizonOf(point: PointSummary): number {
  const window = point.parameters.window;
  return window.kind === 'cut-off' ? window.seconds : window.horizonSeconds;
}

/** The rows of one setup, in axis order (a line of a plot). */
export function setupLine(figure: SweepFigure, setup: string): FigureRow[] {
  return figure.rows.filter((row) => row.setup === setup).sort((a, b) => a.value - b.value);
}

/** The points of a figure, in axis order. */
export function figureValues(figure: SweepFigure): number[] {
  return [...new Set(figure.rows.map((row) => row.value))].sort((a, b) => a - b);
}

/** The row of a setup at a point. */
export function figureRow(figure: SweepFigure, value: number, setup: string): FigureRow | undefined {
  return figure.rows.find((row) => row.value === value && row.setup === setup);
}

/** How the axis value reads in a table. */
export function axisValueText(axis: SweepAxis, value: number): string {
  if (axis === 'cidr') return `/${value}`;
  if (axis === 'window') return value < 120 ? `${value} s` : `${value / 60} min`;
  return `${value}/min`;
}

/** Setups whose exposure distributions are identical share one histogram, named after all of them. */
export function distinctExposures(
  figure: SweepFigure,
): { label: string; setups: string[]; counts: number[] }[] {
  const groups: { label: string; setups: string[]; counts: number[] }[] = [];
  for (const entry of figure.exposure?.counts ?? []) {
    const label = figure.setups.find((setup) => setup.id === entry.setup)?.label ?? entry.setup;
    const same = groups.find((group) => group.counts.join() === entry.counts.join());
    if (same === undefined) groups.push({ label, setups: [entry.setup], counts: entry.counts });
    else {
      same.setups.push(entry.setup);
      same.label = `${same.label}; ${label}`;
    }
  }
  return groups;
}

/** The page's pre-computed figures: the default parameters swept along each axis. */
export interface DefaultFigures {
  parameters: import('../../simulator-risk').RiskParameters;
  setupIds: string[];
  baseSeed: number;
  halfWidth: number;
  figures: Record<SweepAxis, SweepFigure>;
}

/** A figure's rows as CSV, for copying into a spreadsheet. */
export function figureCsv(figure: SweepFigure): string {
  const header =
    'axis,value,setup,trials,probability,lower_95,upper_95,analytic,mean_exposure_s,p95_exposure_s';
  const number = (value: number | null, digits: number): string =>
    value === null ? '' : value.toFixed(digits);
  const lines = figure.rows.map((row) =>
    [
      figure.axis,
      row.value,
      row.setup,
      row.trials,
      number(row.probability, 4),
      number(row.lower, 4),
      number(row.upper, 4),
      number(row.analytic, 4),
      number(row.meanExposureSeconds, 1),
      number(row.p95ExposureSeconds, 1),
    ].join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}
