/**
 * Waiting for the reader's first interaction before a page loads what only a reader who acts needs
 * (a lab's worker and island, issue 15: ≤ 10 KB of JS before the reader interacts). This module
 * imports nothing, so the page's own script stays a few hundred bytes.
 */

/** What a reader does first on a page: scroll it (or land on an anchor, which scrolls), touch, click or type. */
const firstInteractionEvents = ['scroll', 'wheel', 'touchstart', 'pointerdown', 'keydown'] as const;

/**
 * Calls `start` once, on the first of the reader's interactions with `target` (the window), or at
 * once when `alreadyScrolled` (the page opened at an anchor, or a restored scroll position, before
 * this script ran). Until then a page costs only what it needs to be read: a lab one viewport below
 * the fold used to load its island's scripts (about 55 KB gzip: Svelte, XState, the widget) and its
 * worker while the page was still loading (issue 15: ≤ 10 KB of JS before the reader interacts).
 * The listeners are not capturing, so a code block or the sidebar scrolling itself (their scroll
 * events do not bubble) is not the reader's scroll.
 */
export function afterFirstInteraction(
  target: EventTarget,
  alreadyScrolled: boolean,
  start: () => void,
): void {
  if (alreadyScrolled) {
    start();
    return;
  }
  const onFirst = (): void => {
    for (const type of firstInteractionEvents) target.removeEventListener(type, onFirst);
    start();
  };
  for (const type of firstInteractionEvents) target.addEventListener(type, onFirst, { passive: true });
}
