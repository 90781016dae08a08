// @ts-check
/**
 * An Expressive Code plugin that keeps a code block focusable exactly while it scrolls sideways,
 * including the blocks the browser skips off screen (`content-visibility: auto`, set in
 * src/styles/site.css with estimate-block-size.mjs).
 *
 * Every `<pre>` starts out focusable (name-code-blocks.mjs) and Expressive Code's script takes the
 * focus stop away from one that turns out not to scroll, but only once the browser lays it out: a
 * block that is skipped when the window narrows or a phone turns keeps its old answer, and a reader
 * could not reach it with Tab (axe: scrollable-region-focusable). Here the build writes each block's
 * line lengths on its `<pre>` (`data-code-columns="<first line>,<longest other line>"`, in
 * characters; lines do not wrap), so the script in focus-scrollable-blocks-client.js can tell
 * whether a skipped block scrolls from its width alone, and measures the block once it is drawn.
 *
 * That script is needed only once the window's width changes, so Expressive Code's script file
 * carries just a line that imports it on the first resize: 48 bytes compressed, where the whole
 * script would take the reference pages with a lab past their 10 KB budget of script before
 * interaction (scripts/budgets.ts).
 */
import { findPre } from './find-pre.mjs';

/** Where the site serves the script, minified (src/pages/code-block-focus.js.ts). */
export const clientScriptPath = '/code-block-focus.js';

/** Characters one column wide in any monospace font; others leave the decision to the browser. */
const oneColumn = /^[\x20-\x7e]*$/;

/**
 * The first line's length and the longest other line's, or undefined when a line holds a character
 * whose width only the font knows (a tab, an ellipsis, a wide or combining character).
 * @param {readonly string[]} lines
 * @returns {[number, number] | undefined}
 */
export function columnCounts(lines) {
  if (!lines.every((line) => oneColumn.test(line))) return undefined;
  const [first = '', ...rest] = lines;
  return [first.length, Math.max(0, ...rest.map((line) => line.length))];
}

/** @returns {import('@expressive-code/core').ExpressiveCodePlugin} */
export function pluginFocusScrollableBlocks() {
  return {
    name: 'focus-scrollable-blocks',
    jsModules: [`addEventListener("resize",()=>import("${clientScriptPath}"),{once:!0});`],
    hooks: {
      postprocessRenderedBlock: ({ codeBlock, renderData }) => {
        const pre = findPre(renderData.blockAst);
        const counts = columnCounts(codeBlock.getLines().map((line) => line.text));
        if (pre !== undefined && counts !== undefined) pre.properties.dataCodeColumns = counts.join(',');
      },
    },
  };
}
