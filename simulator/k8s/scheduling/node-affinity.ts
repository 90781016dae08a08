/**
 * The NodeAffinity plugin (kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go at v1.24.0, with the matching rules
 * of staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go): a pod
 * goes only to nodes whose labels match its nodeSelector and one of its required node selector
 * terms; each preferred term a node matches adds the term's weight to the node's score. Its
 * PreFilter narrows the cycle to the nodes a `metadata.name` field requirement names.
 */
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../objects';

/** NodeAffinity's reason, an UnschedulableAndUnresolvable status. */
export const nodeAffinityReason = "node(s) didn't match Pod's node affinity/selector";

const int64Pattern = /^[+-]?\d+$/;

/** A label requirement as labels.Requirement.Matches reads it (Gt and Lt compare integers). */
function requirementMatches(
  requirement: NodeSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return present && value !== undefined && values.includes(value);
    case 'NotIn':
      return !present || value === undefined || !values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      if (!present || value === undefined || values.length !== 1) return false;
      const limit = values[0]!;
      if (!int64Pattern.test(value) || !int64Pattern.test(limit)) return false;
      const actual = BigInt(value);
      const bound = BigInt(limit);
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** A matchFields requirement: only metadata.name with In or NotIn is valid. */
function fieldRequirementMatches(requirement: NodeSelectorRequirement, node: Node): boolean {
  if (requirement.key !== 'metadata.name') return false;
  const values = requirement.values ?? [];
  if (requirement.operator === 'In') return values.includes(node.metadata.name);
  if (requirement.operator === 'NotIn') return !values.includes(node.metadata.name);
  return false;
}

/** Whether a node selector term matches; an empty term matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm | undefined, node: Node): boolean {
  const expressions = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const requirement of expressions) if (!requirementMatches(requirement, labels)) return false;
  for (const requirement of fields) if (!fieldRequirementMatches(requirement, node)) return false;
  return true;
}

/**
 * Whether the node satisfies the pod's nodeSelector and required node affinity
 * (PodMatchesNodeSelectorAndAffinityTerms): what the filter checks and what PodTopologySpread
 * requires of the nodes it counts.
 */
export function podMatchesNodeSelectorAndAffinity(pod: Pick<Pod, 'spec'>, node: Node): boolean {
  const selector = pod.spec.nodeSelector;
  if (selector !== undefined) {
    const labels = node.metadata.labels ?? {};
    for (const key in selector)
      if (!Object.hasOwn(labels, key) || labels[key] !== selector[key]) return false;
  }
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  for (const term of required.nodeSelectorTerms ?? []) if (nodeSelectorTermMatches(term, node)) return true;
  return false;
}

/**
 * NodeAffinity's PreFilter result: the node names a pod's required node affinity pins it to through
 * `matchFields` on metadata.name (In), as a DaemonSet's pods are pinned, so that the cycle looks at
 * those nodes only. The requirements of one term intersect, the terms unite; undefined when some
 * term names no node, which leaves every node eligible.
 */
export function preFilterNodeNames(pod: Pick<Pod, 'spec'>): ReadonlySet<string> | undefined {
  const terms =
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const requirement of term.matchFields ?? []) {
      if (requirement.key !== 'metadata.name' || requirement.operator !== 'In') continue;
      const values = new Set(requirement.values ?? []);
      termNames =
        termNames === undefined ? values : new Set([...termNames].filter((name) => values.has(name)));
    }
    if (termNames === undefined) return undefined;
    for (const name of termNames) names.add(name);
  }
  return names;
}

/** Whether the pod constrains nodes at all (most pods do not, and skip the check). */
export function podHasNodeConstraints(pod: Pod): boolean {
  return (
    pod.spec.nodeSelector !== undefined ||
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined
  );
}

/** NodeAffinity's raw score: the summed weights of the preferred terms the node matches. */
export function preferredNodeAffinityScore(pod: Pod, node: Node): number {
  const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (preferred === undefined) return 0;
  let score = 0;
  for (const term of preferred)
    if (term.weight !== 0 && nodeSelectorTermMatches(term.preference, node)) score += term.weight;
  return score;
}
