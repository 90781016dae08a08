/**
 * The PodTopologySpread plugin (kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/podtopologyspread: filtering.go, scoring.go and plugin.go at
 * v1.24.0). A pod's own constraints with whenUnsatisfiable: DoNotSchedule filter nodes: placing the
 * pod must not leave its domain more than maxSkew matching pods above the emptiest domain. Its
 * ScheduleAnyway constraints, or for a pod with none at all the cluster's default constraints,
 * score nodes: fewer matching pods in a node's domains score higher.
 *
 * The default constraints (DefaultingType System) spread by hostname with maxSkew 3 and by zone with
 * maxSkew 5, over the pods that the Services, and the ReplicaSet, selecting this pod select
 * (helper.DefaultSelector in pkg/scheduler/framework/plugins/helper/spread.go). A kind node has no
 * zone label, so only the hostname constraint counts there. Matching pods are counted per node from
 * the label-set counts (node-info-cache.ts), leaving out Terminating pods as countPodsMatchSelector
 * does. Later versions add minDomains (alpha in v1.24, not modelled), matchLabelKeys and the node
 * inclusion policies (v1.25+).
 */
import { getObject, namespacedKey, type ApiStore } from '../api-store';
import { selectorMatches } from '../metadata';
import type { LabelSelector, Node, OwnerReference, Pod, TopologySpreadConstraint } from '../objects';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity';
import {
  candidateLabelSets,
  labelSetOf,
  type LabelSetCounts,
  type NodeInfo,
  type NodeInfoCache,
} from './node-info-cache';

/** A constraint made ready for counting. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  /** Pods counted in a domain; undefined (no labelSelector) counts none. */
  readonly selector: LabelSelector | undefined;
  /** The label sets of the pod's namespace that the selector picks (brought up to date by catchUp). */
  readonly picked: PickedLabelSets;
}

const hostnameLabel = 'kubernetes.io/hostname';
const zoneLabel = 'topology.kubernetes.io/zone';

/** The cluster-level default constraints kube-scheduler applies (v1.24's systemDefaultConstraints). */
const systemDefaultConstraints = [
  { topologyKey: hostnameLabel, maxSkew: 3 },
  { topologyKey: zoneLabel, maxSkew: 5 },
];

const noConstraints: readonly never[] = [];

/*
 * Hidden classes: V8 optimises each read of a list for the kinds of array it has seen there, and
 * an array's kind depends on how it was made (a `[]` filled by push holds PACKED elements; a
 * `.map()` or `.filter()` result is HOLEY or PACKED depending on whether the calling code was
 * optimised when it ran). The lists below that hot code reads (constraints, picked label sets,
 * weights) are therefore each made at one site and filled by push, so that every list a read
 * meets has one hidden class and optimised code is never sent back to the interpreter for a new one.
 */
/** The label sets of one namespace a selector picks, as of a length of the cache's list. */
interface PickedLabelSets {
  readonly namespace: string;
  readonly selector: LabelSelector | undefined;
  sets: LabelSetCounts[];
  /** cache.labelSets.length when `sets` was brought up to date (the list only grows); -1 before. */
  seen: number;
}

/**
 * Brings the picked label sets up to date: the first time from the inverted index, then by checking
 * only the label sets that appeared since (the list is append-only, in the order the index lists
 * them too), so that a new ReplicaSet's label set does not send every memo back to the index.
 */
function catchUp(cache: NodeInfoCache, picked: PickedLabelSets): void {
  const labelSets = cache.labelSets;
  if (picked.seen === labelSets.length || picked.selector === undefined) return;
  const selector = picked.selector;
  const namespace = picked.namespace;
  // The first time, the candidates the inverted index names; then those added since.
  const candidates = picked.seen < 0 ? candidateLabelSets(cache, selector) : labelSets;
  for (let i = picked.seen < 0 ? 0 : picked.seen; i < candidates.length; i++) {
    const labelSet = candidates[i]!;
    if (labelSet.namespace === namespace && selectorMatches(selector, labelSet.labels))
      picked.sets.push(labelSet);
  }
  picked.seen = labelSets.length;
}

/** The label sets of a namespace a selector picks (none without a selector). */
function labelSetsFor(
  cache: NodeInfoCache,
  namespace: string,
  selector: LabelSelector | undefined,
): PickedLabelSets {
  const picked: PickedLabelSets = { namespace, selector, sets: [], seen: -1 };
  catchUp(cache, picked);
  return picked;
}

/** Matching pods on one node that are not being deleted (countPodsMatchSelector). */
export function matchingPodsOn(constraint: SpreadConstraint, nodeName: string): number {
  const sets = constraint.picked.sets;
  if (sets.length === 1) return sets[0]!.active.get(nodeName) ?? 0;
  let count = 0;
  for (const labelSet of sets) count += labelSet.active.get(nodeName) ?? 0;
  return count;
}

/** Whether a Service's selector picks the pod; a Service without a selector picks nothing. */
function serviceSelects(
  selector: Record<string, string> | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined || selector === null) return false;
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

/** The selectors of a store's Services, in store order, as of a cache.serviceGeneration. */
interface ServiceSelectors {
  readonly generation: number;
  readonly namespaces: string[];
  readonly selectors: Record<string, string>[];
}

const serviceSelectorsOf = new WeakMap<NodeInfoCache, ServiceSelectors>();

/**
 * The Services' selectors, gathered once per Service write rather than by walking every Service
 * for each new label set (a Service without a selector picks nothing and is left out).
 */
function serviceSelectors(store: ApiStore, cache: NodeInfoCache): ServiceSelectors {
  const known = serviceSelectorsOf.get(cache);
  if (known?.generation === cache.serviceGeneration) return known;
  const gathered: ServiceSelectors = { generation: cache.serviceGeneration, namespaces: [], selectors: [] };
  const services = store.objects.Service;
  for (const key in services) {
    const service = services[key];
    if (service?.kind !== 'Service') continue;
    const selector = service.spec.selector;
    if (selector === undefined || selector === null) continue;
    gathered.namespaces.push(service.metadata.namespace ?? 'default');
    gathered.selectors.push(selector);
  }
  serviceSelectorsOf.set(cache, gathered);
  return gathered;
}

/**
 * helper.DefaultSelector: the merged selectors of the pod's namespace's Services that pick it, and
 * the selector of the ReplicaSet controlling it. Undefined when that selects nothing in particular.
 */
function defaultSpreadSelector(store: ApiStore, cache: NodeInfoCache, pod: Pod): LabelSelector | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  const labels = pod.metadata.labels ?? {};
  const matchLabels: Record<string, string> = {};
  const services = serviceSelectors(store, cache);
  for (let i = 0; i < services.selectors.length; i++) {
    const selector = services.selectors[i]!;
    if (services.namespaces[i] === namespace && serviceSelects(selector, labels))
      Object.assign(matchLabels, selector);
  }
  let matchExpressions: LabelSelector['matchExpressions'];
  const owner = controllerReference(pod);
  if (owner?.kind === 'ReplicaSet' && owner.apiVersion.startsWith('apps/')) {
    // By name, as the scheduler's lister finds it; namespacedKey hands out the stored key's string.
    const replicaSet = getObject(store, 'ReplicaSet', namespacedKey(namespace, owner.name));
    if (replicaSet !== undefined) {
      Object.assign(matchLabels, replicaSet.spec.selector.matchLabels);
      const expressions = replicaSet.spec.selector.matchExpressions ?? [];
      if (expressions.length > 0) matchExpressions = [...expressions];
    }
  }
  if (matchExpressions !== undefined) return { matchLabels, matchExpressions };
  for (const key in matchLabels) if (Object.hasOwn(matchLabels, key)) return { matchLabels };
  return undefined;
}

/** The pod's controller's owner reference, if any. */
function controllerReference(pod: Pod): OwnerReference | undefined {
  const references = pod.metadata.ownerReferences;
  if (references === undefined) return undefined;
  for (const reference of references) if (reference.controller) return reference;
  return undefined;
}

/** A new list of compiled constraints: every such list is made here (see above). */
function newConstraintList(): SpreadConstraint[] {
  return [];
}

function spreadConstraint(
  maxSkew: number,
  topologyKey: string,
  selector: LabelSelector | undefined,
  picked: PickedLabelSets,
): SpreadConstraint {
  return { maxSkew, topologyKey, selector, picked };
}

/**
 * A pod's own constraints with whenUnsatisfiable `when`, made ready for counting. Consecutive ones
 * with the same selector object share the label sets it picks, found once.
 */
function compileOwn(
  cache: NodeInfoCache,
  pod: Pod,
  own: readonly TopologySpreadConstraint[],
  when: TopologySpreadConstraint['whenUnsatisfiable'],
): SpreadConstraint[] {
  const namespace = pod.metadata.namespace ?? 'default';
  const compiled = newConstraintList();
  let picked: PickedLabelSets | undefined;
  for (const constraint of own) {
    if (constraint.whenUnsatisfiable !== when) continue;
    const selector = constraint.labelSelector ?? undefined;
    if (picked === undefined || picked.selector !== selector)
      picked = labelSetsFor(cache, namespace, selector);
    compiled.push(spreadConstraint(constraint.maxSkew, constraint.topologyKey, selector, picked));
  }
  return compiled;
}

/** The system default constraints with one selector (none without), sharing the label sets it picks. */
function compileDefaults(
  cache: NodeInfoCache,
  namespace: string,
  selector: LabelSelector | undefined,
): SpreadConstraint[] {
  const compiled = newConstraintList();
  if (selector === undefined) return compiled;
  const picked = labelSetsFor(cache, namespace, selector);
  for (const constraint of systemDefaultConstraints)
    compiled.push(spreadConstraint(constraint.maxSkew, constraint.topologyKey, selector, picked));
  return compiled;
}

/**
 * What scoringConstraints found for the pods of one label set and owner, and the Services it was
 * computed with; kept on the label set (LabelSetCounts.spreadMemo).
 */
interface ScoringMemo {
  /** The controller's uid, or '' for pods without a controller (the label set names the namespace). */
  readonly owner: string;
  readonly serviceGeneration: number;
  readonly constraints: SpreadConstraint[];
  readonly systemDefaulted: boolean;
  /** The score state defaultsWithoutDomains made last for these constraints. */
  defaultState: DefaultState | undefined;
}

/** The default constraints' score state when no node has a zone, and what it depends on. */
interface DefaultState {
  readonly generation: number;
  readonly feasible: number;
  readonly state: SpreadScoreState;
}

/**
 * The constraints the score uses: the pod's ScheduleAnyway constraints, or the defaults when the pod
 * has no constraints at all (and something selects it). `systemDefaulted` says which.
 */
export function scoringConstraints(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
): { constraints: SpreadConstraint[]; systemDefaulted: boolean } {
  const own = pod.spec.topologySpreadConstraints ?? noConstraints;
  if (own.length > 0)
    return { constraints: compileOwn(cache, pod, own, 'ScheduleAnyway'), systemDefaulted: false };
  return defaultScoring(store, cache, pod, labelSetOf(cache, pod));
}

/**
 * The default constraints of a pod without constraints of its own, memoised on its label set
 * (`labelSet`, labelSetOf's) per owner until a Service changes.
 */
function defaultScoring(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
  labelSet: LabelSetCounts,
): ScoringMemo {
  const owner = controllerReference(pod)?.uid ?? '';
  const memo = labelSet.spreadMemo as ScoringMemo | undefined;
  if (memo !== undefined && memo.owner === owner && memo.serviceGeneration === cache.serviceGeneration) {
    const constraints = memo.constraints;
    for (let i = 0; i < constraints.length; i++) catchUp(cache, constraints[i]!.picked);
    return memo;
  }
  // Apart, so that the check above, which nearly every cycle ends at, stays small enough to inline.
  return newScoringMemo(store, cache, pod, labelSet, owner);
}

function newScoringMemo(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
  labelSet: LabelSetCounts,
  owner: string,
): ScoringMemo {
  const selector = defaultSpreadSelector(store, cache, pod);
  const computed: ScoringMemo = {
    owner,
    serviceGeneration: cache.serviceGeneration,
    constraints: compileDefaults(cache, pod.metadata.namespace ?? 'default', selector),
    systemDefaulted: true,
    defaultState: undefined,
  };
  // One owner's memo at a time: the pods of a label set nearly always share their controller.
  labelSet.spreadMemo = computed;
  return computed;
}

function hasAllKeys(node: Node, constraints: readonly SpreadConstraint[]): boolean {
  const labels = node.metadata.labels ?? {};
  for (const constraint of constraints) if (!Object.hasOwn(labels, constraint.topologyKey)) return false;
  return true;
}

/** Topology key → value → matching pods (TpPairToMatchNum), over nodes the pod may go to. */
type DomainCounts = Map<string, Map<string, number>>;

/**
 * Matching pods per domain, summed over the nodes that satisfy the pod's node selector and affinity
 * and carry every constraint's key. With `domains`, only those domains are counted (PreScore counts
 * the domains of the feasible nodes); without, every such node's domain is (PreFilter).
 */
function countDomains(
  cache: NodeInfoCache,
  pod: Pod,
  constraints: readonly SpreadConstraint[],
  domains?: ReadonlyMap<string, ReadonlySet<string>>,
): DomainCounts {
  const counts: DomainCounts = new Map();
  for (const constraint of constraints) counts.set(constraint.topologyKey, new Map());
  for (const info of cache.nodes.values()) {
    const node = info.node;
    if (node === undefined || !hasAllKeys(node, constraints) || !podMatchesNodeSelectorAndAffinity(pod, node))
      continue;
    for (const constraint of constraints) {
      const key = constraint.topologyKey;
      const value = node.metadata.labels![key]!;
      if (domains !== undefined && domains.get(key)?.has(value) !== true) continue;
      const values = counts.get(key)!;
      values.set(value, (values.get(value) ?? 0) + matchingPodsOn(constraint, info.name));
    }
  }
  return counts;
}

/** What the filter needs, computed once per cycle (PodTopologySpread's PreFilter). */
export interface SpreadFilterState {
  readonly constraints: readonly SpreadConstraint[];
  readonly counts: DomainCounts;
  /** Per topology key, the fewest matching pods of any domain (the critical path's minimum). */
  readonly minimum: ReadonlyMap<string, number>;
}

/** PodTopologySpread's PreFilter; `own` is the pod's spec.topologySpreadConstraints, [] for none. */
export function spreadPreFilter(
  cache: NodeInfoCache,
  pod: Pod,
  own: readonly TopologySpreadConstraint[],
): SpreadFilterState | undefined {
  if (own.length === 0) return undefined;
  const constraints = compileOwn(cache, pod, own, 'DoNotSchedule');
  if (constraints.length === 0) return undefined;
  const counts = countDomains(cache, pod, constraints);
  const minimum = new Map<string, number>();
  for (const [key, values] of counts) {
    let least = Infinity;
    for (const count of values.values()) least = Math.min(least, count);
    minimum.set(key, least);
  }
  return { constraints, counts, minimum };
}

export const spreadReason = "node(s) didn't match pod topology spread constraints";
const spreadMissingLabelReason = `${spreadReason} (missing required label)`;
// The filter's verdicts are only read, so each is one shared object.
const missingLabel = { reasons: [spreadMissingLabelReason], unresolvable: true } as const;
const skewTooLarge = { reasons: [spreadReason], unresolvable: false } as const;

/** PodTopologySpread's Filter for one node. */
export function spreadFilter(
  state: SpreadFilterState,
  pod: Pod,
  node: Node,
): { readonly reasons: readonly string[]; readonly unresolvable: boolean } | undefined {
  for (const constraint of state.constraints) {
    const value = node.metadata.labels?.[constraint.topologyKey];
    if (value === undefined) return missingLabel;
    const self = selectorMatches(constraint.selector, pod.metadata.labels) ? 1 : 0;
    const matching = state.counts.get(constraint.topologyKey)?.get(value) ?? 0;
    const least = state.minimum.get(constraint.topologyKey) ?? 0;
    if (matching + self - least > constraint.maxSkew) return skewTooLarge;
  }
  return undefined;
}

/** What the score needs, computed once per cycle over the feasible nodes (PreScore). */
export interface SpreadScoreState {
  readonly constraints: readonly SpreadConstraint[];
  /** Nodes left out for lacking a constraint's key (only for a pod's own constraints). */
  readonly ignored: ReadonlySet<string>;
  readonly counts: DomainCounts;
  /** ln(domains + 2) per constraint: the weight of one matching pod. */
  readonly weights: readonly number[];
  /** Per constraint, whether every Node carries its key (then no node needs its label read). */
  readonly everyNodeLabelled: readonly boolean[];
  /** Per constraint, whether any Node carries its key (if none does, it scores nothing anywhere). */
  readonly anyNodeLabelled: readonly boolean[];
}

/**
 * The score state, with which constraints' keys every Node, and any Node, carries. Built in one
 * place, so that every state has one shape.
 */
function scoreState(
  cache: NodeInfoCache,
  constraints: readonly SpreadConstraint[],
  ignored: ReadonlySet<string>,
  counts: DomainCounts,
  weights: number[],
): SpreadScoreState {
  const everyNodeLabelled: boolean[] = [];
  const anyNodeLabelled: boolean[] = [];
  for (const constraint of constraints) {
    // nodeLabelKeys keeps counts above zero only.
    const carriers = cache.nodeLabelKeys.get(constraint.topologyKey);
    everyNodeLabelled.push(carriers === cache.nodeCount);
    anyNodeLabelled.push(carriers !== undefined);
  }
  return newScoreState(constraints, ignored, counts, weights, everyNodeLabelled, anyNodeLabelled);
}

/** Every score state is made here, so that all have one shape. */
function newScoreState(
  constraints: readonly SpreadConstraint[],
  ignored: ReadonlySet<string>,
  counts: DomainCounts,
  weights: readonly number[],
  everyNodeLabelled: readonly boolean[],
  anyNodeLabelled: readonly boolean[],
): SpreadScoreState {
  return { constraints, ignored, counts, weights, everyNodeLabelled, anyNodeLabelled };
}

const noneIgnored: ReadonlySet<string> = new Set();
const noCounts: DomainCounts = new Map();

/**
 * ln(domains + 2) per constraint: `hostnames` domains for the hostname key, for another key those
 * of `domains` (undefined: one, the empty value of nodes without the label).
 */
function weightsOf(
  constraints: readonly SpreadConstraint[],
  hostnames: number,
  domains: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): number[] {
  const weights: number[] = [];
  for (const constraint of constraints) {
    const key = constraint.topologyKey;
    const count =
      key === hostnameLabel ? hostnames : domains === undefined ? 1 : (domains.get(key)?.size ?? 0);
    weights.push(Math.log(count + 2));
  }
  return weights;
}

/**
 * The last default score state made per cache: its weights and labelled flags, which depend on the
 * Nodes and the number of feasible ones only (every memo's default constraints have the same keys
 * in the same order), serve the next memos' states too: a new ReplicaSet's memo then adds a state
 * object, not three lists.
 */
const lastDefaultStates = new WeakMap<NodeInfoCache, DefaultState>();

/**
 * The score state of the default constraints when only hostname domains exist: it depends on the
 * Nodes and the number of feasible ones only, so it is kept with the constraints' memo, which
 * spreadPreScore reuses while both are unchanged.
 */
function defaultsWithoutDomains(cache: NodeInfoCache, memo: ScoringMemo, feasible: number): SpreadScoreState {
  const constraints = memo.constraints;
  const generation = cache.nodeGeneration;
  const last = lastDefaultStates.get(cache);
  let state: SpreadScoreState;
  if (last !== undefined && last.generation === generation && last.feasible === feasible) {
    const shared = last.state;
    state = newScoreState(
      constraints,
      noneIgnored,
      noCounts,
      shared.weights,
      shared.everyNodeLabelled,
      shared.anyNodeLabelled,
    );
  } else {
    state = scoreState(
      cache,
      constraints,
      noneIgnored,
      noCounts,
      weightsOf(constraints, feasible, undefined),
    );
    lastDefaultStates.set(cache, { generation, feasible, state });
  }
  memo.defaultState = { generation, feasible, state };
  return state;
}

/**
 * PodTopologySpread's PreScore; `own` is the pod's spec.topologySpreadConstraints ([] for none),
 * `labelSet` its label set, and the first `count` nodes of `feasible` the feasible ones.
 */
export function spreadPreScore(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
  own: readonly TopologySpreadConstraint[],
  labelSet: LabelSetCounts,
  feasible: readonly NodeInfo[],
  count: number,
): SpreadScoreState | undefined {
  const systemDefaulted = own.length === 0;
  const memo = systemDefaulted ? defaultScoring(store, cache, pod, labelSet) : undefined;
  const constraints = memo?.constraints ?? compileOwn(cache, pod, own, 'ScheduleAnyway');
  if (constraints.length === 0) return undefined;
  // The defaults' kept state was made while no Node carried a key other than the hostname, which
  // only a Node write can change.
  const kept = memo?.defaultState;
  if (kept !== undefined && kept.generation === cache.nodeGeneration && kept.feasible === count)
    return kept.state;
  // A node without a key's label scores nothing for it; when no node has the label (kind's nodes
  // have no zone), the key's only domain is the empty value and there is nothing to count.
  let labelledKeys = false;
  for (const constraint of constraints)
    if (constraint.topologyKey !== hostnameLabel && cache.nodeLabelKeys.has(constraint.topologyKey))
      labelledKeys = true;
  if (memo !== undefined && !labelledKeys) return defaultsWithoutDomains(cache, memo, count);
  const ignored = new Set<string>();
  const domains = new Map<string, Set<string>>();
  for (const constraint of constraints)
    if (constraint.topologyKey !== hostnameLabel) domains.set(constraint.topologyKey, new Set());
  let labelled = false;
  for (let i = 0; i < count; i++) {
    const info = feasible[i]!;
    const node = info.node!;
    if (!systemDefaulted && !hasAllKeys(node, constraints)) {
      ignored.add(info.name);
      continue;
    }
    for (const [key, values] of domains) {
      const value = node.metadata.labels?.[key];
      values.add(value ?? '');
      if (value !== undefined) labelled = true;
    }
  }
  // A node without a key's label scores nothing for it, so without labels there is nothing to count
  // (kind's nodes have no zone label); this spares a walk over every node each cycle.
  const counts = labelled
    ? countDomains(cache, pod, constraints, domains)
    : new Map<string, Map<string, number>>();
  return scoreState(
    cache,
    constraints,
    ignored,
    counts,
    weightsOf(constraints, count - ignored.size, domains),
  );
}

/** PodTopologySpread's raw score of a node: matching pods in its domains, weighted (lower is better). */
export function spreadScore(state: SpreadScoreState, info: NodeInfo): number {
  if (state.ignored.size > 0 && state.ignored.has(info.name)) return 0;
  const constraints = state.constraints;
  let score = 0;
  for (let index = 0; index < constraints.length; index++) {
    if (!state.anyNodeLabelled[index]) continue;
    const constraint = constraints[index]!;
    const key = constraint.topologyKey;
    // Reaching a node's labels costs more than the rest of the score (hundreds of nodes a cycle,
    // scattered in memory); the hostname constraint needs none when every node has the label.
    let count: number;
    if (key === hostnameLabel && state.everyNodeLabelled[index])
      count = matchingPodsOn(constraint, info.name);
    else {
      const value = info.node?.metadata.labels?.[key];
      if (value === undefined) continue;
      count =
        key === hostnameLabel
          ? matchingPodsOn(constraint, info.name)
          : (state.counts.get(key)?.get(value) ?? 0);
    }
    score += count * state.weights[index]! + (constraint.maxSkew - 1);
  }
  return Math.trunc(score);
}
