// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import astro from 'eslint-plugin-astro';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import svelteConfig from './svelte.config.js';

/**
 * Imports and globals that would tie the simulator core to a browser, a framework or the wall clock.
 * @type {import('eslint').Linter.RulesRecord}
 */
const simulatorBoundary = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['svelte', 'svelte/*', 'astro', 'astro:*', 'astro/*', '@astrojs/*'],
          message: 'simulator/ is framework-free.',
        },
        { group: ['**/src/*', '../src/*', '../../src/*'], message: 'simulator/ never imports the site.' },
      ],
    },
  ],
  'no-restricted-properties': [
    'error',
    {
      object: 'Date',
      property: 'now',
      message: 'Use the simulator clock: the model must replay identically.',
    },
    {
      object: 'Math',
      property: 'random',
      message: 'Use the seeded PRNG: the model must replay identically.',
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['window', 'document', 'navigator', 'localStorage', 'performance', 'setTimeout', 'setInterval'].map(
      (name) => ({
        name,
        message: 'simulator/ runs without a DOM and without wall-clock timers.',
      }),
    ),
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date']",
      message: 'Use the simulator clock instead of new Date().',
    },
  ],
};

export default defineConfig(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte', '.astro'],
      },
      globals: { ...globals.node },
    },
  },
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, svelteConfig },
    },
  },
  ...astro.configs.recommended,
  {
    files: ['**/*.astro'],
    // The astro parser does not expose type information for frontmatter scripts.
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    // Plain JavaScript config files and scripts are not part of a tsconfig project.
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['simulator/**/*.ts'],
    ignores: ['simulator/**/*.test.ts'],
    rules: simulatorBoundary,
  },
  {
    files: ['test/browser/**/*.ts'],
    // Browser tests pass callbacks into page.evaluate(), which run in the page.
    languageOptions: { globals: { ...globals.browser } },
  },
);
