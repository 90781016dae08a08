// The sidebar's entries for a folder of `content/`, in the order Starlight's `autogenerate` would
// give them. Starlight resolves `autogenerate.directory` against its default docs folder
// (`src/content/docs`, utils/collection.js `getCollectionPathFromRoot` in @astrojs/starlight 0.42),
// so with our pages in the top-level `content/` folder it finds none: the groups came out empty.
// This reads the same frontmatter Starlight sorts on (`sidebar.order`, `sidebar.label`,
// `sidebar.hidden`) and lists each page by slug, which Starlight then labels from its title.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const pageFile = /^[^_].*\.mdx?$/;

/** A page's frontmatter, or an empty object when it has none. */
function frontmatterOf(path) {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(path, 'utf8'));
  return match === null ? {} : (parse(match[1]) ?? {});
}

/** Starlight's order: `sidebar.order` first (pages without one last), then the slug. */
function byOrderThenSlug(a, b) {
  if (a.order !== b.order) return a.order - b.order;
  return a.slug.localeCompare(b.slug);
}

/** One page as a sorted entry: its slug, order, own label, and whether it is hidden. */
function pageEntry(path, slug) {
  const sidebar = frontmatterOf(path).sidebar ?? {};
  return {
    slug,
    order: typeof sidebar.order === 'number' ? sidebar.order : Number.POSITIVE_INFINITY,
    label: sidebar.label,
    hidden: sidebar.hidden === true,
  };
}

/**
 * Sidebar items for `content/<directory>`: a link per page, and a group per sub-folder. A folder
 * with a page of its own name beside it (`policy-language.mdx` next to `policy-language/`) becomes
 * a group named after that page, placed where that page sorts, with the page first as its overview.
 */
export function sidebarPages(directory, contentRoot = 'content') {
  const folder = join(contentRoot, directory);
  const entries = readdirSync(folder, { withFileTypes: true });
  const subFolders = new Set(entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name));
  const items = [];
  for (const entry of entries) {
    if (!entry.isFile() || !pageFile.test(entry.name)) continue;
    const name = entry.name.replace(/\.mdx?$/, '');
    const slug = name === 'index' ? directory : `${directory}/${name}`;
    const page = pageEntry(join(folder, entry.name), slug);
    if (page.hidden) continue;
    if (!subFolders.has(name)) {
      items.push({ ...page, item: page.label === undefined ? { slug } : { slug, label: page.label } });
      continue;
    }
    subFolders.delete(name);
    const title = page.label ?? frontmatterOf(join(folder, entry.name)).title ?? name;
    const parts = sidebarPages(`${directory}/${name}`, contentRoot);
    items.push({ ...page, item: { label: title, items: [{ slug, label: 'Overview' }, ...parts] } });
  }
  for (const name of subFolders) {
    const parts = sidebarPages(`${directory}/${name}`, contentRoot);
    if (parts.length > 0)
      items.push({
        slug: `${directory}/${name}`,
        order: Number.POSITIVE_INFINITY,
        item: { label: name, items: parts },
      });
  }
  return items.sort(byOrderThenSlug).map((entry) => entry.item);
}
