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

/** What filtering found. */
export interface FilterOutcome {
  /** Nodes that passed every filter, in the order they were visited. */
  readonly feasible: NodeInfo[];
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
  readonly pod: Pod;
  readonly tolerations: readonly Toleration[] | undefined;
  readonly requests: PodRequests;
  readonly resourceNames: readonly string[];
  readonly nodeConstraints: boolean;
  /** The scheduler's Kubernetes minor version (some reasons are worded by release). */
  readonly minor: number;
  readonly interPodAffinity: InterPodAffinityFilterState | undefined;
  readonly spread: SpreadFilterState | undefined;
}

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

/** Runs the filters on one node; undefined when the pod may go there. */
function filterNode(context: FilterContext, info: NodeInfo, node: Node): NodeFailure | undefined {
  const pod = context.pod;
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
  const insufficient = insufficientResources(context.requests, context.resourceNames, info);
  if (insufficient.length > 0) return { reasons: insufficient, unresolvable: false };
  if (context.spread !== undefined) {
    const failure = spreadFilter(context.spread, pod, node);
    if (failure !== undefined) return failure;
  }
  if (context.interPodAffinity !== undefined) return interPodAffinityFilter(context.interPodAffinity, node);
  return undefined;
}

/** The NodeInfo of every key of a node key list, in its order (kept on the cache per list). */
function nodeInfosInOrder(cache: NodeInfoCache, keys: readonly string[]): readonly (NodeInfo | undefined)[] {
  if (cache.nodeOrderKeys === keys) return cache.nodeOrderInfos;
  // A node's NodeInfo lives as long as its Node, and a Node coming or going makes a new key list.
  const infos = keys.map((key) => cache.nodes.get(key));
  cache.nodeOrderKeys = keys;
  cache.nodeOrderInfos = infos;
  return infos;
}

/** The NodeInfos of the nodes PreFilter named that exist, by name (a DaemonSet pod names one). */
function pinnedNodeInfos(cache: NodeInfoCache, names: ReadonlySet<string>): NodeInfo[] {
  const infos: NodeInfo[] = [];
  for (const name of [...names].sort()) {
    const info = cache.nodes.get(name);
    if (info?.node !== undefined) infos.push(info);
  }
  return infos;
}

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
  const context: FilterContext = {
    pod,
    tolerations: facts.tolerations,
    requests,
    resourceNames: requestedResources(requests),
    nodeConstraints: facts.nodeConstraints,
    minor,
    interPodAffinity: interPodAffinityPreFilter(pod, facts.affinityTerms, labelSet, cache, namespaceLabels),
    spread: spreadPreFilter(cache, pod, facts.spreadConstraints),
  };
  // Keys, not a copy of every Node: a cycle in a 5,000-node cluster visits only some of them.
  const allKeys = keysInStorageOrder(store, 'Node');
  // NodeAffinity's PreFilter: a pod pinned to named nodes (a DaemonSet's) is checked on those only.
  const pinned = facts.pinnedNodes;
  const infos = pinned === undefined ? nodeInfosInOrder(cache, allKeys) : pinnedNodeInfos(cache, pinned);
  const nodeCount = infos.length;
  const wanted = feasibleNodesToFind(nodeCount);
  const start = pinned === undefined ? startIndex % Math.max(1, nodeCount) : 0;
  const feasible: NodeInfo[] = [];
  // The failures are counted by reason only when no node fits, the one case the reasons are read;
  // otherwise (a tainted control-plane node fails every cycle) they stay in a reused list, of
  // which `failed` entries are this cycle's (setting an array's length is a slow path).
  let failed = 0;
  let unresolvable = 0;
  let visited = 0;
  for (; visited < nodeCount && feasible.length < wanted; visited++) {
    const at = start + visited;
    const info = infos[at < nodeCount ? at : at - nodeCount];
    const node = info?.node;
    if (info === undefined || node === undefined) continue;
    const failure = filterNode(context, info, node);
    if (failure === undefined) feasible.push(info);
    else {
      failures[failed++] = failure;
      if (failure.unresolvable) unresolvable += 1;
    }
  }
  const reasons = feasible.length === 0 ? countByReason(failures, failed) : noReasons;
  const resolvable = failed - unresolvable;
  const nextStartIndex =
    pinned === undefined
      ? (start + visited) % Math.max(1, nodeCount)
      : startIndex % Math.max(1, allKeys.length);
  // The FailedScheduling message counts every node of the cluster, whether PreFilter looked at it or not.
  return { feasible, reasons, unresolvable, resolvable, nodeCount: allKeys.length, nextStartIndex };
}

/**
 * The failures of a cycle's nodes, in the order they were visited: scratch space, which holds
 * entries of earlier cycles past the current one's count.
 */
const failures: NodeFailure[] = [];
const noReasons: ReadonlyMap<string, number> = new Map();

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
