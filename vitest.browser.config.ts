import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the built site, served on localhost, driven in Chromium by playwright-core.
 * One fork keeps a single Chromium busy rather than two fighting for the machine's two cores.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/setup/global.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Tests marked concurrent (the pages file's per-page checks) run two at a time, one per core.
    maxConcurrency: 2,
    // The tests poll for what the page ends up showing, not how fast: speed is the budgets' job
    // (scripts/budgets.ts). A second of polling is too short when CI shares two cores.
    expect: { poll: { timeout: 15_000 } },
  },
});
