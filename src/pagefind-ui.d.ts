/** The part of Pagefind's default UI (`@pagefind/default-ui`, which ships no types) that Search.astro uses. */
declare module '@pagefind/default-ui' {
  export class PagefindUI {
    constructor(options: Record<string, unknown>);
  }
}
