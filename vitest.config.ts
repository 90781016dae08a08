import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Unit and property tests: fast, no browser, no build. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Tests check behaviour; speed is measured by `npm run bench` and the budgets. Scenario replays
    // that take a second alone take several on two busy cores, so the default 5 s is too tight.
    testTimeout: 20_000,
    // Vitest's default leaves one core to its own process: one worker on CI's two cores, and the
    // other core nearly idle, since the main process only gathers results. A worker per core.
    maxWorkers: availableParallelism(),
    coverage: {
      provider: 'v8',
      include: ['simulator/**/*.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
});
