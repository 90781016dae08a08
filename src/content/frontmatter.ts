import { z } from 'astro/zod';
import { scenarioIds } from '../simulator';

/** Scenario ids that the simulator knows; anything else in frontmatter is a typo. */
const knownScenarioIds: ReadonlySet<string> = new Set(scenarioIds);

/** Extra frontmatter fields, merged into Starlight's own docs schema. */
export const pageFrontmatterSchema = z.object({
  // Search engines and Lighthouse penalise pages without a description.
  description: z.string().min(20, 'every page needs a description of at least 20 characters'),
  /** Ids of the simulator scenarios this page embeds; checked against the simulator at build time. */
  scenarios: z
    .array(
      z.string().refine((id) => knownScenarioIds.has(id), {
        error: (issue) => `unknown scenario id "${String(issue.input)}"; known ids: ${[...knownScenarioIds].join(', ') || '(none yet)'}`,
      }),
    )
    .default([]),
});
