import { defineConfig } from 'vitest/config';

/** Unit and property tests: fast, no browser, no build. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Tests check behaviour; speed is measured by `npm run bench` and the budgets. Scenario replays
    // that take a second alone take several on two busy cores, so the default 5 s is too tight.
    testTimeout: 20_000,
    // One module graph per worker, shared by the files it runs, instead of a fresh one per file:
    // importing and transforming the simulator again for each of the 166 files was over a third of
    // a run (BENCHMARKS.md, 2026-12-07 ci18). The simulator's module-level maps are memos of pure
    // functions, so sharing them changes no result; a test that stubs a global or spies on a module
    // must undo it (`vi.unstubAllGlobals()`, `mockRestore()`), as the existing ones do.
    isolate: false,
    coverage: {
      provider: 'v8',
      include: ['simulator/**/*.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
});
