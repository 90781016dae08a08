/**
 * The risk lab's plots, drawn with Observable Plot. This module (and Plot with its d3 modules) is
 * loaded with `import()` only when a plot scrolls into view, so it never weighs on the page's first
 * load; the tables beside the plots carry the same numbers without it.
 */
import * as Plot from '@observablehq/plot';
import { axisValueText, distinctExposures, type SweepFigure } from './figures';

/** Where a reader clicked: a setup's point. */
export type PointHandler = (value: number, setup: string) => void;

/** P(wrong admit) against the swept parameter: a line and a 95 % band per setup, the approximation dashed. */
export function probabilityPlot(figure: SweepFigure, width: number, onPoint: PointHandler): Element {
  const labels = new Map(figure.setups.map((setup) => [setup.id, setup.label]));
  const data = figure.rows
    .filter((row) => row.trials > 0)
    .map((row) => ({ ...row, label: labels.get(row.setup) ?? row.setup }));
  const reference = figure.setups.find((setup) => setup.source === 'ipcache')?.id;
  const analytic = data.filter((row) => row.setup === reference);
  const chart = Plot.plot({
    width,
    height: 340,
    marginLeft: 52,
    marginBottom: 44,
    x: {
      type: figure.axis === 'cidr' ? 'linear' : 'log',
      label: `${figure.axisLabel} (${figure.unit}) →`,
      tickFormat: (value: number) => axisValueText(figure.axis, value),
    },
    y: { domain: [0, 1], label: '↑ P(wrong admit)', tickFormat: '%', grid: true },
    color: { legend: true, domain: figure.setups.map((setup) => setup.label) },
    marks: [
      Plot.ruleY([0]),
      Plot.areaY(data, { x: 'value', y1: 'lower', y2: 'upper', fill: 'label', fillOpacity: 0.12 }),
      Plot.line(data, { x: 'value', y: 'probability', stroke: 'label', strokeWidth: 2 }),
      Plot.line(analytic, {
        x: 'value',
        y: 'analytic',
        stroke: 'currentColor',
        strokeDasharray: '5,4',
        strokeWidth: 1.5,
      }),
      Plot.dot(data, {
        x: 'value',
        y: 'probability',
        fill: 'label',
        r: 4,
        title: (row: (typeof data)[number]) =>
          `${row.label}, ${axisValueText(figure.axis, row.value)}: ${(row.probability * 100).toFixed(1)} % (${(row.lower * 100).toFixed(1)}–${(row.upper * 100).toFixed(1)} %), ${row.trials} trials. Click to open a trial in the lab.`,
      }),
    ],
  });
  // Plot draws the dots in data order inside the group it labels "dot".
  chart.querySelectorAll('g[aria-label="dot"] circle').forEach((circle, index) => {
    const row = data[index];
    if (row === undefined) return;
    circle.setAttribute('style', 'cursor: pointer');
    circle.addEventListener('click', () => onPoint(row.value, row.setup));
  });
  return chart;
}

/** How long the wrong admits lasted at one point: a histogram per distinct distribution. */
export function exposurePlot(figure: SweepFigure, width: number): Element | undefined {
  const exposure = figure.exposure;
  if (exposure === undefined) return undefined;
  const groups = distinctExposures(figure);
  if (groups.length === 0) return undefined;
  const bars = groups.flatMap((group) =>
    group.counts.map((count, index) => ({
      group: group.label,
      from: index === 0 ? 0 : (exposure.edges[index - 1] ?? 0),
      to: exposure.edges[index] ?? 0,
      count,
    })),
  );
  return Plot.plot({
    width,
    height: 90 + 110 * groups.length,
    marginLeft: 52,
    x: { label: 'exposure (seconds) →' },
    y: { label: '↑ trials', grid: true },
    fy: { label: null },
    marks: [
      Plot.rectY(bars, {
        x1: 'from',
        x2: 'to',
        y: 'count',
        fy: 'group',
        fill: 'currentColor',
        fillOpacity: 0.6,
        inset: 1,
      }),
      Plot.ruleY([0]),
    ],
  });
}
