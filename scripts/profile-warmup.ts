/**
 * How a fresh Web Worker warms up to the replay: the time of each consecutive replay of the
 * benchmarks' 100,000-event churn in one new worker in headless Chromium (the budget in
 * scripts/budgets.ts times the 5th to 11th), then, on a page with V8's deoptimization log on, the
 * deoptimizations that still happen from a given replay on, with the function, V8's reason and the
 * bundle's source line. A "wrong map" there means a site met an object or array of a shape it had
 * not seen; each costs a slower replay while V8 optimizes the function again.
 *
 *   npm run profile:warmup [-- --replays 20] [-- --from 4]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { replayBundle } from './bench-browser';
import { churnRun } from './churn-run';
import { headlessChromiumFlags, locateChromium } from './find-chromium.mjs';
import { readDeopts } from './v8-deopt-log';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}
const replays = option('replays', 20);
const from = option('from', 4);

const executablePath = locateChromium();
if (executablePath === undefined) throw new Error('no Chromium found (set CHROME_PATH)');
const bundled = await replayBundle();
if (bundled === undefined) throw new Error('esbuild produced no bundle');
const script: string = bundled;
const steps = churnRun(100_000, false).steps;

/** Replays once per request in a new worker of `page`; returns each replay's time. */
async function workerCurve(page: Page): Promise<number[]> {
  const shim = `let steps; onmessage = (event) => {
    if (event.data.steps !== undefined) { steps = event.data.steps; postMessage('ready'); return; }
    postMessage(identityLabReplay(steps, 1).times[0]); };`;
  await page.evaluate(
    ([source, timeline]) =>
      new Promise<void>((done) => {
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        (globalThis as unknown as { warmupWorker: Worker }).warmupWorker = worker;
        worker.onmessage = () => done();
        worker.postMessage({ steps: timeline });
      }),
    [script + shim, steps] as const,
  );
  const times: number[] = [];
  for (let run = 0; run < replays; run++)
    times.push(
      await page.evaluate(
        () =>
          new Promise<number>((done) => {
            const worker = (globalThis as unknown as { warmupWorker: Worker }).warmupWorker;
            worker.onmessage = (event: MessageEvent<number>) => done(event.data);
            worker.postMessage({ replay: true });
          }),
      ),
    );
  return times;
}

const browser = await chromium.launch({ executablePath, args: headlessChromiumFlags });
try {
  const times = await workerCurve(await browser.newPage());
  console.log(`replays in a fresh worker, ms: ${times.map(Math.round).join(' ')}`);
} finally {
  await browser.close();
}

// The page's replays, each announced by calling a function named after it, which V8 logs when it
// compiles it: the log's timestamps then tell which replay a deoptimization happened in.
const logDirectory = mkdtempSync(join(tmpdir(), 'identity-lab-deopts-'));
const logged = await chromium.launch({
  executablePath,
  args: [
    ...headlessChromiumFlags,
    '--no-zygote',
    `--js-flags=--log-deopt --log-code --logfile=${join(logDirectory, 'v8-%p.log')}`,
  ],
});
try {
  const page = await logged.newPage();
  await page.addScriptTag({ content: script });
  await page.evaluate((timeline) => {
    (globalThis as unknown as { steps: unknown }).steps = timeline;
  }, steps);
  for (let run = 1; run <= Math.min(replays, 14); run++) {
    await page.evaluate(`(function identityLabReplayMark${run}() { return ${run}; })()`);
    await page.evaluate(() => {
      const scope = globalThis as unknown as {
        steps: unknown;
        identityLabReplay: (s: unknown, n: number) => unknown;
      };
      scope.identityLabReplay(scope.steps, 1);
    });
  }
} finally {
  await logged.close();
}
const logs = readdirSync(logDirectory).map((name) => join(logDirectory, name));
const largest = logs.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
if (largest === undefined) throw new Error('Chromium wrote no V8 log');
const deopts = readDeopts(readFileSync(largest, 'utf8'), script, 'identityLabReplayMark');
rmSync(logDirectory, { recursive: true, force: true });
const late = deopts.filter((deopt) => deopt.replay >= from);
console.log(`deoptimizations from replay ${from} on (of 14 on a page): ${late.length}`);
for (const deopt of late)
  console.log(`  replay ${deopt.replay}  ${deopt.functionName}  ${deopt.reason}  | ${deopt.source}`);
