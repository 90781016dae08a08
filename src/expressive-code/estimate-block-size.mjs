// @ts-check
/**
 * An Expressive Code plugin that writes each code block's expected height into its group
 * (`style="--code-block-size: …"`), for the stylesheet's `content-visibility: auto` on code blocks
 * (src/styles/site.css). Code blocks are most of a reference page's elements (1,700 of 2,240 on
 * /reference/policies-from-verdicts/), and a browser that skips the ones off screen needs a height
 * to hold their place until it draws them; an estimate near the real one keeps the scroll bar and
 * the places of the headings below where they will be.
 *
 * Lines do not wrap (a long line scrolls sideways), so a block is its lines times the code's line
 * height plus its padding, and a title bar or a terminal frame adds one bar. Measured on the built
 * site at 412 and 1350 px: 24.5 px a line (Starlight's 0.875rem code at line height 1.75), 26.5 px
 * of padding, 59 px with a bar.
 */

/** Padding and borders of a block with no bar, and with a title or terminal bar, in rem. */
const plainExtraRem = 1.65;
const barExtraRem = 3.7;

/**
 * The classes of a rendered element (hast keeps `class` as the list `className`).
 * @param {import('hast').Element} element
 * @returns {string[]}
 */
function classesOf(element) {
  const value = element.properties.className;
  return Array.isArray(value) ? value.map(String) : [];
}

/** @returns {import('@expressive-code/core').ExpressiveCodePlugin} */
export function pluginEstimateBlockSize() {
  return {
    name: 'estimate-block-size',
    hooks: {
      postprocessRenderedBlockGroup: ({ renderedGroupContents, renderData }) => {
        let lines = 0;
        let extraRem = 0;
        for (const { codeBlock, renderedBlockAst } of renderedGroupContents) {
          lines += codeBlock.getLines().length;
          const barred = classesOf(renderedBlockAst).some(
            (name) => name === 'has-title' || name === 'is-terminal',
          );
          extraRem += barred ? barExtraRem : plainExtraRem;
        }
        const size = `calc(${lines} * var(--sl-text-code) * var(--sl-line-height) + ${extraRem.toFixed(2)}rem)`;
        const style = renderData.groupAst.properties.style;
        const before = typeof style === 'string' && style !== '' ? `${style.replace(/;\s*$/, '')};` : '';
        renderData.groupAst.properties.style = `${before}--code-block-size:${size}`;
      },
    },
  };
}
