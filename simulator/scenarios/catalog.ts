/**
 * Stable kebab-case ids of every scenario the simulator ships. Pages name scenarios by
 * these ids in their frontmatter, and the site build fails on an id missing here.
 */
export const scenarioIds: readonly string[] = [];
