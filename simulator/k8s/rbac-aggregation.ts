/**
 * kube-controller-manager's ClusterRole aggregation controller: a ClusterRole with an
 * aggregationRule (admin, edit, view) gets the rules of every ClusterRole its selectors match,
 * taken in name order without repeating a rule, whenever any ClusterRole changes (kubernetes
 * pkg/controller/clusterroleaggregation). That is how a CRD's `aggregate-to-view` role extends
 * `view` in a real cluster.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { keyOf, listObjects } from './api-store';
import { apiPut } from './api-writes';
import { selectorMatches } from './metadata';
import type { ClusterRole, PolicyRule } from './objects';

const sameRule = (a: PolicyRule, b: PolicyRule): boolean => JSON.stringify(a) === JSON.stringify(b);

function aggregatedRules(role: ClusterRole, roles: readonly ClusterRole[]): PolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  const rules: PolicyRule[] = [];
  const sources = roles
    .filter((candidate) => candidate.metadata.name !== role.metadata.name)
    .filter((candidate) => selectors.some((selector) => selectorMatches(selector, candidate.metadata.labels)))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const source of sources)
    for (const rule of source.rules ?? [])
      if (!rules.some((known) => sameRule(known, rule))) rules.push(rule);
  return rules;
}

/** Recomputes every aggregated ClusterRole and writes the ones whose rules changed. */
export function syncClusterRoleAggregation(world: World): void {
  const api = requireCluster(world).api;
  // Aggregated roles may feed each other (edit into admin): repeat until nothing changes.
  for (let round = 0; round < 4; round++) {
    const roles = listObjects(api, 'ClusterRole');
    let changed = false;
    for (const role of roles) {
      if (role.aggregationRule === undefined) continue;
      const rules = aggregatedRules(role, roles);
      if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) continue;
      apiPut(world, { ...role, rules }, keyOf(role));
      changed = true;
    }
    if (!changed) return;
  }
}
