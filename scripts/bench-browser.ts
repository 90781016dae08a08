/**
 * The replay benchmark in Chromium: the site's labs replay timelines in the reader's browser (a
 * permalink's restore, seeking back), inside the lab's Web Worker, so the same timeline is replayed
 * there: from the simulator bundled for the browser, in the headless Chromium the browser tests use,
 * once in a dedicated worker (where the site replays) and once on the page's own thread (for
 * comparison with earlier records). The first replay in a fresh worker or page is reported apart:
 * it runs before the JIT has warmed up, as a permalink's restore does.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import type { TimelineStep } from '../simulator/simulation';
import { headlessChromiumFlags, locateChromium } from './find-chromium.mjs';

/** A replay's timings in one place: the first, cold one, and the warm ones. */
export interface ReplayTimes {
  coldMs: number;
  times: number[];
}

export type BrowserReplay =
  { ok: true; browser: string; worker: ReplayTimes; page: ReplayTimes } | { ok: false; reason: string };

interface Times {
  times: number[];
  position: number;
  hash: string;
}

/** Runs in a dedicated worker: keeps the timeline it is sent first, then replays it on request. */
const workerShim = `
let steps;
onmessage = (event) => {
  if (event.data.steps !== undefined) { steps = event.data.steps; postMessage('ready'); return; }
  postMessage(identityLabReplay(steps, event.data.runs));
};`;

/** The bundle the page and the worker run: the simulator's replay, as the site ships it. */
export async function replayBundle(): Promise<string | undefined> {
  const bundle = await build({
    // From the project root, where npm runs scripts (this module itself runs from a bundle).
    entryPoints: [resolve('scripts/bench-browser-entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return bundle.outputFiles[0]?.text;
}

/** Replays `steps` once cold, three times to warm up, then `runs` times, in `replayIn`. */
async function timedReplays(
  replayIn: (count: number) => Promise<Times>,
  expected: { position: number; hash: string },
  runs: number,
): Promise<ReplayTimes | undefined> {
  const cold = await replayIn(1);
  // In Node the original run warms the code up before the timed replays; here a few replays do.
  const warmUp = await replayIn(3);
  const warm = await replayIn(runs);
  for (const result of [cold, warmUp, warm])
    if (result.position !== expected.position || result.hash !== expected.hash) return undefined;
  return { coldMs: cold.times[0] ?? NaN, times: warm.times };
}

/** Starts a worker in the page that holds the timeline; returns a function that asks it for replays. */
async function startReplayWorker(
  page: Page,
  script: string,
  steps: readonly TimelineStep[],
): Promise<(count: number) => Promise<Times>> {
  await page.evaluate(
    ([source, timeline]) =>
      new Promise<void>((done) => {
        const blob = new Blob([source], { type: 'text/javascript' });
        const worker = new Worker(URL.createObjectURL(blob));
        (globalThis as unknown as { replayWorker: Worker }).replayWorker = worker;
        worker.onmessage = () => done();
        worker.postMessage({ steps: timeline });
      }),
    [script + workerShim, steps] as const,
  );
  return (count) =>
    page.evaluate(
      (n) =>
        new Promise<Times>((done) => {
          const worker = (globalThis as unknown as { replayWorker: Worker }).replayWorker;
          worker.onmessage = (event: MessageEvent<Times>) => done(event.data);
          worker.postMessage({ runs: n });
        }),
      count,
    );
}

/** Replays `steps` in a fresh Chromium worker and page, cold once and `runs` times warm; checks the end state. */
export async function replayInChromium(
  steps: readonly TimelineStep[],
  expected: { position: number; hash: string },
  runs: number,
): Promise<BrowserReplay> {
  const executablePath = locateChromium();
  if (executablePath === undefined) return { ok: false, reason: 'no Chromium found (set CHROME_PATH)' };
  const script = await replayBundle();
  if (script === undefined) return { ok: false, reason: 'esbuild produced no bundle' };
  const browser = await chromium.launch({ executablePath, args: headlessChromiumFlags });
  try {
    const inWorker = await startReplayWorker(await browser.newPage(), script, steps);
    const worker = await timedReplays(inWorker, expected, runs);
    const page = await browser.newPage();
    await page.addScriptTag({ content: script });
    const onPage = (count: number): Promise<Times> =>
      page.evaluate(
        ([timeline, n]) =>
          (
            globalThis as unknown as {
              identityLabReplay: (s: unknown, n: number) => Times;
            }
          ).identityLabReplay(timeline, n),
        [steps, count] as const,
      );
    const pageTimes = await timedReplays(onPage, expected, runs);
    if (worker === undefined || pageTimes === undefined)
      return { ok: false, reason: 'the replay in Chromium diverged from the run in Node' };
    return { ok: true, browser: browser.version(), worker, page: pageTimes };
  } finally {
    await browser.close();
  }
}
