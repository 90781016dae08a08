/**
 * kube-scheduler, reduced to what decides placement in these scenarios: taints and tolerations,
 * required pod anti-affinity on the hostname, and spreading (fewest pods wins, ties broken at
 * random as the real scheduler does among equally scored nodes).
 */
import { nextInt } from '../engine/prng';
import type { World } from '../world';
import { requireCluster } from '../world';
import { eachObject, getObject, listPodsOnNode } from './api-store';
import { apiPut } from './api-writes';
import { selectorMatches } from './metadata';
import type { Node, Pod, Taint } from './objects';
import { toTimestamp } from '../engine/virtual-time';

function tolerates(pod: Pod, taint: Taint): boolean {
  return (pod.spec.tolerations ?? []).some((toleration) => {
    if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
    if (toleration.operator === 'Exists') return toleration.key === undefined || toleration.key === taint.key;
    return toleration.key === taint.key;
  });
}

/** Taints that keep a pod off a node at scheduling time (NoSchedule and NoExecute). */
function blockedByTaints(pod: Pod, node: Node): boolean {
  return (node.spec.taints ?? []).some(
    (taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(pod, taint),
  );
}

function violatesAntiAffinity(pod: Pod, podsOnNode: Pod[]): boolean {
  const terms = pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  return terms.some(
    (term) =>
      term.topologyKey === 'kubernetes.io/hostname' &&
      podsOnNode.some(
        (other) =>
          other.metadata.deletionTimestamp === undefined &&
          (term.namespaces ?? [pod.metadata.namespace ?? 'default']).includes(
            other.metadata.namespace ?? 'default',
          ) &&
          selectorMatches(term.labelSelector, other.metadata.labels),
      ),
  );
}

/**
 * How many feasible nodes kube-scheduler looks for before scoring (percentageOfNodesToScore left
 * at its adaptive default): every node below 100, else 50 % minus 1 % per 125 nodes, at least 5 %,
 * and never fewer than 100 nodes.
 */
export function feasibleNodesToFind(nodeCount: number): number {
  if (nodeCount < 100) return nodeCount;
  const percentage = Math.max(5, 50 - Math.floor(nodeCount / 125));
  return Math.max(100, Math.floor((nodeCount * percentage) / 100));
}

/** Why a pod could not be placed, in the wording of kube-scheduler's FailedScheduling event. */
export interface SchedulingFailure {
  podKey: string;
  message: string;
}

/** Tries to bind a pending pod to a node; returns the node name, or a failure. */
export function schedulePod(world: World, podKey: string): string | SchedulingFailure | undefined {
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', podKey);
  if (pod === undefined || pod.spec.nodeName !== undefined || pod.metadata.deletionTimestamp !== undefined)
    return undefined;
  const nodes = eachObject(cluster.api, 'Node');
  const hasAntiAffinity =
    (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  let taintBlocked = 0;
  let affinityBlocked = 0;
  const feasible: { name: string; load: number }[] = [];
  const wanted = feasibleNodesToFind(nodes.length);
  // Like kube-scheduler, start where the previous cycle stopped and stop once enough nodes fit.
  const start = (cluster.schedulerNextStartIndex ?? 0) % Math.max(1, nodes.length);
  let visited = 0;
  for (; visited < nodes.length && feasible.length < wanted; visited++) {
    const node = nodes[(start + visited) % nodes.length];
    if (node === undefined) continue;
    if (node.spec.unschedulable === true || blockedByTaints(pod, node)) {
      taintBlocked += 1;
      continue;
    }
    // Only pods with anti-affinity terms need to look at the other pods on the node.
    if (hasAntiAffinity && violatesAntiAffinity(pod, listPodsOnNode(cluster.api, node.metadata.name))) {
      affinityBlocked += 1;
      continue;
    }
    feasible.push({ name: node.metadata.name, load: cluster.api.activePodsByNode[node.metadata.name] ?? 0 });
  }
  cluster.schedulerNextStartIndex = (start + visited) % Math.max(1, nodes.length);
  if (feasible.length === 0) {
    const reasons: string[] = [];
    if (affinityBlocked > 0) reasons.push(`${affinityBlocked} node(s) didn't match pod anti-affinity rules`);
    if (taintBlocked > 0) reasons.push(`${taintBlocked} node(s) had untolerated taint(s)`);
    cluster.unschedulablePods ??= {};
    cluster.unschedulablePods[podKey] = `0/${nodes.length} nodes are available: ${reasons.join(', ')}.`;
    return { podKey, message: cluster.unschedulablePods[podKey] };
  }
  let lightest = Infinity;
  for (const candidate of feasible) lightest = Math.min(lightest, candidate.load);
  // Equal scores are broken at random; sorting by name first keeps that independent of storage order.
  const best = feasible
    .filter((candidate) => candidate.load === lightest)
    .sort((a, b) => a.name.localeCompare(b.name));
  const chosen = best[nextInt(world.random, best.length)];
  if (chosen === undefined) return undefined;
  if (cluster.unschedulablePods !== undefined) delete cluster.unschedulablePods[podKey];
  // Stored objects are never mutated, so the bound pod may share everything else with the pending one.
  apiPut(world, {
    ...pod,
    spec: { ...pod.spec, nodeName: chosen.name },
    status: {
      ...pod.status,
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: toTimestamp(world.timeMs) }],
    },
  });
  return chosen.name;
}
