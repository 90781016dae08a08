import { defineConfig } from 'vitest/config';

/** Unit and property tests: fast, no browser, no build. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Tests check behaviour; speed is measured by `npm run bench` and the budgets. Scenario replays
    // that take a second alone take several on two busy cores, so the default 5 s is too tight.
    testTimeout: 20_000,
    coverage: {
      provider: 'v8',
      include: ['simulator/**/*.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
});
