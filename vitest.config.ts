import { defineConfig } from 'vitest/config';

/** Unit and property tests: fast, no browser, no build. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    coverage: {
      provider: 'v8',
      include: ['simulator/**/*.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
});
