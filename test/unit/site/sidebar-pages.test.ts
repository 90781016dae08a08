import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sidebarPages } from '../../../src/navigation/sidebar-pages.mjs';

// The sidebar lists every page of a content folder, in the order its frontmatter asks for.

type Item = { slug?: string; label?: string; items?: Item[] };

/** Every slug an item list links to, groups included. */
function slugsOf(items: Item[]): string[] {
  return items.flatMap((item) => (item.items ? slugsOf(item.items) : item.slug ? [item.slug] : []));
}

/** Every page file under a content folder, as the slug Astro gives it. */
function pageSlugs(directory: string): string[] {
  return readdirSync(join('content', directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.mdx?$/.test(file) && !file.split('/').pop()!.startsWith('_'))
    .map((file) => {
      const slug = `${directory}/${file.replace(/\.mdx?$/, '')}`;
      return slug.endsWith('/index') ? slug.slice(0, -'/index'.length) : slug;
    });
}

function writePage(root: string, path: string, frontmatter: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), `---\ntitle: ${path}\n${frontmatter}---\n\nText.\n`);
}

describe('sidebar: the pages of a content folder', () => {
  it.each(['guides', 'reference'])('links every page under content/%s exactly once', (directory) => {
    const linked = slugsOf(sidebarPages(directory));
    expect([...linked].sort()).toEqual(pageSlugs(directory).sort());
  });

  it('orders by sidebar.order, pages without one last by slug, and skips hidden pages', () => {
    const root = mkdtempSync(join(tmpdir(), 'sidebar-'));
    writePage(root, 'docs/zeta.mdx', 'sidebar:\n  order: 1\n');
    writePage(root, 'docs/alpha.mdx', '');
    writePage(root, 'docs/beta.md', 'sidebar:\n  order: 2\n  label: Second\n');
    writePage(root, 'docs/secret.mdx', 'sidebar:\n  hidden: true\n');
    writePage(root, 'docs/index.mdx', 'sidebar:\n  order: 0\n');
    expect(sidebarPages('docs', root)).toEqual([
      { slug: 'docs' },
      { slug: 'docs/zeta' },
      { slug: 'docs/beta', label: 'Second' },
      { slug: 'docs/alpha' },
    ]);
  });

  it("makes a folder beside a page of its name a group at that page's place, the page first", () => {
    const root = mkdtempSync(join(tmpdir(), 'sidebar-'));
    writePage(root, 'docs/first.mdx', 'sidebar:\n  order: 1\n');
    writePage(root, 'docs/language.mdx', 'sidebar:\n  order: 2\n');
    writePage(root, 'docs/language/part-b.mdx', 'sidebar:\n  order: 2\n');
    writePage(root, 'docs/language/part-a.mdx', 'sidebar:\n  order: 1\n');
    writePage(root, 'docs/last.mdx', 'sidebar:\n  order: 3\n');
    expect(sidebarPages('docs', root)).toEqual([
      { slug: 'docs/first' },
      {
        label: 'docs/language.mdx',
        items: [
          { slug: 'docs/language', label: 'Overview' },
          { slug: 'docs/language/part-a' },
          { slug: 'docs/language/part-b' },
        ],
      },
      { slug: 'docs/last' },
    ]);
  });
});
