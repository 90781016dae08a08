// Goal: every code block carries the lengths of its lines in characters (the first line apart, as it
// leaves room for the copy button), so the browser can tell whether a block it has not drawn would
// scroll sideways; a block with characters whose width only the font knows carries none.
import { ExpressiveCodeBlock, ExpressiveCodeEngine } from '@expressive-code/core';
import { pluginFrames } from '@expressive-code/plugin-frames';
import type { Nodes } from 'hast';
import { describe, expect, it } from 'vitest';
import {
  columnCounts,
  pluginFocusScrollableBlocks,
} from '../../../src/expressive-code/focus-scrollable-blocks.mjs';

const engine = new ExpressiveCodeEngine({ plugins: [pluginFrames(), pluginFocusScrollableBlocks()] });

/** The line lengths the rendered block's `<pre>` carries (hast keeps `data-*` as camel-cased properties). */
async function countsOf(code: string, language: string): Promise<unknown> {
  const { renderedGroupAst } = await engine.render(new ExpressiveCodeBlock({ code, language }));
  const pres: unknown[] = [];
  const walk = (node: Nodes): void => {
    if (node.type === 'element' && node.tagName === 'pre') pres.push(node.properties['dataCodeColumns']);
    if ('children' in node) node.children.forEach(walk);
  };
  walk(renderedGroupAst);
  return pres[0];
}

describe('focus-scrollable-blocks: the line lengths a code block carries', () => {
  it('counts the first line, then the longest other line', () => {
    expect(columnCounts(['kubectl apply -f \\', '  https://example.com/a/long/path.yaml', 'x'])).toEqual([
      18, 38,
    ]);
  });
  it('counts trailing spaces, which a line that does not wrap still scrolls to', () => {
    expect(columnCounts(['ab  ', ''])).toEqual([4, 0]);
  });
  it('gives a one-line block no other line', () => {
    expect(columnCounts(['kubectl get pods'])).toEqual([16, 0]);
  });
  it('counts nothing for a tab, an ellipsis or a wide character', () => {
    expect(columnCounts(['a\tb'])).toBeUndefined();
    expect(columnCounts(['ok', 'cilium-agent …'])).toBeUndefined();
    expect(columnCounts(['名前: a'])).toBeUndefined();
  });
  it('writes the counts on the rendered block', async () => {
    expect(await countsOf('kind: Pod\nmetadata:\n  name: a-long-name\n', 'yaml')).toBe('9,19');
  });
  it('writes none on a block it cannot count', async () => {
    expect(await countsOf('status: …\n', 'yaml')).toBeUndefined();
  });
});
