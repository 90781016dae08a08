/**
 * The full-width workspace a lab opens into from the article. The lab's element stays where it is in
 * the page (its state, its terminal and its worker are untouched); CSS lays it over the whole window,
 * and this module does what CSS cannot: it makes the rest of the page inert, so the keyboard and a
 * screen reader stay in the workspace (the WAI-ARIA modal dialog pattern), stops the page behind it
 * from scrolling, and puts the reader back at the same place of the article when it closes.
 */

/** Whether the page was opened with `?embed`: a lab or an exercise alone, for another site's iframe. */
export function isEmbedded(): boolean {
  return typeof window !== 'undefined' && new URLSearchParams(window.location.search).has('embed');
}

/** Marks every element beside `element`'s ancestors inert; returns the function that undoes it. */
function inertAround(element: HTMLElement): () => void {
  const made: HTMLElement[] = [];
  for (let node: HTMLElement | null = element; node !== null && node !== document.body;) {
    const parent: HTMLElement | null = node.parentElement;
    for (const sibling of parent?.children ?? []) {
      if (sibling === node || !(sibling instanceof HTMLElement) || sibling.inert) continue;
      // Scripts and styles have nothing to focus; leaving them alone keeps the undo list short.
      if (['SCRIPT', 'STYLE', 'LINK', 'TEMPLATE'].includes(sibling.tagName)) continue;
      sibling.inert = true;
      made.push(sibling);
    }
    node = parent;
  }
  return () => made.forEach((sibling) => (sibling.inert = false));
}

/**
 * Lifts the element into the browser's top layer as a manual popover, above the site's header and
 * sidebars whatever stacking contexts its ancestors make, without moving it in the document (moving
 * it would drop the focus and the component's own place). Returns the function that puts it back.
 */
function raise(element: HTMLElement): () => void {
  if (typeof element.showPopover !== 'function') return () => undefined;
  element.popover = 'manual';
  element.showPopover();
  return () => {
    if (element.matches(':popover-open')) element.hidePopover();
    element.removeAttribute('popover');
  };
}

/**
 * Opens the workspace around `element` (styled full-window by its component); returns the function
 * that closes it: the page scrolls again, from where the reader left it (or from `returnTo`, where
 * they were before a button elsewhere in the article brought the lab into view to open it).
 */
export function openWorkspace(element: HTMLElement, returnTo?: number): () => void {
  const scrollX = window.scrollX;
  const scrollY = returnTo ?? window.scrollY;
  const root = document.documentElement;
  root.dataset.workspaceOpen = '';
  const lower = raise(element);
  const release = inertAround(element);
  return () => {
    release();
    lower();
    delete root.dataset.workspaceOpen;
    window.scrollTo(scrollX, scrollY);
  };
}
