/**
 * How kubectl prints RBAC rules (kubectl pkg/util/rbac and pkg/describe at v0.33.0), for
 * `auth can-i --list` and `describe role|clusterrole`: each rule broken down to one verb, group,
 * resource and name, merged back per resource (verbs appended), sorted by the rule's Go string.
 */
import type { PolicyRule } from '../k8s/objects';
import { breakdownRule } from '../k8s/rbac-escalation';

/** Go's `%v` of a []string. */
export const goList = (values: readonly string[] | undefined): string => `[${(values ?? []).join(' ')}]`;

/** The generated String() of a PolicyRule, which --list sorts by. */
const ruleString = (rule: PolicyRule): string =>
  `&PolicyRule{Verbs:${goList(rule.verbs)},APIGroups:${goList(rule.apiGroups)},Resources:${goList(rule.resources)},ResourceNames:${goList(rule.resourceNames)},NonResourceURLs:${goList(rule.nonResourceURLs)},}`;

/** CompactRules: resource rules on one group, resource and name merge their verbs. */
function compact(rules: readonly PolicyRule[]): PolicyRule[] {
  const simple = new Map<string, PolicyRule>();
  const others: PolicyRule[] = [];
  for (const rule of rules) {
    if ((rule.nonResourceURLs ?? []).length > 0 || (rule.resourceNames ?? []).length > 1) {
      others.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups?.[0], rule.resources?.[0], rule.resourceNames?.[0] ?? null]);
    const known = simple.get(key);
    if (known === undefined) simple.set(key, { ...rule, verbs: [...rule.verbs] });
    else for (const verb of rule.verbs) if (!known.verbs.includes(verb)) known.verbs.push(verb);
  }
  return [...others, ...simple.values()];
}

/** describe.CombineResourceGroup: `pods`, `deployments.apps`, `pods/exec`. */
export function combineResourceGroup(rule: PolicyRule): string {
  const [resource = '', subresource] = (rule.resources?.[0] ?? '').split('/', 2);
  if (rule.resources === undefined || rule.resources.length === 0) return '';
  const group = rule.apiGroups?.[0] ?? '';
  return `${resource}${group !== '' ? `.${group}` : ''}${subresource !== undefined ? `/${subresource}` : ''}`;
}

/** The rules as kubectl lists them: broken down, compacted, sorted by their Go string. */
export function compactSortedRules(rules: readonly PolicyRule[]): PolicyRule[] {
  return compact(rules.flatMap(breakdownRule)).sort((a, b) => {
    const left = ruleString(a);
    const right = ruleString(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}
