/**
 * kube-controller-manager's ClusterRole aggregation controller: a ClusterRole with an
 * aggregationRule (admin, edit, view) gets the rules of every ClusterRole its selectors match,
 * taken in name order without repeating a rule, whenever any ClusterRole changes (kubernetes
 * pkg/controller/clusterroleaggregation). That is how a CRD's `aggregate-to-view` role extends
 * `view` in a real cluster.
 */
import { canonicalJson } from '../engine/state-hash';
import type { World } from '../world';
import { requireCluster } from '../world';
import { keyOf, listObjects } from './api-store';
import { apiPut } from './api-writes';
import { selectorMatches } from './metadata';
import type { ClusterRole, PolicyRule } from './objects';

/** A role's rules gathered from the roles its selectors match, in name order, each rule once. */
function aggregatedRules(role: ClusterRole, roles: readonly ClusterRole[]): PolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  const rules: PolicyRule[] = [];
  // The controller skips a rule deep-equal to one it took (ruleExists); a rule's canonical JSON,
  // written once per rule, tells the same apart whatever order its writer put the fields in.
  const seen = new Set<string>();
  const sources = roles
    .filter((candidate) => candidate.metadata.name !== role.metadata.name)
    .filter((candidate) => selectors.some((selector) => selectorMatches(selector, candidate.metadata.labels)))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const source of sources)
    for (const rule of source.rules ?? []) {
      const text = canonicalJson(rule);
      if (seen.has(text)) continue;
      seen.add(text);
      rules.push(rule);
    }
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
