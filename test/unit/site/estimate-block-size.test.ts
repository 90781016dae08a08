// Goal: every code block carries the height it will take once drawn (its lines, plus a bar for a
// title or a terminal frame), so a page whose blocks are skipped off screen keeps its length.
import { ExpressiveCodeBlock, ExpressiveCodeEngine } from '@expressive-code/core';
import { pluginFrames } from '@expressive-code/plugin-frames';
import { describe, expect, it } from 'vitest';
import { pluginEstimateBlockSize } from '../../../src/expressive-code/estimate-block-size.mjs';

const engine = new ExpressiveCodeEngine({ plugins: [pluginFrames(), pluginEstimateBlockSize()] });

/** The block size the rendered group carries, as written in its style. */
async function sizeOf(code: string, language: string, meta = ''): Promise<string> {
  const { renderedGroupAst } = await engine.render(new ExpressiveCodeBlock({ code, language, meta }));
  const match = /--code-block-size:(.*)$/.exec(String(renderedGroupAst.properties.style));
  return match?.[1] ?? 'none';
}

const perLine = 'var(--sl-text-code) * var(--sl-line-height)';

describe('estimate-block-size: the height a code block will take', () => {
  it('a plain block: its lines and its padding', async () => {
    expect(await sizeOf('kind: Pod\nmetadata:\n  name: a\n', 'yaml')).toBe(`calc(3 * ${perLine} + 1.65rem)`);
  });
  it('a block with a title adds the title bar', async () => {
    expect(await sizeOf('apiVersion: v1\nkind: Pod', 'yaml', 'title="pod.yaml"')).toBe(
      `calc(2 * ${perLine} + 3.70rem)`,
    );
  });
  it('a terminal block adds the terminal bar', async () => {
    expect(await sizeOf('kubectl get pods', 'bash')).toBe(`calc(1 * ${perLine} + 3.70rem)`);
  });
});
