/**
 * The InterPodAffinity plugin (kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/interpodaffinity: filtering.go and scoring.go at v1.24.0). Its
 * filter keeps a pod out of topology domains (the nodes sharing a value of the term's topologyKey)
 * that break its required affinity or anti-affinity, or the required anti-affinity of pods already
 * there; its score adds the weights of preferred terms, the pod's own and those of pods already
 * placed, per domain. Pods are counted per label set (node-info-cache.ts), Terminating ones
 * included, as the scheduler's NodeInfo lists them.
 */
import { selectorMatches } from '../metadata';
import type { Affinity, LabelSelector, Node, Pod, PodAffinityTerm } from '../objects';
import {
  candidateLabelSets,
  type AffinityGroup,
  type LabelSetCounts,
  type NodeInfoCache,
} from './node-info-cache';

/** A term made ready for matching (framework.AffinityTerm), with its weight when preferred. */
export interface AffinityTerm {
  readonly topologyKey: string;
  /** Namespaces named by the term, or the owning pod's own when it names none and has no selector. */
  readonly namespaces: ReadonlySet<string>;
  /** Namespaces picked by labels; undefined picks none, an empty selector picks all. */
  readonly namespaceSelector: LabelSelector | undefined;
  /** Pods picked by labels; undefined (no labelSelector) picks none. */
  readonly selector: LabelSelector | undefined;
  readonly weight: number;
}

/** Namespace name → its labels (for namespaceSelector). */
export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

function compileTerm(term: PodAffinityTerm, ownNamespace: string, weight: number): AffinityTerm {
  const named = Array.isArray(term.namespaces) ? term.namespaces : [];
  const namespaces = named.length === 0 && term.namespaceSelector === undefined ? [ownNamespace] : named;
  return {
    topologyKey: term.topologyKey,
    namespaces: new Set(namespaces),
    namespaceSelector: term.namespaceSelector ?? undefined,
    selector: term.labelSelector ?? undefined,
    weight,
  };
}

/** A pod's terms, grouped as framework.PodInfo groups them. */
export interface PodAffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
}

const noTerms: PodAffinityTerms = {
  requiredAffinity: [],
  requiredAntiAffinity: [],
  preferredAffinity: [],
  preferredAntiAffinity: [],
};
const termsByAffinity = new WeakMap<Affinity, Map<string, PodAffinityTerms>>();

/** A pod's affinity terms, memoised per affinity object and namespace (shared by a ReplicaSet's pods). */
export function podAffinityTerms(pod: Pod): PodAffinityTerms {
  const affinity = pod.spec.affinity;
  if (affinity?.podAffinity === undefined && affinity?.podAntiAffinity === undefined) return noTerms;
  const namespace = pod.metadata.namespace ?? 'default';
  let byNamespace = termsByAffinity.get(affinity);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    termsByAffinity.set(affinity, byNamespace);
  }
  let terms = byNamespace.get(namespace);
  if (terms === undefined) {
    terms = {
      requiredAffinity: requiredTerms(
        affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
        namespace,
      ),
      requiredAntiAffinity: requiredTerms(
        affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
        namespace,
      ),
      preferredAffinity: preferredTerms(
        affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
        namespace,
      ),
      preferredAntiAffinity: preferredTerms(
        affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
        namespace,
      ),
    };
    byNamespace.set(namespace, terms);
  }
  return terms;
}

/**
 * A new list of compiled terms. Every such list is made here and filled by push, so that the
 * lists the plugin's hot code reads share one hidden class (a `.map()` result's elements kind
 * depends on whether the mapping code was optimised when it ran).
 */
function newTermList(): AffinityTerm[] {
  return [];
}

function requiredTerms(list: readonly PodAffinityTerm[] | undefined, namespace: string): AffinityTerm[] {
  const terms = newTermList();
  for (const term of list ?? []) terms.push(compileTerm(term, namespace, 1));
  return terms;
}

function preferredTerms(
  list: readonly { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined,
  namespace: string,
): AffinityTerm[] {
  const terms = newTermList();
  for (const term of list ?? []) terms.push(compileTerm(term.podAffinityTerm, namespace, term.weight));
  return terms;
}

/** Whether a term picks pods of this namespace with these labels (AffinityTerm.Matches). */
function termMatches(
  term: AffinityTerm,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
  namespaceLabels: NamespaceLabels,
): boolean {
  const inNamespace =
    term.namespaces.has(namespace) ||
    (term.namespaceSelector !== undefined &&
      selectorMatches(term.namespaceSelector, namespaceLabels(namespace) ?? {}));
  return inNamespace && selectorMatches(term.selector, labels);
}

/**
 * Whether every term picks the pods of this namespace with these labels. A loop rather than
 * `every` with a closure: a function whose parameters a closure captures allocates their context
 * on each call, closure made or not, and the PreFilter runs every cycle.
 */
function allTermsMatch(
  terms: readonly AffinityTerm[],
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
  namespaceLabels: NamespaceLabels,
): boolean {
  for (const term of terms) if (!termMatches(term, namespace, labels, namespaceLabels)) return false;
  return true;
}

function anyTermMatches(
  terms: readonly AffinityTerm[],
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
  namespaceLabels: NamespaceLabels,
): boolean {
  for (const term of terms) if (termMatches(term, namespace, labels, namespaceLabels)) return true;
  return false;
}

/**
 * Whether placed pods' terms pick the pods of one label set, as of a generation; kept on the label
 * set (LabelSetCounts.affinityVerdict).
 */
interface PlacedTermsVerdict {
  readonly generation: number;
  /** Some placed pod's required anti-affinity term picks it (PreFilter has domains to count). */
  readonly requiredAntiAffinity: boolean;
  /** Some placed pod's required affinity or preferred term picks it (PreScore has weights to add). */
  readonly scoring: boolean;
}

/**
 * Which kinds of placed pods' terms pick the incoming pod. It depends only on the affinity groups'
 * terms, the pod's labels and namespace (its label set), and namespace labels, so it is kept until
 * a group comes or goes or a Namespace is written (cache.affinityGeneration): most pods are picked
 * by no term, and their cycles then skip matching every group's terms.
 */
function placedTermsVerdict(
  cache: NodeInfoCache,
  labelSet: LabelSetCounts,
  namespaceLabels: NamespaceLabels,
): PlacedTermsVerdict {
  const known = labelSet.affinityVerdict as PlacedTermsVerdict | undefined;
  if (known !== undefined && known.generation === cache.affinityGeneration) return known;
  const namespace = labelSet.namespace;
  const labels = labelSet.labels;
  let requiredAntiAffinity = false;
  let scoring = false;
  for (const group of cache.affinityGroups.values()) {
    const theirs = podAffinityTerms(group.pod);
    requiredAntiAffinity ||= anyTermMatches(theirs.requiredAntiAffinity, namespace, labels, namespaceLabels);
    scoring ||=
      anyTermMatches(theirs.requiredAffinity, namespace, labels, namespaceLabels) ||
      anyTermMatches(theirs.preferredAffinity, namespace, labels, namespaceLabels) ||
      anyTermMatches(theirs.preferredAntiAffinity, namespace, labels, namespaceLabels);
  }
  const verdict = { generation: cache.affinityGeneration, requiredAntiAffinity, scoring };
  labelSet.affinityVerdict = verdict;
  return verdict;
}

/** Topology key → value → count (topologyToMatchedTermCount, nested to avoid building pair keys). */
export type TopologyCounts = Map<string, Map<string, number>>;

function addToDomain(counts: TopologyCounts, key: string, node: Node | undefined, amount: number): void {
  const value = node?.metadata.labels?.[key];
  if (value === undefined) return;
  let values = counts.get(key);
  if (values === undefined) {
    values = new Map();
    counts.set(key, values);
  }
  const total = (values.get(value) ?? 0) + amount;
  if (total === 0) values.delete(value);
  else values.set(value, total);
}

function domainCount(counts: TopologyCounts, key: string, node: Node): number {
  const value = node.metadata.labels?.[key];
  return value === undefined ? 0 : (counts.get(key)?.get(value) ?? 0);
}

/** Counts of nothing, shared by the states that count nothing (never written to). */
const noCounts: TopologyCounts = new Map();

function isEmpty(counts: TopologyCounts): boolean {
  // Without entries there is nothing to walk (a walk makes an iterator object).
  if (counts.size === 0) return true;
  for (const values of counts.values()) if (values.size > 0) return false;
  return true;
}

/** Label sets of existing pods a term picks. */
function labelSetsPicked(
  cache: NodeInfoCache,
  term: AffinityTerm,
  namespaceLabels: NamespaceLabels,
): LabelSetCounts[] {
  if (term.selector === undefined) return [];
  return candidateLabelSets(cache, term.selector).filter(
    (labelSet) =>
      labelSet.all.size > 0 && termMatches(term, labelSet.namespace, labelSet.labels, namespaceLabels),
  );
}

/** What the filter needs, computed once per scheduling cycle (InterPodAffinity's PreFilter). */
export interface InterPodAffinityFilterState {
  readonly terms: PodAffinityTerms;
  readonly affinityCounts: TopologyCounts;
  readonly antiAffinityCounts: TopologyCounts;
  readonly existingAntiAffinityCounts: TopologyCounts;
  /** Whether the pod matches all of its own required affinity terms (the first of a group). */
  readonly matchesOwnAffinity: boolean;
}

/** InterPodAffinity's PreFilter: counts per domain of the pods each kind of term concerns. */
export function interPodAffinityPreFilter(
  pod: Pod,
  terms: PodAffinityTerms,
  labelSet: LabelSetCounts,
  cache: NodeInfoCache,
  namespaceLabels: NamespaceLabels,
): InterPodAffinityFilterState | undefined {
  const ownTerms =
    terms !== noTerms && (terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0);
  // Most pods have no terms and no placed pod has required anti-affinity: nothing to check.
  if (!ownTerms && cache.podsWithRequiredAntiAffinity.size === 0) return undefined;
  const picked = placedTermsVerdict(cache, labelSet, namespaceLabels).requiredAntiAffinity;
  // Most pods have no terms and no placed pod's required anti-affinity term picks them.
  if (!ownTerms && !picked) return undefined;
  const namespace = labelSet.namespace;
  // Made when a placed pod's term picks this pod: in most cycles none does, and nothing is built.
  let existingAntiAffinityCounts: TopologyCounts | undefined;
  // Placed pods by groups with the same terms (node-info-cache.ts): each term is matched once.
  if (picked)
    for (const group of cache.affinityGroups.values())
      for (const term of podAffinityTerms(group.pod).requiredAntiAffinity)
        if (termMatches(term, namespace, pod.metadata.labels, namespaceLabels))
          for (const [nodeName, count] of group.nodes)
            addToDomain(
              (existingAntiAffinityCounts ??= new Map<string, Map<string, number>>()),
              term.topologyKey,
              cache.nodes.get(nodeName)?.node,
              count,
            );
  existingAntiAffinityCounts ??= noCounts;
  if (!ownTerms && isEmpty(existingAntiAffinityCounts)) return undefined;
  const affinityCounts: TopologyCounts = new Map();
  if (terms.requiredAffinity.length > 0) {
    const first = terms.requiredAffinity[0]!.selector;
    for (const labelSet of first === undefined ? [] : candidateLabelSets(cache, first)) {
      if (labelSet.all.size === 0) continue;
      if (!allTermsMatch(terms.requiredAffinity, labelSet.namespace, labelSet.labels, namespaceLabels))
        continue;
      for (const [nodeName, count] of labelSet.all)
        for (const term of terms.requiredAffinity)
          addToDomain(affinityCounts, term.topologyKey, cache.nodes.get(nodeName)?.node, count);
    }
  }
  const antiAffinityCounts: TopologyCounts = new Map();
  for (const term of terms.requiredAntiAffinity)
    for (const labelSet of labelSetsPicked(cache, term, namespaceLabels))
      for (const [nodeName, count] of labelSet.all)
        addToDomain(antiAffinityCounts, term.topologyKey, cache.nodes.get(nodeName)?.node, count);
  const matchesOwnAffinity =
    terms.requiredAffinity.length > 0 &&
    allTermsMatch(terms.requiredAffinity, namespace, pod.metadata.labels, namespaceLabels);
  return { terms, affinityCounts, antiAffinityCounts, existingAntiAffinityCounts, matchesOwnAffinity };
}

export const podAffinityReason = "node(s) didn't match pod affinity rules";
export const podAntiAffinityReason = "node(s) didn't match pod anti-affinity rules";
export const existingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules";

/** A filter verdict: the reason, and whether preemption could never help (UnschedulableAndUnresolvable). */
export interface FilterFailure {
  readonly reasons: readonly string[];
  readonly unresolvable: boolean;
}

function satisfiesPodAffinity(state: InterPodAffinityFilterState, node: Node): boolean {
  let podsExist = true;
  for (const term of state.terms.requiredAffinity) {
    if (node.metadata.labels?.[term.topologyKey] === undefined) return false;
    if (domainCount(state.affinityCounts, term.topologyKey, node) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself may go anywhere its topology keys exist.
  return podsExist || (isEmpty(state.affinityCounts) && state.matchesOwnAffinity);
}

// The filter's verdicts are only read, so each is one shared object.
const affinityUnsatisfied: FilterFailure = { reasons: [podAffinityReason], unresolvable: true };
const antiAffinityUnsatisfied: FilterFailure = { reasons: [podAntiAffinityReason], unresolvable: false };
const existingAntiAffinityUnsatisfied: FilterFailure = {
  reasons: [existingAntiAffinityReason],
  unresolvable: false,
};

/** InterPodAffinity's Filter for one node. */
export function interPodAffinityFilter(
  state: InterPodAffinityFilterState,
  node: Node,
): FilterFailure | undefined {
  if (!satisfiesPodAffinity(state, node)) return affinityUnsatisfied;
  for (const term of state.terms.requiredAntiAffinity)
    if (domainCount(state.antiAffinityCounts, term.topologyKey, node) > 0) return antiAffinityUnsatisfied;
  if (!isEmpty(state.existingAntiAffinityCounts)) {
    const labels = node.metadata.labels ?? {};
    for (const key in labels)
      if ((state.existingAntiAffinityCounts.get(key)?.get(labels[key]!) ?? 0) > 0)
        return existingAntiAffinityUnsatisfied;
  }
  return undefined;
}

/**
 * InterPodAffinity's PreScore: per domain, the weights of the incoming pod's preferred terms for each
 * pod there they pick (anti-affinity subtracting), plus the weights of placed pods' required affinity
 * (hardPodAffinityWeight 1) and preferred terms that pick the incoming pod. Undefined when empty.
 */
export function interPodAffinityPreScore(
  pod: Pod,
  terms: PodAffinityTerms,
  labelSet: LabelSetCounts,
  cache: NodeInfoCache,
  namespaceLabels: NamespaceLabels,
): TopologyCounts | undefined {
  const preferred =
    terms !== noTerms && (terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0);
  if (!preferred && cache.podsWithAffinity.size === 0) return undefined;
  const namespace = labelSet.namespace;
  const picked =
    cache.affinityGroups.size > 0 && placedTermsVerdict(cache, labelSet, namespaceLabels).scoring;
  // Nothing to add anywhere: the scores would be empty.
  if (!preferred && !picked) return undefined;
  const scores: TopologyCounts = new Map();
  addPicked(scores, terms.preferredAffinity, 1, cache, namespaceLabels);
  addPicked(scores, terms.preferredAntiAffinity, -1, cache, namespaceLabels);
  if (picked)
    for (const group of cache.affinityGroups.values()) {
      const theirs = podAffinityTerms(group.pod);
      addMatching(scores, theirs.requiredAffinity, 1, pod, namespace, group, cache, namespaceLabels);
      addMatching(scores, theirs.preferredAffinity, 1, pod, namespace, group, cache, namespaceLabels);
      addMatching(scores, theirs.preferredAntiAffinity, -1, pod, namespace, group, cache, namespaceLabels);
    }
  return isEmpty(scores) ? undefined : scores;
}

/** Adds the weight of each of the incoming pod's terms to the domain of every placed pod it picks, once per pod. */
function addPicked(
  scores: TopologyCounts,
  list: readonly AffinityTerm[],
  sign: number,
  cache: NodeInfoCache,
  namespaceLabels: NamespaceLabels,
): void {
  for (const term of list)
    for (const labelSet of labelSetsPicked(cache, term, namespaceLabels))
      for (const [nodeName, count] of labelSet.all)
        addToDomain(scores, term.topologyKey, cache.nodes.get(nodeName)?.node, sign * term.weight * count);
}

/**
 * Adds the weight of each of a group's terms that picks the incoming pod to the domain of every
 * node the group's pods run on, once per pod.
 */
function addMatching(
  scores: TopologyCounts,
  list: readonly AffinityTerm[],
  sign: number,
  pod: Pod,
  namespace: string,
  group: AffinityGroup,
  cache: NodeInfoCache,
  namespaceLabels: NamespaceLabels,
): void {
  for (const term of list)
    if (termMatches(term, namespace, pod.metadata.labels, namespaceLabels))
      for (const [nodeName, count] of group.nodes)
        addToDomain(scores, term.topologyKey, cache.nodes.get(nodeName)?.node, sign * term.weight * count);
}

/** InterPodAffinity's raw score of a node: the sum over its domains. */
export function interPodAffinityScore(scores: TopologyCounts, node: Node): number {
  let score = 0;
  for (const [key, values] of scores) {
    const value = node.metadata.labels?.[key];
    if (value !== undefined) score += values.get(value) ?? 0;
  }
  return score;
}
