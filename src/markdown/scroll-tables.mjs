// @ts-check
/**
 * Wraps each Markdown table of a page in the site's focusable scroll box (the `.scroll-region` rule
 * in src/styles/site.css, the same box src/components/scroll-region.ts gives the widgets' tables).
 * Starlight lets a content table scroll by itself; on a phone a wide one then scrolls without being
 * reachable by keyboard (axe: scrollable-region-focusable). The box is named after the table's
 * column headings, and numbered where two tables of a page would otherwise share a name (axe:
 * landmark-unique).
 *
 * A Sätteri hast plugin (Astro 7's default Markdown processor, which Starlight adds its own plugins
 * to): https://github.com/withastro/astro/tree/main/packages/markdown/satteri
 */

/** @param {any} node @param {string} tagName @returns {any[]} */
function childElements(node, tagName) {
  return (node?.children ?? []).filter(
    (/** @type {any} */ child) => child.type === 'element' && child.tagName === tagName,
  );
}

/** @returns {import('satteri').HastPluginDefinition} */
function scrollTablesForOnePage() {
  /** @type {Map<string, number>} */
  const seen = new Map();
  return {
    name: 'identity-lab-scroll-tables',
    element: {
      filter: ['table'],
      visit(node, ctx) {
        const headerRow = childElements(childElements(node, 'thead')[0], 'tr')[0];
        const headings = childElements(headerRow, 'th')
          .map((cell) => ctx.textContent(cell).trim())
          .filter((text) => text !== '');
        const base = headings.length > 0 ? `Table: ${headings.join(', ')}` : 'Table';
        const count = (seen.get(base) ?? 0) + 1;
        seen.set(base, count);
        return {
          type: 'element',
          tagName: 'div',
          properties: {
            class: 'scroll-region',
            tabindex: '0',
            role: 'region',
            'aria-label': count === 1 ? base : `${base} (${count})`,
          },
          children: [node],
        };
      },
    },
  };
}

/** One plugin instance per compiled page, so the numbering starts again on each page. */
export const scrollTables = () => scrollTablesForOnePage();
