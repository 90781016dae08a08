/**
 * kube-scheduler with its default profile as of v1.24, the version of the scenarios' kind node image
 * (where a later release words a reason differently, the cluster's version decides). One scheduling
 * cycle per pending pod filters the nodes (k8s/scheduling/filter-nodes.ts), scores the feasible ones
 * (k8s/scheduling/score-nodes.ts), and binds the pod to the best, ties broken at random as
 * selectHost does. A pod that fits nowhere keeps a PodScheduled=False condition with the
 * FailedScheduling message and is retried when nodes or pods change.
 */
import { nextInt } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import type { World } from '../world';
import { requireCluster } from '../world';
import type { ApiStore } from './api-store';
import { getObject } from './api-store';
import { apiPut, retryUnschedulable } from './api-writes';
import { kubernetesMinor } from './kubernetes-versions';
import type { Pod, PodCondition } from './objects';
import { failedSchedulingMessage, filterNodes } from './scheduling/filter-nodes';
import type { NamespaceLabels } from './scheduling/inter-pod-affinity';
import type { NodeInfo } from './scheduling/node-info-cache';
import { labelSetOf, nodeInfoCacheOf, sameName } from './scheduling/node-info-cache';
import { boundSpec, podSpecFacts } from './scheduling/pod-spec-facts';
import { scoreNodes } from './scheduling/score-nodes';

export { feasibleNodesToFind } from './scheduling/filter-nodes';

/** Why a pod could not be placed, in the wording of kube-scheduler's FailedScheduling event. */
export interface SchedulingFailure {
  podKey: string;
  message: string;
}

/** Labels of a namespace, for namespaceSelector in pod affinity terms. */
function namespaceLabelsIn(store: ApiStore): NamespaceLabels {
  return (namespace) => store.objects.Namespace?.[namespace]?.metadata.labels;
}

/** The version string the scheduler's minor was last read from, and that minor (one parse per string). */
let lastVersion = '';
let lastMinor = 24;

function schedulerMinor(version: string): number {
  if (!sameName(version, lastVersion)) {
    lastMinor = kubernetesMinor(version) ?? 24;
    lastVersion = version;
  }
  return lastMinor;
}

/**
 * The PodScheduled=True condition list of a binding at one time, shared by the pods bound at that
 * time (stored objects are never mutated; most bindings share their millisecond with the one
 * before, as a ReplicaSet's new pods are placed one after another).
 */
let boundConditionsAt = -1;
let boundConditions: PodCondition[] = [];

function scheduledConditions(timeMs: number): PodCondition[] {
  if (timeMs !== boundConditionsAt) {
    boundConditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: toTimestamp(timeMs) }];
    boundConditionsAt = timeMs;
  }
  return boundConditions;
}

/**
 * selectHost over the first `count` feasible nodes: the highest total wins; among equal totals each
 * node replaces the candidate with probability 1/(number of equal totals so far), drawn from the
 * world's generator, so that every tied node is equally likely (reservoir sampling over the nodes
 * in the order they were found).
 */
function selectHost(
  world: World,
  feasible: readonly NodeInfo[],
  count: number,
  totals: Float64Array,
): string {
  let best = totals[0]!;
  let selected = 0;
  let ties = 1;
  for (let i = 1; i < count; i++) {
    const total = totals[i]!;
    if (total > best) {
      best = total;
      selected = i;
      ties = 1;
    } else if (total === best) {
      ties += 1;
      if (nextInt(world.random, ties) === 0) selected = i;
    }
  }
  return feasible[selected]!.name;
}

/** Tries to bind a pending pod to a node; returns the node name, or a failure. */
export function schedulePod(world: World, podKey: string): string | SchedulingFailure | undefined {
  const cluster = requireCluster(world);
  const store = cluster.api;
  const pod = getObject(store, 'Pod', podKey);
  if (pod === undefined || pod.spec.nodeName !== undefined || pod.metadata.deletionTimestamp !== undefined)
    return undefined;
  const cache = nodeInfoCacheOf(store);
  // One reader per cache (so per store), not one closure per cycle.
  const namespaceLabels = (cache.namespaceLabels ??= namespaceLabelsIn(store)) as NamespaceLabels;
  const minor = schedulerMinor(cluster.kubernetesVersion);
  // The pod's label set, where the plugins keep what they derive for a ReplicaSet's pods, and what
  // the cycle reads from its spec.
  const labelSet = labelSetOf(cache, pod);
  const facts = podSpecFacts(labelSet, pod);
  const outcome = filterNodes(
    store,
    cache,
    pod,
    facts,
    labelSet,
    cluster.schedulerNextStartIndex ?? 0,
    namespaceLabels,
    minor,
  );
  cluster.schedulerNextStartIndex = outcome.nextStartIndex;
  const feasible = outcome.feasible;
  const count = outcome.feasibleCount;
  if (count === 0) {
    const message =
      outcome.nodeCount === 0 ? 'no nodes available to schedule pods' : failedSchedulingMessage(outcome);
    recordUnschedulable(world, pod, podKey, message);
    return { podKey, message };
  }
  // With one feasible node the scheduler binds it without scoring (and without a draw).
  const chosen =
    count === 1
      ? feasible[0]!.name
      : selectHost(
          world,
          feasible,
          count,
          scoreNodes(store, cache, pod, facts, labelSet, feasible, count, namespaceLabels).totals,
        );
  cluster.unschedulablePods?.delete(podKey);
  // Stored objects are never mutated, so the bound pod may share everything else with the pending one.
  apiPut(
    world,
    {
      ...pod,
      spec: boundSpec(facts, chosen),
      status: { ...pod.status, conditions: scheduledConditions(world.timeMs) },
    },
    podKey,
    'object',
  );
  // Pods waiting for a pod like this one (required pod affinity) may fit now.
  retryUnschedulable(world, 'pod-placed');
  return chosen;
}

/**
 * Remembers a pod that fits nowhere, for the retry, and writes its PodScheduled=False condition
 * (reason Unschedulable, the message) as the scheduler's updatePod does, only when it changed.
 */
function recordUnschedulable(world: World, pod: Pod, podKey: string, message: string): void {
  const cluster = requireCluster(world);
  (cluster.unschedulablePods ??= new Map()).set(podKey, message);
  const previous = pod.status.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (previous?.status === 'False' && previous.reason === 'Unschedulable' && previous.message === message)
    return;
  const condition: PodCondition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime:
      previous?.status === 'False' ? previous.lastTransitionTime : toTimestamp(world.timeMs),
    reason: 'Unschedulable',
    message,
  };
  const others = (pod.status.conditions ?? []).filter((existing) => existing.type !== 'PodScheduled');
  apiPut(world, { ...pod, status: { ...pod.status, conditions: [...others, condition] } }, podKey);
}
