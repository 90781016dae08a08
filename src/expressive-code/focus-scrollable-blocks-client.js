// @ts-check
/* global document, window, Element */
/**
 * Browser side of src/expressive-code/focus-scrollable-blocks.mjs, served minified as
 * /code-block-focus.js (src/pages/code-block-focus.js.ts) and imported on the window's first resize:
 * keeps a code block's `<pre>` focusable (`tabindex="0"`, `role="region"`) exactly while it scrolls
 * sideways, also for the blocks that `content-visibility: auto` skips. Until a resize Expressive
 * Code's script is right on its own, so a page that is never resized never loads this.
 *
 * Expressive Code's own script (github.com/expressive-code/expressive-code,
 * packages/@expressive-code/core/src/internal/tabindex-js-module.ts; 0.44.2 here) re-checks a
 * `<pre>` when a ResizeObserver reports it, 250 ms later at idle time. The browser does not lay out
 * a skipped block, so the observer says nothing about it when the window narrows or a phone turns,
 * and the block keeps the answer it had at the old width. Measuring a skipped block would lay it
 * out (half a second for the 40 blocks of /reference/http-aware-policy/ at 4x CPU), the cost
 * content-visibility saves. So a skipped block is judged from the build's count of its longest
 * lines in characters, against its group's width, which the browser lays out anyway; a
 * block is measured itself once it is drawn (the `contentvisibilityautostatechange` event:
 * https://developer.mozilla.org/docs/Web/API/ContentVisibilityAutoStateChangeEvent).
 */
const groupSelector = '.expressive-code';
/** Within this many px of fitting, a skipped block counts as scrolling: the safer mistake. */
const tolerancePx = 1;

/**
 * The same answer Expressive Code's script gives: a region with a focus stop, or neither.
 * @param {Element} pre
 * @param {boolean} scrolls
 */
function setScrollable(pre, scrolls) {
  const focusable = pre.hasAttribute('tabindex');
  if (scrolls && !focusable) {
    pre.setAttribute('tabindex', '0');
    pre.setAttribute('role', 'region');
  } else if (!scrolls && focusable) {
    pre.removeAttribute('tabindex');
    pre.removeAttribute('role');
  }
}

/**
 * @typedef {object} Metrics
 * @property {number} advance width of one character of the code font, px
 * @property {number} firstPad the first line's inline padding and border (room for the copy button), px
 * @property {number} restPad another line's inline padding and border, px
 * @property {number} inset what the group's width loses to the `<pre>`'s borders, px
 */

/** @type {Metrics | undefined} */
let metrics;

/**
 * Lays out one small hidden block at the end of the page, built like `group`'s (outside the page's
 * flow and outside the content whose blocks the browser skips), and reads its widths: a few lines
 * in the code font cost far less than measuring any real block.
 * @param {Element} group
 * @returns {Metrics | undefined}
 */
function measure(group) {
  const figure = group.querySelector('figure');
  const pre = group.querySelector('pre');
  if (figure === null || pre === null) return undefined;
  const probe = document.createElement('div');
  probe.className = group.className;
  probe.setAttribute('aria-hidden', 'true');
  probe.inert = true;
  probe.style.cssText =
    'position:absolute;visibility:hidden;content-visibility:visible;inline-size:100px;block-size:0;overflow:hidden';
  const probeFigure = /** @type {Element} */ (figure.cloneNode(false));
  const probePre = document.createElement('pre');
  const code = document.createElement('code');
  /** @param {string[]} texts the lines' text */
  const widthOf = (texts) => {
    code.replaceChildren(
      ...texts.map((text) => {
        const line = document.createElement('div');
        line.className = 'ec-line';
        const inner = document.createElement('div');
        inner.className = 'code';
        inner.textContent = text;
        line.append(inner);
        return line;
      }),
    );
    return probePre.scrollWidth;
  };
  probePre.append(code);
  probeFigure.append(probePre);
  probe.append(probeFigure);
  document.body.append(probe);
  const count = 1000;
  const zeros = '0'.repeat(count);
  const firstWide = widthOf([zeros, '']);
  const restWide = widthOf(['', zeros]);
  const restWider = widthOf(['', zeros + zeros]);
  const inset = 100 - probePre.clientWidth;
  probe.remove();
  const advance = (restWider - restWide) / count;
  return { advance, firstPad: firstWide - count * advance, restPad: restWide - count * advance, inset };
}

/**
 * Whether a block the browser skips would scroll, from the build's counts (`data-code-columns`:
 * the first line's characters, then the longest other line's). No counts (characters whose width
 * the font decides) keeps the build's answer: focusable.
 * @param {Element} pre
 * @param {number} groupWidth
 * @param {Metrics} m
 */
function wouldScroll(pre, groupWidth, m) {
  const counts = pre.getAttribute('data-code-columns');
  if (counts === null) return true;
  const [first = 0, rest = 0] = counts.split(',').map(Number);
  const needed = Math.max(m.firstPad + first * m.advance, m.restPad + rest * m.advance);
  return needed > groupWidth - m.inset - tolerancePx;
}

/**
 * Decides every `<pre>` of `groups`: measured where drawn, estimated where skipped. All reads come
 * before all writes, so the layout is computed once.
 * @param {Iterable<Element>} groups
 */
function update(groups) {
  /** @type {[Element, boolean][]} */
  const answers = [];
  for (const group of groups) {
    const groupWidth = group.clientWidth;
    // Not laid out at all (a hidden tab panel): Expressive Code's observer sees it when shown.
    if (groupWidth === 0) continue;
    for (const pre of group.querySelectorAll('pre')) {
      if (pre.checkVisibility({ contentVisibilityAuto: true })) {
        answers.push([pre, pre.scrollWidth > pre.clientWidth]);
        continue;
      }
      metrics ??= measure(group);
      if (metrics !== undefined) answers.push([pre, wouldScroll(pre, groupWidth, metrics)]);
    }
  }
  for (const [pre, scrolls] of answers) setScrollable(pre, scrolls);
}

const allGroups = () => document.querySelectorAll(groupSelector);
// A block drawn anew is measured now, before the reader can scroll it, rather than after Expressive
// Code's delay. One skipped anew keeps what it had: the width has not changed since it was drawn
// (a resize re-judges every block at once), and an estimate could only be coarser.
document.addEventListener(
  'contentvisibilityautostatechange',
  (event) => {
    const group = event.target;
    const drawn = !(/** @type {{ skipped?: boolean }} */ (event).skipped ?? true);
    if (drawn && group instanceof Element && group.matches(groupSelector)) update([group]);
  },
  true,
);
// A new width changes every block's answer; the character width may change with it (zoom).
window.addEventListener('resize', () => {
  metrics = undefined;
  update(allGroups());
});
// Imported because the window was resized: judge every block at the new width now.
update(allGroups());
