/**
 * Running a sweep's trials: a batch of consecutive seeds at one point (what a Web Worker does), or a
 * whole sweep in this thread (the command line and the tests).
 */
import { judgeTrial } from './judge';
import { runReducedTrial } from './reduced-model';
import type { RiskSetup } from './setups';
import {
  PointAccumulator,
  examplesKept,
  planSetups,
  sweepPoints,
  trialSeed,
  type BatchResult,
  type PointSummary,
  type SetupTally,
  type SweepPlan,
  type SweepPoint,
} from './sweep';

export { planSetups };

/** Runs `count` trials of one point and tallies them for every setup. */
export function runBatch(
  point: SweepPoint,
  setups: readonly RiskSetup[],
  baseSeed: number,
  firstTrial: number,
  count: number,
): BatchResult {
  const tallies: SetupTally[] = setups.map((setup) => ({
    id: setup.id,
    wrongAdmits: 0,
    attackerAdmits: 0,
    exposuresMs: [],
    firstMs: [],
    exampleSeeds: [],
  }));
  for (let trial = firstTrial; trial < firstTrial + count; trial++) {
    const seed = trialSeed(baseSeed, point.index, trial);
    const record = runReducedTrial(point.parameters, seed);
    setups.forEach((setup, index) => {
      const verdict = judgeTrial(record, setup, point.parameters.admittedIdentities);
      const tally = tallies[index]!;
      if (!verdict.wrongAdmit) return;
      tally.wrongAdmits += 1;
      if (verdict.attacker) tally.attackerAdmits += 1;
      tally.exposuresMs.push(verdict.exposureMs);
      tally.firstMs.push(verdict.firstMs ?? 0);
      if (tally.exampleSeeds.length < examplesKept) tally.exampleSeeds.push(seed);
    });
  }
  return {
    point: point.index,
    firstTrial,
    trials: count,
    setups: tallies,
    firstSeed: trialSeed(baseSeed, point.index, firstTrial),
  };
}

/**
 * Runs a whole sweep in this thread, batch by batch, point after point (the command line and the
 * tests; the browser spreads the same batches over workers). `onPoint` sees each finished point.
 */
export function runSweep(plan: SweepPlan, onPoint?: (summary: PointSummary) => void): PointSummary[] {
  const setups = planSetups(plan.setupIds);
  return sweepPoints(plan).map((point) => {
    const accumulator = new PointAccumulator(point, setups);
    while (!accumulator.done(plan)) {
      const count = Math.min(plan.batchSize, plan.maxTrials - accumulator.trials);
      accumulator.add(runBatch(point, setups, plan.baseSeed, accumulator.trials, count));
    }
    const summary = accumulator.summary(plan);
    onPoint?.(summary);
    return summary;
  });
}
