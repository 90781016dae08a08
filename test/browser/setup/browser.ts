import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { headlessChromiumFlags } from '../../../scripts/find-chromium.mjs';

/** The shared headless flags, plus QUIC off, as these tests have always run. */
const chromiumFlags = [...headlessChromiumFlags, '--disable-quic'];

/** Launches the Chromium that the global setup found. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: inject('chromiumPath'), args: chromiumFlags });
}

/** Absolute URL of a site path on the preview server. */
export function siteUrl(path: string): string {
  return new URL(path, inject('baseUrl')).href;
}

/** What went wrong while a page loaded: console errors, uncaught exceptions and failed requests. */
export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
}

/** Starts recording a page's problems; read the returned object after the page settles. */
export function recordProblems(page: Page): PageProblems {
  const problems: PageProblems = { consoleErrors: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(error.message));
  page.on('requestfailed', (request) =>
    problems.failedRequests.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
  });
  return problems;
}
