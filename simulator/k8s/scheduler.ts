/**
 * kube-scheduler, reduced to what decides placement in these scenarios: taints and tolerations,
 * required pod anti-affinity on the hostname, and spreading (fewest pods wins, ties broken at
 * random as the real scheduler does among equally scored nodes).
 */
import { nextInt } from '../engine/prng';
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, keysInStorageOrder, listPodsOnNode } from './api-store';
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
  const taints = node.spec.taints;
  if (taints === undefined) return false;
  for (const taint of taints)
    if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(pod, taint))
      return true;
  return false;
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
  // Keys, not a copy of every Node: a scheduling cycle in a 5,000-node cluster visits only some.
  const nodeBucket = cluster.api.objects.Node ?? {};
  const nodeKeys = keysInStorageOrder(cluster.api, 'Node');
  const nodeCount = nodeKeys.length;
  const hasAntiAffinity =
    (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  let taintBlocked = 0;
  let affinityBlocked = 0;
  // Nodes that pass the filters, with the number of active pods each runs (the spreading score).
  const feasibleNames: string[] = [];
  const feasibleLoads: number[] = [];
  const wanted = feasibleNodesToFind(nodeCount);
  // Like kube-scheduler, start where the previous cycle stopped and stop once enough nodes fit.
  const start = (cluster.schedulerNextStartIndex ?? 0) % Math.max(1, nodeCount);
  let visited = 0;
  for (; visited < nodeCount && feasibleNames.length < wanted; visited++) {
    const node = nodeBucket[nodeKeys[(start + visited) % nodeCount] ?? ''];
    if (node?.kind !== 'Node') continue;
    if (node.spec.unschedulable === true || blockedByTaints(pod, node)) {
      taintBlocked += 1;
      continue;
    }
    // Only pods with anti-affinity terms need to look at the other pods on the node.
    if (hasAntiAffinity && violatesAntiAffinity(pod, listPodsOnNode(cluster.api, node.metadata.name))) {
      affinityBlocked += 1;
      continue;
    }
    feasibleNames.push(node.metadata.name);
    feasibleLoads.push(cluster.api.activePodsByNode[node.metadata.name] ?? 0);
  }
  cluster.schedulerNextStartIndex = (start + visited) % Math.max(1, nodeCount);
  if (feasibleNames.length === 0) {
    const reasons: string[] = [];
    if (affinityBlocked > 0) reasons.push(`${affinityBlocked} node(s) didn't match pod anti-affinity rules`);
    if (taintBlocked > 0) reasons.push(`${taintBlocked} node(s) had untolerated taint(s)`);
    cluster.unschedulablePods ??= {};
    cluster.unschedulablePods[podKey] = `0/${nodeCount} nodes are available: ${reasons.join(', ')}.`;
    return { podKey, message: cluster.unschedulablePods[podKey] };
  }
  let lightest = Infinity;
  for (const load of feasibleLoads) if (load < lightest) lightest = load;
  // Equal scores are broken at random; sorting by name first keeps that independent of storage order.
  // Node names are DNS labels, whose default (code unit) sort is the alphabetical one.
  const best: string[] = [];
  for (let i = 0; i < feasibleNames.length; i++)
    if (feasibleLoads[i] === lightest) best.push(feasibleNames[i]!);
  best.sort();
  const chosen = best[nextInt(world.random, best.length)];
  if (chosen === undefined) return undefined;
  if (cluster.unschedulablePods !== undefined) delete cluster.unschedulablePods[podKey];
  // Stored objects are never mutated, so the bound pod may share everything else with the pending one.
  apiPut(
    world,
    {
      ...pod,
      spec: { ...pod.spec, nodeName: chosen },
      status: {
        ...pod.status,
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: toTimestamp(world.timeMs) }],
      },
    },
    podKey,
  );
  return chosen;
}
