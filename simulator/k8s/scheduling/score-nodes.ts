/**
 * The scoring half of a scheduling cycle (prioritizeNodes and selectHost in kubernetes/kubernetes
 * pkg/scheduler/generic_scheduler.go at v1.24.0, schedule_one.go from v1.25): every score plugin of
 * the default profile rates each feasible node, each plugin's scores are normalised to 0–100 as
 * that plugin does, and the weighted sum decides. Weights are the v1beta3 defaults (v1.23+):
 * TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1,
 * NodeResourcesBalancedAllocation 1, ImageLocality 1
 * (pkg/scheduler/apis/config/v1beta3/default_plugins.go).
 */
import type { ApiStore } from '../api-store';
import type { Pod, Toleration } from '../objects';
import {
  imageLocalityScore,
  imageStatesOf,
  nodeImageNames,
  normalizedImageName,
  type ImageState,
} from './image-locality';
import {
  interPodAffinityPreScore,
  interPodAffinityScore,
  type NamespaceLabels,
  type TopologyCounts,
} from './inter-pod-affinity';
import { preferredNodeAffinityScore } from './node-affinity';
import { labelSetRequests, type LabelSetCounts, type NodeInfo, type NodeInfoCache } from './node-info-cache';
import { balancedAllocationScore, leastAllocatedScore, maxNodeScore } from './node-resources';
import { spreadPreScore, spreadScore, type SpreadScoreState } from './pod-topology-spread';
import type { PodRequests } from './resources';
import { intolerablePreferNoScheduleTaints, preferNoScheduleTolerations } from './taint-toleration';

/** The default profile's score plugins and their weights. */
const scorePluginWeights = {
  TaintToleration: 3,
  NodeAffinity: 2,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
} as const;

export type ScorePlugin = keyof typeof scorePluginWeights;

/**
 * Each plugin's normalised scores and the weighted totals of the first `count` feasible nodes, in
 * their order. The arrays are scratch space reused by the next cycle (a 5,000-node cluster scores
 * 500 nodes per pod), so a caller that keeps them must copy them.
 */
export interface NodeScores {
  readonly count: number;
  readonly byPlugin: Readonly<Record<ScorePlugin, Int32Array>>;
  readonly totals: Float64Array;
}

/**
 * helper.DefaultNormalizeScore: scales scores so the highest becomes 100 (reversed: the highest
 * becomes 0); all zero stays zero, or becomes 100 when reversed.
 */
export function defaultNormalize(scores: Int32Array, count: number, reverse: boolean): void {
  let highest = 0;
  for (let i = 0; i < count; i++) if (scores[i]! > highest) highest = scores[i]!;
  if (highest === 0) {
    if (reverse) scores.fill(maxNodeScore, 0, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    const scaled = Math.floor((maxNodeScore * scores[i]!) / highest);
    scores[i] = reverse ? maxNodeScore - scaled : scaled;
  }
}

/** InterPodAffinity's NormalizeScore: min–max scaling to 0–100, truncated. */
function minMaxNormalize(scores: Int32Array, count: number): void {
  let lowest = Infinity;
  let highest = -Infinity;
  for (let i = 0; i < count; i++) {
    lowest = Math.min(lowest, scores[i]!);
    highest = Math.max(highest, scores[i]!);
  }
  const range = highest - lowest;
  for (let i = 0; i < count; i++)
    scores[i] = range > 0 ? Math.trunc(maxNodeScore * ((scores[i]! - lowest) / range)) : 0;
}

/**
 * PodTopologySpread's NormalizeScore: fewer matching pods score higher, as
 * 100 × (max + min − score) / max over the nodes not ignored; ignored nodes score 0.
 */
function spreadNormalize(
  scores: Int32Array,
  feasible: readonly NodeInfo[],
  ignored: ReadonlySet<string> | undefined,
): void {
  const count = feasible.length;
  const isIgnored = (i: number): boolean =>
    ignored !== undefined && ignored.size > 0 && ignored.has(feasible[i]!.name);
  let lowest = Infinity;
  let highest = 0;
  for (let i = 0; i < count; i++) {
    if (isIgnored(i)) continue;
    lowest = Math.min(lowest, scores[i]!);
    highest = Math.max(highest, scores[i]!);
  }
  for (let i = 0; i < count; i++) {
    if (isIgnored(i)) scores[i] = 0;
    else if (highest === 0) scores[i] = maxNodeScore;
    else scores[i] = Math.floor((maxNodeScore * (highest + lowest - scores[i]!)) / highest);
  }
}

/** Images per cache, refreshed when a Node changes. */
const imageViews = new WeakMap<NodeInfoCache, { generation: number; states: Map<string, ImageState> }>();
const nodeImages = new WeakMap<object, Set<string>>();

function imageStates(cache: NodeInfoCache): Map<string, ImageState> {
  const view = imageViews.get(cache);
  if (view !== undefined && view.generation === cache.nodeGeneration) return view.states;
  const nodes = [...cache.nodes.values()].flatMap((info) => (info.node === undefined ? [] : [info.node]));
  const states = imageStatesOf(nodes);
  imageViews.set(cache, { generation: cache.nodeGeneration, states });
  return states;
}

function imagesOf(info: NodeInfo): Set<string> {
  const node = info.node!;
  let names = nodeImages.get(node);
  if (names === undefined) {
    names = nodeImageNames(node);
    nodeImages.set(node, names);
  }
  return names;
}

/** ImageLocality's scores; zero everywhere when no node holds any of the pod's images. */
function scoreImageLocality(
  cache: NodeInfoCache,
  pod: Pod,
  feasible: readonly NodeInfo[],
  into: Int32Array,
): void {
  const states = imageStates(cache);
  const containers = pod.spec.containers;
  let known = false;
  for (const container of containers) if (states.has(normalizedImageName(container.image))) known = true;
  if (!known) {
    into.fill(0, 0, feasible.length);
    return;
  }
  for (let i = 0; i < feasible.length; i++)
    into[i] = imageLocalityScore(containers, imagesOf(feasible[i]!), states, cache.nodeCount);
}

let scratch: { size: number; byPlugin: Record<ScorePlugin, Int32Array>; totals: Float64Array } | undefined;

/** Scratch arrays for `count` nodes (rawScores writes every entry, so they need no clearing). */
function scratchFor(count: number): NodeScores {
  if (scratch === undefined || scratch.size < count) {
    const size = Math.max(count, 2 * (scratch?.size ?? 64));
    const byPlugin = {} as Record<ScorePlugin, Int32Array>;
    for (const plugin of scorePlugins) byPlugin[plugin] = new Int32Array(size);
    scratch = { size, byPlugin, totals: new Float64Array(size) };
  }
  return { count, byPlugin: scratch.byPlugin, totals: scratch.totals };
}

const scorePlugins = Object.keys(scorePluginWeights) as ScorePlugin[];

function sameEverywhere(scores: Int32Array, count: number): boolean {
  const first = scores[0];
  for (let i = 1; i < count; i++) if (scores[i] !== first) return false;
  return true;
}

/** The raw scores of the plugins that score node by node; every entry is written. */
function rawScores(
  pod: Pod,
  requests: PodRequests,
  feasible: readonly NodeInfo[],
  scores: NodeScores,
  spread: SpreadScoreState | undefined,
  affinityScores: TopologyCounts | undefined,
): void {
  const byPlugin = scores.byPlugin;
  // Read on the first tainted node: most feasible nodes have no taints.
  let tolerations: readonly Toleration[] | undefined;
  const preferredNodes = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  for (let i = 0; i < feasible.length; i++) {
    const info = feasible[i]!;
    byPlugin.NodeResourcesFit[i] = leastAllocatedScore(requests, info);
    byPlugin.NodeResourcesBalancedAllocation[i] = balancedAllocationScore(requests, info);
    byPlugin.TaintToleration[i] =
      info.taints === undefined
        ? 0
        : intolerablePreferNoScheduleTaints(
            (tolerations ??= preferNoScheduleTolerations(pod.spec.tolerations)),
            info.taints,
          );
    byPlugin.NodeAffinity[i] = preferredNodes === undefined ? 0 : preferredNodeAffinityScore(pod, info.node!);
    byPlugin.PodTopologySpread[i] = spread === undefined ? 0 : spreadScore(spread, info);
    byPlugin.InterPodAffinity[i] =
      affinityScores === undefined ? 0 : interPodAffinityScore(affinityScores, info.node!);
  }
}

/**
 * Scores the feasible nodes for a pod with the default profile's score plugins. The arrays returned
 * are reused by the next call.
 */
export function scoreNodes(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
  labelSet: LabelSetCounts,
  feasible: readonly NodeInfo[],
  namespaceLabels: NamespaceLabels,
): NodeScores {
  const scores = scratchFor(feasible.length);
  const byPlugin = scores.byPlugin;
  const spread = spreadPreScore(store, cache, pod, labelSet, feasible);
  const affinityScores = interPodAffinityPreScore(pod, labelSet, cache, namespaceLabels);
  rawScores(pod, labelSetRequests(labelSet, pod), feasible, scores, spread, affinityScores);
  scoreImageLocality(cache, pod, feasible, byPlugin.ImageLocality);
  const count = feasible.length;
  defaultNormalize(byPlugin.TaintToleration, count, true);
  defaultNormalize(byPlugin.NodeAffinity, count, false);
  spreadNormalize(byPlugin.PodTopologySpread, feasible, spread?.ignored);
  if (affinityScores !== undefined) minMaxNormalize(byPlugin.InterPodAffinity, count);
  const totals = scores.totals;
  totals.fill(0, 0, count);
  for (const plugin of scorePlugins) {
    const weight = scorePluginWeights[plugin];
    const pluginScores = byPlugin[plugin];
    if (sameEverywhere(pluginScores, count)) {
      // A plugin that rates every node alike shifts every total alike; one addition per node suffices.
      const shift = weight * (pluginScores[0] ?? 0);
      if (shift !== 0) for (let i = 0; i < count; i++) totals[i] = totals[i]! + shift;
      continue;
    }
    for (let i = 0; i < count; i++) totals[i] = totals[i]! + weight * pluginScores[i]!;
  }
  return scores;
}
