import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageFrontmatterSchema } from '../../src/content/frontmatter';
import { headingSlugs, internalLinks, referencePages, type ReferencePage } from './reference/pages';

// Frontmatter is validated at build time, so a typo in a page fails the build instead of rendering nothing.
describe('content: frontmatter schema', () => {
  const valid = { description: 'A page that explains something in enough words.' };

  it('accepts a page that embeds no scenario', () => {
    expect(pageFrontmatterSchema.parse(valid)).toEqual({ ...valid, scenarios: [] });
  });

  it('refuses a scenario id the simulator does not know, naming the id', () => {
    const result = pageFrontmatterSchema.safeParse({ ...valid, scenarios: ['no-such-scenario'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('unknown scenario id "no-such-scenario"');
  });

  it('refuses a missing or too short description', () => {
    expect(pageFrontmatterSchema.safeParse({}).success).toBe(false);
    expect(pageFrontmatterSchema.safeParse({ description: 'Short.' }).success).toBe(false);
  });
});

// The Cilium security reference is one page per page of Cilium's security docs, in learner order,
// and its links must land: a broken anchor or a missing page fails here rather than in a reader's hands.
describe('content: the Cilium security reference', () => {
  const pages = referencePages();
  // The parts of a page split in several (policy-language/layer-3) sit in its folder, below its number.
  const topics = pages.filter((page) => page.slug !== 'index' && !page.slug.includes('/'));
  const order = (page: ReferencePage): unknown =>
    (page.frontmatter.sidebar as { order?: unknown } | undefined)?.order;

  it.each(pages.map((page) => ({ slug: page.slug, page })))(
    '$slug: has a title and passes the schema',
    ({ page }) => {
      expect(typeof page.frontmatter.title).toBe('string');
      expect(pageFrontmatterSchema.safeParse(page.frontmatter).success).toBe(true);
    },
  );

  it('has 19 pages, ordered 1 to 19 after the overview', () => {
    expect(topics).toHaveLength(19);
    expect(topics.map(order).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 19 }, (_, index) => index + 1),
    );
    expect(order(pages.find((page) => page.slug === 'index') ?? topics[0]!)).toBe(0);
  });

  it('links every page from the overview', () => {
    const overview = pages.find((page) => page.slug === 'index');
    const linked = new Set(internalLinks(overview?.source ?? ''));
    expect(topics.filter((page) => !linked.has(`/reference/${page.slug}/`)).map((page) => page.slug)).toEqual(
      [],
    );
  });

  const links = pages.flatMap((page) =>
    [...page.source.matchAll(/\]\((\/(?:reference|guides)\/[^)\s]*)\)/g)].map((match) => ({
      from: page.slug,
      href: match[1] ?? '',
    })),
  );

  it.each(links)('$from → $href exists', ({ href }) => {
    const [path = '', anchor] = href.split('#');
    const file = join(process.cwd(), 'content', `${path.replace(/^\/|\/$/g, '') || 'index'}.mdx`);
    expect(existsSync(file), `${file} is missing`).toBe(true);
    if (anchor !== undefined) expect(headingSlugs(readFileSync(file, 'utf8'))).toContain(anchor);
  });
});
