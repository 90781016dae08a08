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
import type { Container, Pod, Toleration } from '../objects';
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
import type { LabelSetCounts, NodeInfo, NodeInfoCache } from './node-info-cache';
import { balancedAllocationScore, leastAllocatedScore, maxNodeScore } from './node-resources';
import type { PodSpecFacts } from './pod-spec-facts';
import { spreadPreScore, spreadScore, type SpreadScoreState } from './pod-topology-spread';
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
 * their order. The object and its arrays are scratch space reused by the next cycle (a 5,000-node
 * cluster scores 500 nodes per pod), so a caller that keeps them must copy them.
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
    if (reverse) fillScores(scores, count, maxNodeScore);
    return;
  }
  for (let i = 0; i < count; i++) {
    const scaled = Math.floor((maxNodeScore * scores[i]!) / highest);
    scores[i] = reverse ? maxNodeScore - scaled : scaled;
  }
}

/**
 * Sets the first `count` scores to `value`. A loop rather than TypedArray fill, which V8 runs in its
 * C++ runtime: a call costs more than writing the handful of nodes a cycle scores.
 */
function fillScores(scores: Int32Array | Float64Array, count: number, value: number): void {
  for (let i = 0; i < count; i++) scores[i] = value;
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
  count: number,
  ignored: ReadonlySet<string> | undefined,
): void {
  // Only a pod's own constraints ignore nodes; the default constraints never do.
  const anyIgnored = ignored !== undefined && ignored.size > 0;
  let lowest = Infinity;
  let highest = 0;
  for (let i = 0; i < count; i++) {
    if (anyIgnored && ignored.has(feasible[i]!.name)) continue;
    lowest = Math.min(lowest, scores[i]!);
    highest = Math.max(highest, scores[i]!);
  }
  for (let i = 0; i < count; i++) {
    if (anyIgnored && ignored.has(feasible[i]!.name)) scores[i] = 0;
    else if (highest === 0) scores[i] = maxNodeScore;
    else scores[i] = Math.floor((maxNodeScore * (highest + lowest - scores[i]!)) / highest);
  }
}

const nodeImages = new WeakMap<object, Set<string>>();

/** The images of the cache's Nodes, kept on the cache and refreshed when a Node changes. */
function imageStates(cache: NodeInfoCache): Map<string, ImageState> {
  if (cache.imageStatesGeneration === cache.nodeGeneration)
    return cache.imageStates as Map<string, ImageState>;
  const nodes = [...cache.nodes.values()].flatMap((info) => (info.node === undefined ? [] : [info.node]));
  const states = imageStatesOf(nodes);
  cache.imageStates = states;
  cache.imageStatesGeneration = cache.nodeGeneration;
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

/**
 * Whether any Node holds one of the containers' images. A function of its own, not a closure in
 * scoreImageLocality: a function whose variables a closure captures allocates their context on
 * every call, closure made or not.
 */
function anyImageKnown(containers: readonly Container[], states: ReadonlyMap<string, ImageState>): boolean {
  for (const container of containers) if (states.has(normalizedImageName(container.image))) return true;
  return false;
}

/** ImageLocality's scores; zero everywhere when no node holds any of the pod's images. */
function scoreImageLocality(
  cache: NodeInfoCache,
  facts: PodSpecFacts,
  feasible: readonly NodeInfo[],
  count: number,
  into: Int32Array,
): void {
  const states = imageStates(cache);
  const containers = facts.containers;
  // The states map is replaced when a Node changes, so whether it knows an image stays true until then.
  if (facts.imagesCheckedIn !== states) {
    facts.imagesKnown = anyImageKnown(containers, states);
    facts.imagesCheckedIn = states;
  }
  if (!facts.imagesKnown) {
    fillScores(into, count, 0);
    return;
  }
  for (let i = 0; i < count; i++)
    into[i] = imageLocalityScore(containers, imagesOf(feasible[i]!), states, cache.nodeCount);
}

/** One plugin's weight and its scores array, for the weighted sum. */
interface WeightedScores {
  readonly weight: number;
  readonly scores: Int32Array;
}

/** The scores of the cycle under way (NodeScores), with the room its arrays have. */
interface Scratch extends NodeScores {
  readonly size: number;
  count: number;
  readonly byPlugin: Record<ScorePlugin, Int32Array>;
  /**
   * The same arrays with their weights, in the profile's order: the sum walks this list rather than
   * looking each plugin's name up in two tables (a keyed load V8 handles slowly once it has seen
   * all seven names).
   */
  readonly weighted: readonly WeightedScores[];
  readonly totals: Float64Array;
}

let scratch: Scratch | undefined;

/** Scratch arrays for `count` nodes (rawScores writes every entry, so they need no clearing). */
function scratchFor(count: number): Scratch {
  if (scratch === undefined || scratch.size < count) {
    const size = Math.max(count, 2 * (scratch?.size ?? 64));
    const byPlugin = {} as Record<ScorePlugin, Int32Array>;
    const weighted: WeightedScores[] = [];
    for (const plugin of scorePlugins) {
      byPlugin[plugin] = new Int32Array(size);
      weighted.push({ weight: scorePluginWeights[plugin], scores: byPlugin[plugin] });
    }
    scratch = { size, count: 0, byPlugin, weighted, totals: new Float64Array(size) };
  }
  return scratch;
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
  facts: PodSpecFacts,
  feasible: readonly NodeInfo[],
  count: number,
  byPlugin: Record<ScorePlugin, Int32Array>,
  spread: SpreadScoreState | undefined,
  affinityScores: TopologyCounts | undefined,
): void {
  const requests = facts.requests;
  // Worked out on the first tainted node: most feasible nodes have no taints.
  let tolerations: readonly Toleration[] | undefined;
  const preferredNodes = facts.preferredNodeAffinity;
  for (let i = 0; i < count; i++) {
    const info = feasible[i]!;
    byPlugin.NodeResourcesFit[i] = leastAllocatedScore(requests, info);
    byPlugin.NodeResourcesBalancedAllocation[i] = balancedAllocationScore(requests, info);
    byPlugin.TaintToleration[i] =
      info.taints === undefined
        ? 0
        : intolerablePreferNoScheduleTaints(
            (tolerations ??= preferNoScheduleTolerations(facts.tolerations)),
            info.taints,
          );
    byPlugin.NodeAffinity[i] = preferredNodes ? preferredNodeAffinityScore(pod, info.node!) : 0;
    byPlugin.PodTopologySpread[i] = spread === undefined ? 0 : spreadScore(spread, info);
    byPlugin.InterPodAffinity[i] =
      affinityScores === undefined ? 0 : interPodAffinityScore(affinityScores, info.node!);
  }
}

/**
 * Scores the first `count` feasible nodes for a pod with the default profile's score plugins. The
 * arrays and the object returned are reused by the next call.
 */
export function scoreNodes(
  store: ApiStore,
  cache: NodeInfoCache,
  pod: Pod,
  facts: PodSpecFacts,
  labelSet: LabelSetCounts,
  feasible: readonly NodeInfo[],
  count: number,
  namespaceLabels: NamespaceLabels,
): NodeScores {
  const scores = scratchFor(count);
  const { byPlugin, weighted, totals } = scores;
  const spread = spreadPreScore(store, cache, pod, facts.spreadConstraints, labelSet, feasible, count);
  const affinityScores = interPodAffinityPreScore(pod, facts.affinityTerms, labelSet, cache, namespaceLabels);
  rawScores(pod, facts, feasible, count, byPlugin, spread, affinityScores);
  scoreImageLocality(cache, facts, feasible, count, byPlugin.ImageLocality);
  defaultNormalize(byPlugin.TaintToleration, count, true);
  defaultNormalize(byPlugin.NodeAffinity, count, false);
  spreadNormalize(byPlugin.PodTopologySpread, feasible, count, spread?.ignored);
  if (affinityScores !== undefined) minMaxNormalize(byPlugin.InterPodAffinity, count);
  fillScores(totals, count, 0);
  for (const { weight, scores: pluginScores } of weighted) {
    if (sameEverywhere(pluginScores, count)) {
      // A plugin that rates every node alike shifts every total alike; one addition per node suffices.
      const shift = weight * (pluginScores[0] ?? 0);
      if (shift !== 0) for (let i = 0; i < count; i++) totals[i] = totals[i]! + shift;
      continue;
    }
    for (let i = 0; i < count; i++) totals[i] = totals[i]! + weight * pluginScores[i]!;
  }
  scores.count = count;
  return scores;
}
