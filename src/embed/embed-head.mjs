// @ts-check
// The function runs in the page, not in Node where the config imports it: the browser's globals.
/* global location, document, CSS */
/**
 * `?embed` shows a page's lab (or an exercise) without the site's chrome, for an iframe in another
 * course platform. This runs inline in the page's head, before the first paint, so the chrome never
 * flashes; it must stay self-contained (its source is what the page inlines).
 *
 * - `?embed` alone: every lab of the page, one after another (the article's text goes).
 * - `?embed=<scenario id>`: only the lab of that scenario, for a page with several labs (a guide's
 *   three architectures). The widget's element id is `lab-<scenario id>` (lab-events.ts's
 *   labElementId); a hidden lab never scrolls into view, so it never hydrates. An id the page has
 *   no lab for falls back to every lab, once the page's markup is there to tell.
 *
 * Links in an embedded page open outside the frame.
 */
export function applyEmbedParameter() {
  const embed = new URLSearchParams(location.search).get('embed');
  if (embed === null) return;
  document.documentElement.dataset.embed = embed;
  document.head.append(Object.assign(document.createElement('base'), { target: '_blank' }));
  if (embed === '') return;
  const labId = `lab-${embed}`;
  const onlyThisLab = Object.assign(document.createElement('style'), {
    textContent: `.sl-markdown-content > :not(:has(#${CSS.escape(labId)})) { display: none !important; }`,
  });
  document.head.append(onlyThisLab);
  document.addEventListener('DOMContentLoaded', () => {
    if (document.getElementById(labId) === null) onlyThisLab.remove();
  });
}

/** The inline script for Starlight's `head`. */
export const embedHeadScript = `(${applyEmbedParameter.toString()})()`;
