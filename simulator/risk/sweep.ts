/**
 * Sweeps: one parameter varied over a range of points, the others held, many trials per point. A
 * sweep runs in batches (a Web Worker per core in the browser, a loop on the command line), each
 * batch a run of consecutive trial seeds at one point (`sweep-batch.ts`), and a point stops once
 * every setup's Wilson interval is narrow enough. This module plans and aggregates; it runs no
 * trial, so the page's main thread can use it without loading the model.
 */
import { analyticWrongAdmitProbability } from './analytic';
import { withParameters, type RiskParameters, type RiskWindow } from './parameters';
import { receiverModel, riskSetup, type RiskSetup } from './setups';
import { quantile, wilsonHalfWidth, wilsonInterval, type ProportionInterval } from './statistics';

/** The parameter a sweep varies. */
export type SweepAxis = 'churn' | 'cidr' | 'window';

export interface AxisDefinition {
  label: string;
  unit: string;
  /** The default points. */
  values: readonly number[];
  /** The parameters at one point. */
  at: (base: RiskParameters, value: number) => RiskParameters;
}

function windowAt(window: RiskWindow, seconds: number): RiskWindow {
  if (window.kind === 'cut-off') return { kind: 'cut-off', seconds };
  // A lag sweep moves the median and keeps the spread (p95 / median).
  return {
    ...window,
    medianSeconds: seconds,
    p95Seconds: (seconds * window.p95Seconds) / window.medianSeconds,
  };
}

export const sweepAxes: Record<SweepAxis, AxisDefinition> = {
  churn: {
    label: 'Churn',
    unit: 'pod restarts per minute',
    values: [1, 2, 5, 10, 15, 20, 30, 45, 60, 90],
    at: (base, value) => withParameters(base, { churnPerMinute: value }),
  },
  cidr: {
    label: 'Pod CIDR per node',
    unit: 'prefix length',
    values: [20, 21, 22, 23, 24, 25, 26, 27, 28],
    at: (base, value) => withParameters(base, { podCidrPrefix: value }),
  },
  window: {
    label: 'Window',
    unit: 'seconds (cut-off, or median lag)',
    values: [15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600],
    at: (base, value) => withParameters(base, { window: windowAt(base.window, value) }),
  },
};

/** What a sweep runs. */
export interface SweepPlan {
  base: RiskParameters;
  axis: SweepAxis;
  values: readonly number[];
  setupIds: readonly string[];
  baseSeed: number;
  /** Stop a point when every setup's 95 % Wilson half-width is at most this. */
  halfWidth: number;
  minTrials: number;
  maxTrials: number;
  batchSize: number;
}

/** The default sweep's stopping rule: ±2 % at 95 %. */
export const defaultStopping = { halfWidth: 0.02, minTrials: 200, maxTrials: 5000, batchSize: 250 } as const;

/** One point of a sweep. */
export interface SweepPoint {
  index: number;
  value: number;
  parameters: RiskParameters;
}

export function sweepPoints(plan: Pick<SweepPlan, 'base' | 'axis' | 'values'>): SweepPoint[] {
  const axis = sweepAxes[plan.axis];
  return plan.values.map((value, index) => ({ index, value, parameters: axis.at(plan.base, value) }));
}

/** The seed of a sweep's trial: distinct per point and trial, the same on every machine. */
export function trialSeed(baseSeed: number, point: number, trial: number): number {
  return (Math.imul(baseSeed, 0x9e3779b1) + Math.imul(point + 1, 0x85ebca6b) + trial) >>> 0;
}

/** A setup's tallies over some trials. */
export interface SetupTally {
  id: string;
  wrongAdmits: number;
  attackerAdmits: number;
  /** Exposure of each trial with a wrong admit, in ms. */
  exposuresMs: number[];
  /** When each of those trials' first wrong admit became possible, in ms. */
  firstMs: number[];
  /** Seeds of the first few trials with a wrong admit (to open in the lab). */
  exampleSeeds: number[];
}

/** The tallies of consecutive trials at one point. */
export interface BatchResult {
  point: number;
  firstTrial: number;
  trials: number;
  setups: SetupTally[];
  /** The first trial's seed, to open a trial that let nobody in. */
  firstSeed: number;
}

/** How many seeds of wrong-admit trials a tally keeps, to open in the lab. */
export const examplesKept = 5;

/** One setup's figures at one point. */
export interface SetupSummary {
  id: string;
  label: string;
  trials: number;
  wrongAdmits: number;
  probability: ProportionInterval;
  /**
   * The closed-form approximation for this setup: the chance of an incident where the receiver
   * reads its ipcache, and zero where it learns the sender elsewhere.
   */
  analytic: number;
  /** Wrong admits by the attacker's own pod, as a share of all trials. */
  attackerProbability: ProportionInterval;
  /** Exposure of the trials with a wrong admit, in seconds. */
  exposure: { mean: number; median: number; p95: number } | undefined;
  /** Mean exposure over all trials (zero where nobody got in), in seconds. */
  expectedExposureSeconds: number;
  exposuresSeconds: number[];
  exampleSeeds: number[];
}

/** A point's figures. */
export interface PointSummary {
  index: number;
  value: number;
  parameters: RiskParameters;
  trials: number;
  analytic: number;
  setups: SetupSummary[];
  firstSeed: number;
  done: boolean;
}

/** Collects a point's batches in any order. */
export class PointAccumulator {
  trials = 0;
  private readonly tallies = new Map<string, SetupTally>();
  private firstSeed: number | undefined;
  /** The last summary, kept until a batch changes it (a page re-renders many times per batch). */
  private cached: PointSummary | undefined;
  readonly analytic: number;

  constructor(
    readonly point: SweepPoint,
    readonly setups: readonly RiskSetup[],
  ) {
    this.analytic = analyticWrongAdmitProbability(point.parameters);
    for (const setup of setups)
      this.tallies.set(setup.id, {
        id: setup.id,
        wrongAdmits: 0,
        attackerAdmits: 0,
        exposuresMs: [],
        firstMs: [],
        exampleSeeds: [],
      });
  }

  add(batch: BatchResult): void {
    this.cached = undefined;
    this.trials += batch.trials;
    if (batch.firstTrial === 0) this.firstSeed = batch.firstSeed;
    for (const tally of batch.setups) {
      const total = this.tallies.get(tally.id);
      if (total === undefined) continue;
      total.wrongAdmits += tally.wrongAdmits;
      total.attackerAdmits += tally.attackerAdmits;
      total.exposuresMs.push(...tally.exposuresMs);
      total.firstMs.push(...tally.firstMs);
      for (const seed of tally.exampleSeeds)
        if (total.exampleSeeds.length < examplesKept) total.exampleSeeds.push(seed);
    }
  }

  /** Whether the point has enough trials under a stopping rule. */
  done(rule: Pick<SweepPlan, 'halfWidth' | 'minTrials' | 'maxTrials'>): boolean {
    if (this.trials >= rule.maxTrials) return true;
    if (this.trials < rule.minTrials) return false;
    for (const tally of this.tallies.values())
      if (wilsonHalfWidth(tally.wrongAdmits, this.trials) > rule.halfWidth) return false;
    return true;
  }

  summary(rule: Pick<SweepPlan, 'halfWidth' | 'minTrials' | 'maxTrials'>): PointSummary {
    if (this.cached !== undefined && this.cached.done === this.done(rule)) return this.cached;
    this.cached = {
      index: this.point.index,
      value: this.point.value,
      parameters: this.point.parameters,
      trials: this.trials,
      analytic: this.analytic,
      setups: this.setups.map((setup) =>
        summarise(setup, this.tallies.get(setup.id)!, this.trials, this.analytic),
      ),
      firstSeed: this.firstSeed ?? 0,
      done: this.done(rule),
    };
    return this.cached;
  }
}

function summarise(setup: RiskSetup, tally: SetupTally, trials: number, analytic: number): SetupSummary {
  // A typed array sorts numerically without a comparator, several times faster: a page summarises
  // while its sweep runs.
  const seconds = Array.from(Float64Array.from(tally.exposuresMs, (ms) => ms / 1000).sort());
  const total = seconds.reduce((sum, value) => sum + value, 0);
  return {
    id: setup.id,
    label: setup.label,
    trials,
    wrongAdmits: tally.wrongAdmits,
    probability: wilsonInterval(tally.wrongAdmits, trials),
    analytic: receiverModel(setup).source === 'ipcache' ? analytic : 0,
    attackerProbability: wilsonInterval(tally.attackerAdmits, trials),
    exposure:
      seconds.length === 0
        ? undefined
        : {
            mean: total / seconds.length,
            median: quantile(seconds, 0.5) ?? 0,
            p95: quantile(seconds, 0.95) ?? 0,
          },
    expectedExposureSeconds: trials === 0 ? 0 : total / trials,
    exposuresSeconds: seconds,
    exampleSeeds: tally.exampleSeeds,
  };
}

/** The setups of a plan, in its order. */
export function planSetups(setupIds: readonly string[]): RiskSetup[] {
  return setupIds.map((id) => {
    const setup = riskSetup(id);
    if (setup === undefined) throw new RangeError(`unknown setup ${id}`);
    return setup;
  });
}
