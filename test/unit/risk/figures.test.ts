// Goal: the risk page's data layer — the figures its plots and tables draw, the sweep runner that
// spreads batches over workers and stops early, and the pre-computed defaults — says the same as
// the models, so the page can be trusted before the plotting library is even loaded.
import { describe, expect, it } from 'vitest';
import {
  defaultRiskParameters,
  defaultSetupIds,
  defaultStopping,
  planSetups,
  sweepPoints,
  type SweepPlan,
} from '../../../src/simulator-risk';
import { runBatch, runSweep } from '../../../simulator/risk/sweep-batch';
import {
  distinctExposures,
  figureCsv,
  setupLine,
  sweepFigure,
  type DefaultFigures,
} from '../../../src/widgets/risk/figures';
import { SweepRunner, type SweepProgress, type SweepWorker } from '../../../src/widgets/risk/sweep-runner';
import type { BatchRequest, WorkerReply } from '../../../src/widgets/risk/sweep-protocol';
import defaults from '../../../src/widgets/risk/default-figures.json';

const plan = (changes: Partial<SweepPlan> = {}): SweepPlan => ({
  base: defaultRiskParameters,
  axis: 'churn',
  values: [5, 30],
  setupIds: ['cilium-1.12-wireguard', 'cilium-1.15-wireguard', 'istio-sidecar'],
  baseSeed: 3,
  ...defaultStopping,
  halfWidth: 0.05,
  ...changes,
});

/** A worker that runs its batches in this thread, replying on the next turn of the event loop. */
class InlineWorker implements SweepWorker {
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  postMessage(request: BatchRequest): void {
    setTimeout(() => {
      if (this.terminated) return;
      const batch = runBatch(
        request.point,
        planSetups(request.setupIds),
        request.baseSeed,
        request.firstTrial,
        request.count,
      );
      this.onmessage?.({
        data: { type: 'result', id: request.id, batch, elapsedMs: 0 },
      } as MessageEvent<WorkerReply>);
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

function runInline(sweep: SweepPlan, workers: number): Promise<SweepProgress> {
  return new Promise((resolve, reject) => {
    const runner = new SweepRunner(
      sweep,
      () => new InlineWorker(),
      workers,
      (progress) => {
        if (progress.finished) resolve(progress);
      },
      reject,
      () => 0,
      0,
    );
    runner.start();
  });
}

describe('risk page: the sweep runner', () => {
  it('risk page: runner: workers reach exactly the figures of one thread over the same trials', async () => {
    const sweep = plan({ halfWidth: 0, minTrials: 400, maxTrials: 400 });
    const progress = await runInline(sweep, 3);
    const serial = runSweep(sweep);
    expect(progress.points.map((point) => point.setups.map((setup) => setup.wrongAdmits))).toEqual(
      serial.map((point) => point.setups.map((setup) => setup.wrongAdmits)),
    );
    expect(progress.trials).toBe(800);
  });

  it('risk page: runner: every point stops once its intervals are narrow enough', async () => {
    const progress = await runInline(plan(), 2);
    expect(progress.complete).toBe(true);
    for (const point of progress.points) {
      expect(point.done).toBe(true);
      for (const setup of point.setups)
        expect(setup.probability.upper - setup.probability.lower).toBeLessThanOrEqual(0.1);
    }
  });

  it('risk page: runner: a stopped sweep reports what it has and is not complete', async () => {
    const progress = await new Promise<SweepProgress>((resolve) => {
      const runner = new SweepRunner(
        plan({ halfWidth: 0.001 }),
        () => new InlineWorker(),
        2,
        (update) => {
          if (update.finished) resolve(update);
          else if (update.trials > 0) runner.stop();
        },
        () => undefined,
        () => 0,
        0,
      );
      runner.start();
    });
    expect(progress.complete).toBe(false);
    expect(progress.trials).toBeGreaterThan(0);
  });
});

describe('risk page: figures', () => {
  it('risk page: figures: a row per point and setup, immune setups open the same seed as a vulnerable one', () => {
    const sweep = plan({ values: [30] });
    const setups = planSetups(sweep.setupIds);
    const point = sweepPoints(sweep)[0]!;
    const figure = sweepFigure(
      'churn',
      sweep.setupIds,
      runSweep({ ...sweep, minTrials: 300, maxTrials: 300 }),
      30,
    );
    expect(figure.rows).toHaveLength(setups.length);
    const vulnerable = figure.rows.find((row) => row.setup === 'cilium-1.12-wireguard')!;
    const immune = figure.rows.find((row) => row.setup === 'istio-sidecar')!;
    expect(vulnerable.probability).toBeGreaterThan(0);
    expect(immune.probability).toBe(0);
    expect(immune.exampleSeed).toBe(vulnerable.exampleSeed);
    expect(point.value).toBe(30);
    expect(figureCsv(figure).split('\n')[0]).toBe(
      'axis,value,setup,trials,probability,lower_95,upper_95,analytic,mean_exposure_s,p95_exposure_s',
    );
  });

  it('risk page: figures: setups with identical exposure share one histogram', () => {
    const sweep = plan({
      values: [30],
      setupIds: ['cilium-1.12-wireguard', 'cilium-1.15-native-routing', 'istio-ambient'],
    });
    const figure = sweepFigure(
      'churn',
      sweep.setupIds,
      runSweep({ ...sweep, minTrials: 300, maxTrials: 300 }),
      30,
    );
    const groups = distinctExposures(figure);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.setups).toEqual(['cilium-1.12-wireguard', 'cilium-1.15-native-routing']);
  });
});

describe('risk page: the pre-computed defaults', () => {
  const figures = defaults as DefaultFigures;
  it('risk page: defaults: computed for the default parameters and setups', () => {
    expect(figures.parameters).toEqual(defaultRiskParameters);
    expect(figures.setupIds).toEqual(defaultSetupIds);
  });

  it.each(['churn', 'cidr', 'window'] as const)(
    'risk page: defaults: the %s sweep is within ±2 %% and zero where the receiver does not read its ipcache',
    (axis) => {
      const figure = figures.figures[axis];
      for (const setup of figure.setups) {
        const line = setupLine(figure, setup.id);
        expect(line.length).toBeGreaterThan(5);
        for (const row of line) {
          expect((row.upper - row.lower) / 2).toBeLessThanOrEqual(0.021);
          if (setup.source !== 'ipcache') expect(row.probability).toBe(0);
        }
      }
    },
  );
});
