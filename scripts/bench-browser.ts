/**
 * The replay benchmark in Chromium: the site's widgets replay timelines in the reader's browser (a
 * permalink's restore, seeking back), so the same timeline is replayed there too, from the
 * simulator bundled for the browser, in the headless Chromium the browser tests use. The first
 * replay in a fresh page is reported apart: it runs before the JIT has warmed up, as a permalink's
 * restore does.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { TimelineStep } from '../simulator/simulation';
import { headlessChromiumFlags, locateChromium } from './find-chromium.mjs';

export type BrowserReplay =
  { ok: true; browser: string; coldMs: number; times: number[] } | { ok: false; reason: string };

/** Replays `steps` once cold and `runs` times warm in a fresh Chromium page; checks the end state. */
export async function replayInChromium(
  steps: readonly TimelineStep[],
  expected: { position: number; hash: string },
  runs: number,
): Promise<BrowserReplay> {
  const executablePath = locateChromium();
  if (executablePath === undefined) return { ok: false, reason: 'no Chromium found (set CHROME_PATH)' };
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
  const script = bundle.outputFiles[0]?.text;
  if (script === undefined) return { ok: false, reason: 'esbuild produced no bundle' };
  const browser = await chromium.launch({
    executablePath,
    args: headlessChromiumFlags,
  });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: script });
    type Times = { times: number[]; position: number; hash: string };
    const replayIn = (count: number): Promise<Times> =>
      page.evaluate(
        ([timeline, n]) =>
          (
            globalThis as unknown as {
              identityLabReplay: (s: unknown, n: number) => Times;
            }
          ).identityLabReplay(timeline, n),
        [steps, count] as const,
      );
    const cold = await replayIn(1);
    // In Node the original run warms the code up before the timed replays; here a few replays do.
    const warmUp = await replayIn(3);
    const warm = await replayIn(runs);
    for (const result of [cold, warmUp, warm])
      if (result.position !== expected.position || result.hash !== expected.hash)
        return { ok: false, reason: 'the replay in Chromium diverged from the run in Node' };
    return { ok: true, browser: browser.version(), coldMs: cold.times[0] ?? NaN, times: warm.times };
  } finally {
    await browser.close();
  }
}
