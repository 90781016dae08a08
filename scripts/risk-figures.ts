/**
 * Writes src/widgets/risk/default-figures.json: the risk lab's default cluster swept along each axis
 * (churn, pod CIDR size, window) to ±2 % at 95 %, which the page shows before any JavaScript runs.
 *
 *   npx tsx scripts/risk-figures.ts
 *
 * Run it again when the reduced model or the defaults change.
 */
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import {
  checkRiskParameters,
  defaultRiskParameters,
  defaultSetupIds,
  defaultStopping,
  sweepAxes,
  type SweepAxis,
} from '../src/simulator-risk';
import { runSweep } from '../simulator/risk/sweep-batch';
import { sweepFigure, type DefaultFigures, type SweepFigure } from '../src/widgets/risk/figures';

const baseSeed = 1;
const figures = {} as Record<SweepAxis, SweepFigure>;
for (const axis of Object.keys(sweepAxes) as SweepAxis[]) {
  const values = sweepAxes[axis].values.filter(
    (value) => checkRiskParameters(sweepAxes[axis].at(defaultRiskParameters, value)).length === 0,
  );
  const started = performance.now();
  const points = runSweep({
    base: defaultRiskParameters,
    axis,
    values,
    setupIds: defaultSetupIds,
    baseSeed,
    ...defaultStopping,
  });
  const own =
    axis === 'churn'
      ? defaultRiskParameters.churnPerMinute
      : axis === 'cidr'
        ? defaultRiskParameters.podCidrPrefix
        : 300;
  const figure = sweepFigure(axis, defaultSetupIds, points, own);
  // Three decimals are plenty for figures drawn to ±2 %, and keep the page light.
  for (const row of figure.rows)
    for (const key of ['probability', 'lower', 'upper', 'analytic'] as const)
      row[key] = Math.round(row[key] * 1000) / 1000;
  for (const row of figure.rows)
    for (const key of ['meanExposureSeconds', 'p95ExposureSeconds'] as const)
      if (row[key] !== null) row[key] = Math.round(row[key] * 10) / 10;
  figures[axis] = figure;
  console.log(
    `${axis}: ${points.reduce((sum, point) => sum + point.trials, 0)} trials in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
const output: DefaultFigures = {
  parameters: defaultRiskParameters,
  setupIds: [...defaultSetupIds],
  baseSeed,
  halfWidth: defaultStopping.halfWidth,
  figures,
};
const target = new URL('../src/widgets/risk/default-figures.json', import.meta.url);
// Written as Prettier would format it, so `npm run lint` accepts the generated file as it is.
const config = (await resolveConfig(target.pathname)) ?? {};
writeFileSync(target, await format(JSON.stringify(output), { ...config, parser: 'json' }));
console.log('wrote src/widgets/risk/default-figures.json');
