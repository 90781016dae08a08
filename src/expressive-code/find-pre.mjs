// @ts-check
/**
 * The first `<pre>` in a block Expressive Code rendered, which the site's plugins annotate
 * (name-code-blocks.mjs, focus-scrollable-blocks.mjs).
 * @param {import('hast').ElementContent | import('hast').Element} node
 * @returns {import('hast').Element | undefined}
 */
export function findPre(node) {
  if (node.type !== 'element') return undefined;
  if (node.tagName === 'pre') return node;
  for (const child of node.children) {
    const found = findPre(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
