import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { pageFrontmatterSchema } from './content/frontmatter';

/**
 * Pages live in the top-level `content/` folder rather than Starlight's default
 * `src/content/docs/`, so writers never have to open the site's source tree.
 */
export const collections = {
  docs: defineCollection({
    loader: glob({ base: './content', pattern: '**/[^_]*.{md,mdx}' }),
    schema: docsSchema({ extend: pageFrontmatterSchema }),
  }),
};
