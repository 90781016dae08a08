/**
 * Every scenario the simulator ships, by stable kebab-case id. Pages name scenarios by these ids in
 * their frontmatter, and the site build fails on an id missing here.
 */
import type { Scenario } from './types';
import { mistakenIdentity } from './mistaken-identity';

/** Scenarios by id. */
export const scenarios: Readonly<Record<string, Scenario>> = {
  [mistakenIdentity.id]: mistakenIdentity,
};

/** The ids of all scenarios. */
export const scenarioIds: readonly string[] = Object.keys(scenarios);
