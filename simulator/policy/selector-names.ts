/**
 * How the agent's selector cache names a peer selector, what `cilium-dbg policy selectors` prints in
 * its SELECTOR column: the generated `String()` of Cilium's slim `LabelSelector`
 * (pkg/k8s/slim/k8s/apis/meta/v1/generated.pb.go at v1.18) with keys in the extended
 * `source.key` form (`labels.GetExtendedKeyFrom`, pkg/labels at v1.18), and `FQDNSelector.String()`
 * (pkg/policy/api/fqdn.go) for DNS names.
 */
import type { DnsSelector, LabelSelector, SelectorRequirement } from './model';

/** `app` → `any.app`, `k8s:app` → `k8s.app`, as a selector key becomes in Cilium's LabelSelector. */
function extendedKey(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? `any.${key}` : `${key.slice(0, colon)}.${key.slice(colon + 1)}`;
}

function requirementString(requirement: SelectorRequirement): string {
  return `LabelSelectorRequirement{Key:${extendedKey(requirement.key)},Operator:${requirement.operator},Values:[${requirement.values.join(' ')}],}`;
}

/** The selector as Go's generated String() prints it, match labels sorted by key. */
export function labelSelectorString(
  matchLabels: readonly (readonly [string, string])[],
  matchExpressions: readonly SelectorRequirement[] = [],
): string {
  const labels = matchLabels
    .map(([key, value]) => [extendedKey(key), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}: ${value},`)
    .join('');
  const expressions = matchExpressions.map((requirement) => `${requirementString(requirement)},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}

/** An endpoint selector with the namespace the policy adds to it (a namespaced policy's own namespace). */
export function endpointSelectorString(selector: LabelSelector, namespace?: string): string {
  const labels =
    namespace === undefined
      ? selector.matchLabels
      : [...selector.matchLabels, ['k8s:io.kubernetes.pod.namespace', namespace] as const];
  return labelSelectorString(labels, selector.matchExpressions);
}

/** A `toFQDNs` entry as the selector cache names it. */
export function fqdnSelectorString(selector: DnsSelector): string {
  return `MatchName: ${selector.matchName ?? ''}, MatchPattern: ${selector.matchPattern ?? ''}`;
}
