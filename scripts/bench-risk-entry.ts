/**
 * What the risk benchmark runs in a Chromium page: trials on the page's own thread, and the default
 * sweep through the site's sweep runner on `navigator.hardwareConcurrency` workers.
 */
import { defaultRiskParameters, defaultSetupIds, defaultStopping, sweepAxes } from '../src/simulator-risk';
import { runReducedTrial } from '../simulator/risk/reduced-model';
import { SweepRunner, type SweepProgress } from '../src/widgets/risk/sweep-runner';

function trialsPerSecond(trials: number): number {
  const started = performance.now();
  for (let seed = 1; seed <= trials; seed++) runReducedTrial(defaultRiskParameters, seed);
  return (trials / (performance.now() - started)) * 1000;
}

function defaultSweep(workerSource: string): Promise<{ seconds: number; trials: number; workers: number }> {
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  const workers = navigator.hardwareConcurrency || 2;
  return new Promise((resolve, reject) => {
    const runner = new SweepRunner(
      {
        base: defaultRiskParameters,
        axis: 'churn',
        values: sweepAxes.churn.values,
        setupIds: defaultSetupIds,
        baseSeed: 1,
        ...defaultStopping,
      },
      () => new Worker(url),
      workers,
      (progress: SweepProgress) => {
        if (progress.finished)
          resolve({ seconds: progress.elapsedMs / 1000, trials: progress.trials, workers });
      },
      (message) => reject(new Error(message)),
    );
    runner.start();
  });
}

(globalThis as unknown as { riskBench: unknown }).riskBench = { trialsPerSecond, defaultSweep };
