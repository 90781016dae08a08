/**
 * Where the replay's time goes in Chromium, builtins included: replays the benchmarks' 100,000-event
 * churn on a page in headless Chromium with V8's tick profiler on (`--prof`), then reads V8's log.
 * A DevTools `.cpuprofile` folds V8's builtins (megamorphic property lookups, Map lookups, object
 * spreads) into the JavaScript function that called them; the tick log names them, which is how
 * ARCHITECTURE.md's "Property access V8 can cache" was found. C++ runtime and GC show as `?`
 * (Debian's chromium carries no symbols).
 *
 *   npm run profile:replay [-- --replays 15] [-- --top 40] [-- --callers Builtin:KeyedLoadIC_Megamorphic]
 *   npm run profile:replay -- --by-function     builtins and runtime charged to their JavaScript caller
 *
 * Not a benchmark: the profiler slows the replay down; compare shares, not times.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { replayBundle } from './bench-browser';
import { churnRun } from './churn-run';
import { headlessChromiumFlags, locateChromium } from './find-chromium.mjs';
import { readV8Log, topEntries } from './v8-tick-log';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : process.argv[index + 1];
}

const replays = Number(option('replays') ?? 15);
const top = Number(option('top') ?? 40);
const callersOf = option('callers');
const chargeToJavaScript = process.argv.includes('--by-function');

const executablePath = locateChromium();
if (executablePath === undefined) throw new Error('no Chromium found (set CHROME_PATH)');
const source = churnRun(100_000, false);
const bundled = await replayBundle();
if (bundled === undefined) throw new Error('esbuild produced no bundle');
const script: string = bundled;
const logDirectory = mkdtempSync(join(tmpdir(), 'identity-lab-profile-'));
const browser = await chromium.launch({
  executablePath,
  args: [
    ...headlessChromiumFlags,
    // One process per renderer, each writing its own log; 250 µs between samples.
    '--no-zygote',
    `--js-flags=--prof --prof-sampling-interval=250 --logfile=${join(logDirectory, 'v8-%p.log')}`,
  ],
});
/** Replays on a page under the profiler, after a warm-up; returns how long the profiled replays took. */
async function profiledReplays(): Promise<number> {
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: script });
    await page.evaluate((steps) => {
      (globalThis as unknown as { steps: unknown }).steps = steps;
    }, source.steps);
    const replayOnPage = (runs: number): Promise<{ times: number[] }> =>
      page.evaluate((runs) => {
        const scope = globalThis as unknown as {
          steps: unknown;
          identityLabReplay: (steps: unknown, runs: number) => { times: number[] };
        };
        return scope.identityLabReplay(scope.steps, runs);
      }, runs);
    await replayOnPage(4); // warm-up, left out of the profile below
    const timed = await replayOnPage(replays);
    console.log(`${replays} replays under the profiler: ${timed.times.map(Math.round).join(', ')} ms`);
    return timed.times.reduce((sum, ms) => sum + ms, 0);
  } finally {
    await browser.close();
  }
}
const profiledMs = await profiledReplays();

// The page's renderer wrote the largest log.
const logs = readdirSync(logDirectory).map((name) => join(logDirectory, name));
const largest = logs.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
if (largest === undefined) throw new Error('Chromium wrote no V8 log');
const log = readV8Log(readFileSync(largest, 'utf8'));
rmSync(logDirectory, { recursive: true, force: true });
// Only the ticks of the profiled replays, the last thing the page ran: V8's tick times count from
// the log's start, so the window is the log's last stretch of as long as the replays took.
const rows = topEntries(log, { top, windowUs: profiledMs * 1000, callersOf, chargeToJavaScript });
console.log(
  callersOf !== undefined
    ? `callers of ${callersOf}:`
    : chargeToJavaScript
      ? 'share of ticks, builtins and runtime charged to their JavaScript caller:'
      : 'self share of ticks:',
);
for (const row of rows) console.log(`${row.share.toFixed(2).padStart(6)} %  ${row.name}`);
