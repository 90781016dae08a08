// Finds a Chromium for the browser tests, installing Debian's package when that is possible.
// Playwright cannot download its own browsers on these machines, so we never ask it to.
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Flags that let Debian's Chromium run headless as root on a machine with no outside network, for
 * the browser tests, the budgets and the benchmarks alike.
 */
export const headlessChromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Chromium executables that Playwright may have installed under its cache folder. */
function playwrightInstalledChromiums() {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH ?? join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) return [];
  return readdirSync(cache)
    .filter((name) => name.startsWith('chromium'))
    .flatMap((name) => [
      join(cache, name, 'chrome-linux', 'chrome'),
      join(cache, name, 'chrome-linux64', 'chrome'),
    ]);
}

/** The first Chromium that exists, or undefined. */
export function locateChromium() {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    ...playwrightInstalledChromiums(),
  ];
  return candidates.find((path) => path !== undefined && path !== '' && existsSync(path));
}

const isDebian = existsSync('/etc/debian_version');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Returns a Chromium path, installing Debian's chromium as root on Debian if none is found. */
export function ensureChromium() {
  const found = locateChromium();
  if (found) return found;
  if (isDebian && isRoot) {
    console.log("No Chromium found: installing Debian's chromium package (apt-get)…");
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = locateChromium();
    if (installed) return installed;
  }
  throw new Error(
    'No Chromium found for the browser tests. Install one (Debian: `sudo apt-get install chromium`) ' +
      'or point CHROME_PATH at a Chromium or Chrome executable.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(ensureChromium());
}
