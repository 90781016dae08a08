/**
 * A box that scrolls sideways around a table wider than the screen, so the page itself never does.
 * The box takes keyboard focus and carries a name, because a keyboard user can scroll only what
 * they can focus (axe: scrollable-region-focusable) and a screen reader announces a region by its
 * name (two regions on a page are told apart by their names: axe's landmark-unique). Its look
 * (scrollbar, focus ring, the table inside no longer scrolling itself as Starlight's content
 * tables do) is the global `.scroll-region` rule in src/styles/site.css.
 *
 * Spread the attributes onto the wrapper, in Astro (`<div {...scrollRegion('…')}>`) or in Svelte
 * (`<div {...scrollRegion('…')}>`); a component's own class for the same element goes in `extraClass`.
 */
export function scrollRegion(
  label: string,
  extraClass?: string,
): { class: string; tabindex: 0; role: 'region'; 'aria-label': string } {
  return {
    class: extraClass === undefined ? 'scroll-region' : `scroll-region ${extraClass}`,
    tabindex: 0,
    role: 'region',
    'aria-label': label,
  };
}
