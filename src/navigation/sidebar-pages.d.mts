/** A Starlight sidebar item: a page by slug (labelled from its title unless given), or a group. */
export type SidebarItem = { slug: string; label?: string } | { label: string; items: SidebarItem[] };

export function sidebarPages(directory: string, contentRoot?: string): SidebarItem[];
