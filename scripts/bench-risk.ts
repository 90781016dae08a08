/**
 * Benchmarks of the risk lab: reduced-model trials per second on one core (Node, bundled as the
 * site ships it, and in headless Chromium), and the default sweep (6 setups × 10 churn points, each
 * to ±2 % at 95 %) on Chromium's Web Workers. Prints figures; BENCHMARKS.md records them with the
 * machine, the date and the load average (the machine is shared).
 *
 *   npm run bench:risk
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { defaultRiskParameters } from '../simulator/risk/parameters';
import { runReducedTrial } from '../simulator/risk/reduced-model';
import { headlessChromiumFlags, locateChromium } from './find-chromium.mjs';

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
console.log(
  `Risk lab benchmarks — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${load()}\n`,
);

// 1. Trials per second on one core in Node: best of five runs of 3,000 trials after a warm-up.
{
  for (let seed = 1; seed <= 500; seed++) runReducedTrial(defaultRiskParameters, seed);
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    for (let seed = 1; seed <= 3000; seed++) runReducedTrial(defaultRiskParameters, seed);
    rates.push(3000 / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => b - a);
  console.log(
    `trials per second, one core, Node (default parameters)      best ${rates[0]?.toFixed(0)}, median ${rates[2]?.toFixed(0)} (load ${load()})`,
  );
}

// 2. In Chromium: trials on the page's thread, then the default sweep on workers.
const executablePath = locateChromium();
if (executablePath === undefined) console.log('Chromium: skipped (no Chromium found; set CHROME_PATH)');
else {
  const bundle = async (entry: string): Promise<string> => {
    const result = await build({
      entryPoints: [resolve(entry)],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      write: false,
      logLevel: 'warning',
    });
    const text = result.outputFiles[0]?.text;
    if (text === undefined) throw new Error(`esbuild produced no bundle for ${entry}`);
    return text;
  };
  const [page, worker] = await Promise.all([
    bundle('scripts/bench-risk-entry.ts'),
    bundle('scripts/bench-risk-worker.ts'),
  ]);
  const browser = await chromium.launch({ executablePath, args: headlessChromiumFlags });
  try {
    const tab = await browser.newPage();
    await tab.addScriptTag({ content: page });
    type Bench = {
      trialsPerSecond: (n: number) => number;
      defaultSweep: (source: string) => Promise<{ seconds: number; trials: number; workers: number }>;
    };
    await tab.evaluate(() => (globalThis as unknown as { riskBench: Bench }).riskBench.trialsPerSecond(500));
    const rates: number[] = [];
    for (let run = 0; run < 5; run++)
      rates.push(
        await tab.evaluate(() =>
          (globalThis as unknown as { riskBench: Bench }).riskBench.trialsPerSecond(3000),
        ),
      );
    rates.sort((a, b) => b - a);
    console.log(
      `trials per second, one core, Chromium ${browser.version().split('.')[0] ?? ''}                     best ${rates[0]?.toFixed(0)}, median ${rates[2]?.toFixed(0)} (load ${load()})`,
    );
    const sweeps: string[] = [];
    for (let run = 0; run < 3; run++) {
      const sweep = await tab.evaluate(
        (source) => (globalThis as unknown as { riskBench: Bench }).riskBench.defaultSweep(source),
        worker,
      );
      sweeps.push(
        `${sweep.seconds.toFixed(1)} s (${sweep.trials.toLocaleString('en')} trials, ${sweep.workers} workers, load ${load()})`,
      );
    }
    console.log(`default sweep in Chromium (6 setups × 10 points, ±2 % at 95 %) ${sweeps.join('; ')}`);
  } finally {
    await browser.close();
  }
}
