import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The simulator must replay identically anywhere, so lint forbids the wall clock, global randomness,
// browser globals and framework imports inside simulator/ (but not elsewhere).
// Probe snippets are not files of a tsconfig project, so the type-aware rules are switched off for them.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

// Loading the ESLint configuration with its type-aware plugins takes seconds on a busy machine, so
// the first case gets more than Vitest's default 5 s.
describe('lint: simulator boundary', { timeout: 30_000 }, () => {
  it.each([
    ['Date.now()', 'export const at = Date.now();\n', 'no-restricted-properties'],
    ['Math.random()', 'export const roll = Math.random();\n', 'no-restricted-properties'],
    ['new Date()', 'export const at = new Date();\n', 'no-restricted-syntax'],
    ['a DOM global', 'export const title = document.title;\n', 'no-restricted-globals'],
    ['a Svelte import', "import { mount } from 'svelte';\nexport { mount };\n", 'no-restricted-imports'],
  ])('refuses %s in simulator/', async (_name, code, ruleId) => {
    expect(await ruleIdsFor(code, 'simulator/boundary-probe.ts')).toContain(ruleId);
  });

  it('allows the same code in the site', async () => {
    expect(await ruleIdsFor('export const at = Date.now();\n', 'src/boundary-probe.ts')).not.toContain(
      'no-restricted-properties',
    );
  });
});
