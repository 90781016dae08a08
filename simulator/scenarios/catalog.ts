/**
 * Every scenario the simulator ships, by stable kebab-case id. Pages name scenarios by these ids in
 * their frontmatter, and the site build fails on an id missing here.
 */
import type { Scenario } from './types';
import { mistakenIdentity } from './mistaken-identity';
import { mutualAuth } from './mutual-auth';
import { l7Cilium } from './l7-cilium';
import { l7EnvoyBlastRadius } from './l7-envoy-blast-radius';
import { istioMistakenIdentity } from './istio-mistaken-identity';
import { sandbox } from './sandbox';
import { referenceLabs } from './reference';

/** Scenarios by id. */
export const scenarios: Readonly<Record<string, Scenario>> = {
  [mistakenIdentity.id]: mistakenIdentity,
  [mutualAuth.id]: mutualAuth,
  [l7Cilium.id]: l7Cilium,
  [l7EnvoyBlastRadius.id]: l7EnvoyBlastRadius,
  [istioMistakenIdentity.id]: istioMistakenIdentity,
  [sandbox.id]: sandbox,
  ...Object.fromEntries(referenceLabs.map((lab) => [lab.id, lab])),
};

/** The ids of all scenarios. */
export const scenarioIds: readonly string[] = Object.keys(scenarios);
