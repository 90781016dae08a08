// @ts-check
/**
 * An Expressive Code plugin that makes every code block's `<pre>` a named, focusable region.
 *
 * Expressive Code's script makes a `<pre>` that scrolls sideways focusable (`tabindex="0"`,
 * `role="region"`) so keyboard users can scroll it, and takes both away from one that does not
 * scroll. It leaves the region unnamed, so a page with two such blocks has two identical landmarks
 * (axe: landmark-unique), and it runs at idle time, so until then a scrolling block cannot take the
 * focus (axe: scrollable-region-focusable). Here every `<pre>` starts out as a region with a name of
 * its own: its place on the page and its title or first line, as in
 * "Code block 3: examples/policies/l3/simple/l3.yaml". The script then removes the focus stop from
 * the blocks that do not scroll, as before.
 */
import { findPre } from './find-pre.mjs';

/** @returns {import('@expressive-code/core').ExpressiveCodePlugin} */
export function pluginNameCodeBlocks() {
  return {
    name: 'name-code-blocks',
    hooks: {
      postprocessRenderedBlock: ({ codeBlock, renderData }) => {
        const pre = findPre(renderData.blockAst);
        if (pre === undefined) return;
        const position = codeBlock.parentDocument?.positionInDocument?.groupIndex;
        const title = /** @type {{ title?: string }} */ (codeBlock.props).title;
        const firstLine = codeBlock.code.split('\n', 1)[0] ?? '';
        const subject = title ?? (firstLine.length > 60 ? `${firstLine.slice(0, 59)}…` : firstLine);
        const place = position === undefined ? 'Code block' : `Code block ${position + 1}`;
        pre.properties.ariaLabel = subject === '' ? place : `${place}: ${subject}`;
        pre.properties.role = 'region';
        pre.properties.tabIndex = 0;
      },
    },
  };
}
