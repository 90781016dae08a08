/**
 * The filtering half of a scheduling cycle (findNodesThatPassFilters in kubernetes/kubernetes
 * pkg/scheduler/generic_scheduler.go at v1.24.0, schedule_one.go from v1.25): the default profile's
 * filters in its order, each node stopping at the first that fails, searched from where the
 * previous cycle stopped until enough feasible nodes are found (percentageOfNodesToScore left at
 * its adaptive default). The failures are kept per reason, as the FailedScheduling message counts
 * them.
 */
import type { ApiStore } from '../api-store';
import { keysInStorageOrder } from '../api-store';
import type { Node, Pod, Taint, Toleration } from '../objects';
import {
  interPodAffinityFilter,
  interPodAffinityPreFilter,
  type InterPodAffinityFilterState,
  type NamespaceLabels,
} from './inter-pod-affinity';
import { nodeAffinityReason, podMatchesNodeSelectorAndAffinity } from './node-affinity';
import type { LabelSetCounts, NodeInfo, NodeInfoCache } from './node-info-cache';
import { insufficientResources, requestedResources } from './node-resources';
import type { PodSpecFacts } from './pod-spec-facts';
import { spreadFilter, spreadPreFilter, type SpreadFilterState } from './pod-topology-spread';
import type { PodRequests } from './resources';
import {
  blockedByUnschedulable,
  firstUntoleratedTaint,
  nodeUnschedulableReason,
  untoleratedTaintReason,
} from './taint-toleration';

/**
 * How many feasible nodes kube-scheduler looks for before scoring (numFeasibleNodesToFind with
 * percentageOfNodesToScore unset): every node below 100, else 50 % minus 1 % per 125 nodes, at
 * least 5 %, and never fewer than 100 nodes.
 */
export function feasibleNodesToFind(nodeCount: number): number {
  if (nodeCount < 100) return nodeCount;
  const percentage = Math.max(5, 50 - Math.floor(nodeCount / 125));
  return Math.max(100, Math.floor((nodeCount * percentage) / 100));
}

/**
 * What filtering found. One object, with its feasible list, serves every cycle (a cycle's outcome is
 * read before the next cycle starts and kept by nobody): a cycle then allocates neither.
 */
export interface FilterOutcome {
  /**
   * Nodes that passed every filter, in the order they were visited: the first `feasibleCount`
   * entries (entries past it are earlier cycles' leftovers).
   */
  readonly feasible: readonly NodeInfo[];
  readonly feasibleCount: number;
  /** Failure reason → how many nodes gave it (left empty when some node fits: nothing reads them). */
  readonly reasons: ReadonlyMap<string, number>;
  /** Nodes whose failure preemption could not help (UnschedulableAndUnresolvable), and the others. */
  readonly unresolvable: number;
  readonly resolvable: number;
  /** Nodes in the cluster. */
  readonly nodeCount: number;
  /** Where the next cycle's search starts. */
  readonly nextStartIndex: number;
}

/** The per-cycle state the filters share (their PreFilter results). */
interface FilterContext {
  pod: Pod | undefined;
  tolerations: readonly Toleration[] | undefined;
  requests: PodRequests | undefined;
  resourceNames: readonly string[];
  nodeConstraints: boolean;
  /** The scheduler's Kubernetes minor version (some reasons are worded by release). */
  minor: number;
  interPodAffinity: InterPodAffinityFilterState | undefined;
  spread: SpreadFilterState | undefined;
}

/**
 * The context of the cycle under way, one object filled in by each cycle (cycles never overlap:
 * nothing a filter calls schedules) and emptied after it, so as to hold no pod of a finished cycle.
 */
const context: FilterContext = {
  pod: undefined,
  tolerations: undefined,
  requests: undefined,
  resourceNames: [],
  nodeConstraints: false,
  minor: 0,
  interPodAffinity: undefined,
  spread: undefined,
};

interface NodeFailure {
  readonly reasons: readonly string[];
  readonly unresolvable: boolean;
}

/**
 * The failure of one unresolvable reason, one object per reason: a tainted control-plane node fails
 * every cycle the same way, and the failure is only read.
 */
const unresolvableFailures = new Map<string, NodeFailure>();

function unresolvableFailure(reason: string): NodeFailure {
  let failure = unresolvableFailures.get(reason);
  if (failure === undefined) {
    if (unresolvableFailures.size >= 1000) unresolvableFailures.clear();
    failure = { reasons: [reason], unresolvable: true };
    unresolvableFailures.set(reason, failure);
  }
  return failure;
}

/** A node's TaintToleration verdict for one tolerations list (NodeInfo.taintVerdict). */
interface TaintVerdict {
  readonly tolerations: readonly Toleration[] | undefined;
  readonly taints: readonly Taint[];
  readonly minor: number;
  readonly failure: NodeFailure | undefined;
}

/**
 * TaintToleration's filter on a tainted node, kept on the node for the tolerations it last saw: the
 * verdict depends on nothing else, and tolerations are read field by field from objects of many
 * shapes.
 */
function taintFailure(
  info: NodeInfo,
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
  minor: number,
): NodeFailure | undefined {
  const kept = info.taintVerdict as TaintVerdict | undefined;
  if (
    kept !== undefined &&
    kept.tolerations === tolerations &&
    kept.taints === taints &&
    kept.minor === minor
  )
    return kept.failure;
  const taint = firstUntoleratedTaint(tolerations, taints);
  const failure = taint === undefined ? undefined : unresolvableFailure(untoleratedTaintReason(taint, minor));
  const verdict: TaintVerdict = { tolerations, taints, minor, failure };
  info.taintVerdict = verdict;
  return failure;
}

/** Runs the filters on one node for `pod` (the context's); undefined when the pod may go there. */
function filterNode(
  context: FilterContext,
  pod: Pod,
  requests: PodRequests,
  info: NodeInfo,
  node: Node,
): NodeFailure | undefined {
  const tolerations = context.tolerations;
  if (blockedByUnschedulable(tolerations, info.unschedulable))
    return unresolvableFailure(nodeUnschedulableReason);
  const taints = info.taints;
  if (taints !== undefined) {
    const failure = taintFailure(info, taints, tolerations, context.minor);
    if (failure !== undefined) return failure;
  }
  if (context.nodeConstraints && !podMatchesNodeSelectorAndAffinity(pod, node))
    return unresolvableFailure(nodeAffinityReason);
  const insufficient = insufficientResources(requests, context.resourceNames, info);
  if (insufficient.length > 0) return { reasons: insufficient, unresolvable: false };
  if (context.spread !== undefined) {
    const failure = spreadFilter(context.spread, pod, node);
    if (failure !== undefined) return failure;
  }
  if (context.interPodAffinity !== undefined) return interPodAffinityFilter(context.interPodAffinity, node);
  return undefined;
}

/**
 * A new list of NodeInfos. Both lists filterNodes walks are made here and filled by push, so that
 * they share one hidden class (a `.map()` result is HOLEY once the mapping caller is optimised, and
 * would send filterNodes' reads of the other kind of list back to the interpreter).
 */
function newInfoList(): (NodeInfo | undefined)[] {
  return [];
}

/** The NodeInfo of every key of a node key list, in its order (kept on the cache per list). */
function nodeInfosInOrder(cache: NodeInfoCache, keys: readonly string[]): readonly (NodeInfo | undefined)[] {
  if (cache.nodeOrderKeys === keys) return cache.nodeOrderInfos;
  // A node's NodeInfo lives as long as its Node, and a Node coming or going makes a new key list.
  const infos = newInfoList();
  for (const key of keys) infos.push(cache.nodes.get(key));
  cache.nodeOrderKeys = keys;
  cache.nodeOrderInfos = infos;
  return infos;
}

/** The NodeInfos of the nodes PreFilter named that exist, by name (a DaemonSet pod names one). */
function pinnedNodeInfos(
  cache: NodeInfoCache,
  names: ReadonlySet<string>,
): readonly (NodeInfo | undefined)[] {
  const infos = newInfoList();
  for (const name of [...names].sort()) {
    const info = cache.nodes.get(name);
    if (info?.node !== undefined) infos.push(info);
  }
  return infos;
}

/**
 * The failures of a cycle's nodes, in the order they were visited: scratch space, which holds
 * entries of earlier cycles past the current one's count.
 */
const failures: NodeFailure[] = [];
const noReasons: ReadonlyMap<string, number> = new Map();

/** The outcome of the cycle under way (see FilterOutcome), and its feasible list. */
const feasibleScratch: NodeInfo[] = [];
const outcome: { -readonly [K in keyof FilterOutcome]: FilterOutcome[K] } = {
  feasible: feasibleScratch,
  feasibleCount: 0,
  reasons: noReasons,
  unresolvable: 0,
  resolvable: 0,
  nodeCount: 0,
  nextStartIndex: 0,
};

/**
 * Filters the cluster's nodes for a pod, starting at `startIndex` in the store's node order, as the
 * scheduler of Kubernetes 1.`minor` words its reasons.
 */
export function filterNodes(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
  facts: PodSpecFacts,
  labelSet: LabelSetCounts,
  startIndex: number,
  namespaceLabels: NamespaceLabels,
  minor: number,
): FilterOutcome {
  const requests = facts.requests;
  context.pod = pod;
  context.tolerations = facts.tolerations;
  context.requests = requests;
  context.resourceNames = requestedResources(requests);
  context.nodeConstraints = facts.nodeConstraints;
  context.minor = minor;
  context.interPodAffinity = interPodAffinityPreFilter(
    pod,
    facts.affinityTerms,
    labelSet,
    cache,
    namespaceLabels,
  );
  context.spread = spreadPreFilter(cache, pod, facts.spreadConstraints);
  // Keys, not a copy of every Node: a cycle in a 5,000-node cluster visits only some of them.
  const allKeys = keysInStorageOrder(store, 'Node');
  // NodeAffinity's PreFilter: a pod pinned to named nodes (a DaemonSet's) is checked on those only.
  const pinned = facts.pinnedNodes;
  const infos = pinned === undefined ? nodeInfosInOrder(cache, allKeys) : pinnedNodeInfos(cache, pinned);
  const nodeCount = infos.length;
  const wanted = feasibleNodesToFind(nodeCount);
  const start = pinned === undefined ? startIndex % Math.max(1, nodeCount) : 0;
  // The failures are counted by reason only when no node fits, the one case the reasons are read;
  // otherwise (a tainted control-plane node fails every cycle) they stay in a reused list, of
  // which `failed` entries are this cycle's (setting an array's length is a slow path).
  let feasible = 0;
  let failed = 0;
  let unresolvable = 0;
  let visited = 0;
  for (; visited < nodeCount && feasible < wanted; visited++) {
    const at = start + visited;
    const info = infos[at < nodeCount ? at : at - nodeCount];
    const node = info?.node;
    if (info === undefined || node === undefined) continue;
    const failure = filterNode(context, pod, requests, info, node);
    if (failure === undefined) feasibleScratch[feasible++] = info;
    else {
      failures[failed++] = failure;
      if (failure.unresolvable) unresolvable += 1;
    }
  }
  forgetCycle();
  outcome.feasibleCount = feasible;
  outcome.reasons = feasible === 0 ? countByReason(failures, failed) : noReasons;
  outcome.unresolvable = unresolvable;
  outcome.resolvable = failed - unresolvable;
  outcome.nextStartIndex =
    pinned === undefined
      ? (start + visited) % Math.max(1, nodeCount)
      : startIndex % Math.max(1, allKeys.length);
  // The FailedScheduling message counts every node of the cluster, whether PreFilter looked at it or not.
  outcome.nodeCount = allKeys.length;
  return outcome;
}

/** Empties the cycle's context, which then holds nothing of a finished cycle. */
function forgetCycle(): void {
  context.pod = undefined;
  context.tolerations = undefined;
  context.requests = undefined;
  context.interPodAffinity = undefined;
  context.spread = undefined;
}

function countByReason(list: readonly NodeFailure[], count: number): Map<string, number> {
  const reasons = new Map<string, number>();
  for (let i = 0; i < count; i++)
    for (const reason of list[i]!.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return reasons;
}

/**
 * The FailedScheduling message (FitError.Error() in pkg/scheduler/framework/types.go) with the
 * DefaultPreemption plugin's addition (PostFilter, v1.24+): nodes whose failure is unresolvable get
 * "Preemption is not helpful for scheduling"; on the others it looks for pods of lower priority to
 * evict, and since the model's pods all share the default priority it finds none.
 */
export function failedSchedulingMessage(outcome: FilterOutcome): string {
  const histogram = (entries: Iterable<[string, number]>): string =>
    [...entries]
      .map(([reason, count]) => `${count} ${reason}`)
      .sort()
      .join(', ');
  const preemption: [string, number][] = [];
  if (outcome.unresolvable > 0)
    preemption.push(['Preemption is not helpful for scheduling', outcome.unresolvable]);
  if (outcome.resolvable > 0)
    preemption.push(['No preemption victims found for incoming pod', outcome.resolvable]);
  const total = outcome.unresolvable + outcome.resolvable;
  return (
    `0/${outcome.nodeCount} nodes are available: ${histogram(outcome.reasons)}.` +
    ` preemption: 0/${total} nodes are available: ${histogram(preemption)}.`
  );
}
