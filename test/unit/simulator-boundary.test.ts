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

// The world's state and the input events name the datapath's types from its leaf module, so they
// never load the datapath (and the datapath's imports never come back around to them).
describe('lint: world and events stay off the datapath', { timeout: 30_000 }, () => {
  const packetPath = "import { traverse } from './cilium/packet-path';\nexport { traverse };\n";
  const leaf = "import type { Origin } from './cilium/datapath-types';\nexport type { Origin };\n";
  it.each([
    ['world.ts importing the packet path', true, packetPath, 'simulator/world.ts'],
    ['events.ts importing the packet path', true, packetPath, 'simulator/events.ts'],
    ['events.ts importing the leaf types', false, leaf, 'simulator/events.ts'],
    ['dispatch.ts importing the packet path', false, packetPath, 'simulator/dispatch.ts'],
  ])('%s: refused %s', async (_name, refused, code, filePath) => {
    const rules = await ruleIdsFor(code, filePath);
    expect(rules.includes('no-restricted-imports')).toBe(refused);
  });
});

// Long functions are split along the domain's steps; lint stops any new one past 120 lines.
describe('lint: function length in simulator/', { timeout: 30_000 }, () => {
  const body = (lines: number): string =>
    `export function long(values: number[]): number {\n${'  values.push(1);\n'.repeat(lines - 3)}  return values.length;\n}\n`;
  it.each([
    ['120 lines', false, 120],
    ['121 lines', true, 121],
  ])('a function of %s: refused %s', async (_name, refused, lines) => {
    const rules = await ruleIdsFor(body(lines), 'simulator/length-probe.ts');
    expect(rules.includes('max-lines-per-function')).toBe(refused);
  });
});
