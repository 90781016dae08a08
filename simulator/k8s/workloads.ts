/**
 * The Deployment and ReplicaSet controllers: a Deployment owns ReplicaSets, one per pod template,
 * and a RollingUpdate moves replicas from the old ones to the new one within maxSurge and
 * maxUnavailable (25 % each by default, rounded up and down respectively).
 */
import { randomNameSuffix } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, keyOf, listOwnedBy } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { newMetadata, selectorMatches } from './metadata';
import type { Deployment, Pod, PodTemplate, ReplicaSet } from './objects';
import { podTemplateHash } from './pod-template-hash';
import { nextState } from '../machines/step';
import { rolloutMachine, type RolloutState } from '../machines/rollout';

/** Resolves an int-or-percent field against a replica count, rounding as Kubernetes does. */
export function resolveIntOrPercent(value: string | number, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (match === null) return Number.parseInt(value, 10) || 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The template a ReplicaSet must carry for a Deployment: the Deployment's plus the hash label. */
function templateWithHash(template: PodTemplate, hash: string): PodTemplate {
  const copy = structuredClone(template);
  copy.metadata.labels = { ...copy.metadata.labels, 'pod-template-hash': hash };
  return copy;
}

/** Pods a ReplicaSet owns, found by owner reference. */
export function podsOwnedBy(world: World, replicaSet: ReplicaSet): Pod[] {
  return listOwnedBy(requireCluster(world).api, 'Pod', replicaSet.metadata.uid);
}

/** ReplicaSets a Deployment owns. */
export function replicaSetsOwnedBy(world: World, deployment: Deployment): ReplicaSet[] {
  return listOwnedBy(requireCluster(world).api, 'ReplicaSet', deployment.metadata.uid);
}

const isActive = (pod: Pod): boolean => pod.metadata.deletionTimestamp === undefined;
const isReady = (pod: Pod): boolean =>
  isActive(pod) &&
  pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ===
    true;

/** Deployment controller: make sure the current template has a ReplicaSet and roll replicas over. */
export function syncDeployment(world: World, key: string): void {
  const cluster = requireCluster(world);
  const deployment = getObject(cluster.api, 'Deployment', key);
  if (deployment === undefined) {
    cluster.rollouts ??= {};
    delete cluster.rollouts[key];
    return;
  }
  const namespace = deployment.metadata.namespace ?? 'default';
  const hash = podTemplateHash(deployment.spec.template);
  const owned = replicaSetsOwnedBy(world, deployment);
  let newReplicaSet = owned.find((replicaSet) => replicaSet.metadata.labels?.['pod-template-hash'] === hash);
  if (newReplicaSet === undefined) {
    const template = templateWithHash(deployment.spec.template, hash);
    const metadata = newMetadata(
      world,
      `${deployment.metadata.name}-${hash}`,
      namespace,
      template.metadata.labels,
    );
    metadata.ownerReferences = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
        uid: deployment.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
    metadata.annotations = { 'deployment.kubernetes.io/revision': String(owned.length + 1) };
    const selector = structuredClone(deployment.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, 'pod-template-hash': hash };
    newReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata,
      spec: { replicas: 0, selector, template },
      status: { replicas: 0 },
    };
    apiPut(world, newReplicaSet);
    setRolloutState(world, key, 'rollout.started');
  }
  const oldReplicaSets = owned.filter((replicaSet) => replicaSet !== newReplicaSet);
  const desired = deployment.spec.replicas;
  const strategy = deployment.spec.strategy.rollingUpdate;
  let maxSurge = resolveIntOrPercent(strategy.maxSurge, desired, true);
  let maxUnavailable = resolveIntOrPercent(strategy.maxUnavailable, desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  if (desired === 0) {
    maxSurge = 0;
  }
  const oldWithReplicas = oldReplicaSets.filter((replicaSet) => replicaSet.spec.replicas > 0);
  if (oldWithReplicas.length === 0) {
    if (newReplicaSet.spec.replicas !== desired) scaleReplicaSet(world, newReplicaSet, desired);
  } else {
    // Scale the new ReplicaSet up within the surge allowance.
    const total = owned.reduce((sum, replicaSet) => sum + replicaSet.spec.replicas, 0);
    const room = desired + maxSurge - total;
    if (room > 0 && newReplicaSet.spec.replicas < desired) {
      scaleReplicaSet(world, newReplicaSet, Math.min(desired, newReplicaSet.spec.replicas + room));
    }
    // Scale old ReplicaSets down while enough pods stay available.
    const allPods = owned.flatMap((replicaSet) => podsOwnedBy(world, replicaSet));
    const available = allPods.filter(isReady).length;
    let canRemove = available - (desired - maxUnavailable);
    for (const oldReplicaSet of oldWithReplicas) {
      // Replicas that are not ready can go at once: removing them costs no availability.
      const oldPods = podsOwnedBy(world, oldReplicaSet).filter(isActive);
      const unready = oldPods.filter((pod) => !isReady(pod)).length;
      const remove = Math.min(
        oldReplicaSet.spec.replicas,
        Math.max(0, canRemove) + Math.min(unready, oldReplicaSet.spec.replicas),
      );
      if (remove > 0) {
        scaleReplicaSet(world, oldReplicaSet, oldReplicaSet.spec.replicas - remove);
        canRemove -= Math.max(0, remove - unready);
      }
    }
  }
  updateDeploymentStatus(world, key);
}

function scaleReplicaSet(world: World, replicaSet: ReplicaSet, replicas: number): void {
  apiPut(world, { ...replicaSet, spec: { ...replicaSet.spec, replicas: Math.max(0, replicas) } });
}

function setRolloutState(
  world: World,
  key: string,
  eventType: 'rollout.started' | 'rollout.completed',
): void {
  const cluster = requireCluster(world);
  cluster.rollouts ??= {};
  const current: RolloutState = cluster.rollouts[key] ?? 'progressing';
  const next = nextState(rolloutMachine, current, eventType);
  if (next !== undefined) cluster.rollouts[key] = next as RolloutState;
}

/** Recomputes a Deployment's status from its pods and writes it when it changed. */
function updateDeploymentStatus(world: World, key: string): void {
  const cluster = requireCluster(world);
  const deployment = getObject(cluster.api, 'Deployment', key);
  if (deployment === undefined) return;
  const hash = podTemplateHash(deployment.spec.template);
  const replicaSets = replicaSetsOwnedBy(world, deployment);
  const pods = replicaSets.flatMap((replicaSet) => podsOwnedBy(world, replicaSet)).filter(isActive);
  const updated = pods.filter((pod) => pod.metadata.labels?.['pod-template-hash'] === hash);
  const ready = pods.filter(isReady);
  const status: Deployment['status'] = {
    observedGeneration: deployment.metadata.generation ?? 1,
    replicas: pods.length,
    updatedReplicas: updated.length,
    readyReplicas: ready.length,
    availableReplicas: ready.length,
    unavailableReplicas: Math.max(0, deployment.spec.replicas - ready.length),
  };
  const complete =
    updated.length === deployment.spec.replicas &&
    pods.length === deployment.spec.replicas &&
    ready.length === deployment.spec.replicas;
  const previous = cluster.rollouts?.[key];
  if (complete && previous !== 'complete') setRolloutState(world, key, 'rollout.completed');
  status.conditions = [
    {
      type: 'Available',
      status:
        ready.length >=
        deployment.spec.replicas -
          resolveIntOrPercent(
            deployment.spec.strategy.rollingUpdate.maxUnavailable,
            deployment.spec.replicas,
            false,
          )
          ? 'True'
          : 'False',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
      lastUpdateTime: toTimestamp(world.timeMs),
    },
    {
      type: 'Progressing',
      status: 'True',
      reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      message: complete
        ? `ReplicaSet "${deployment.metadata.name}-${hash}" has successfully progressed.`
        : `ReplicaSet "${deployment.metadata.name}-${hash}" is progressing.`,
      lastUpdateTime: toTimestamp(world.timeMs),
    },
  ];
  const comparable = (value: Deployment['status']): string =>
    JSON.stringify({
      ...value,
      conditions: value.conditions?.map((condition) => ({ ...condition, lastUpdateTime: '' })),
    });
  if (comparable(status) !== comparable(deployment.status)) apiPut(world, { ...deployment, status });
}

/** ReplicaSet controller: create or delete pods until the active count matches spec.replicas. */
export function syncReplicaSet(world: World, key: string): void {
  const cluster = requireCluster(world);
  const replicaSet = getObject(cluster.api, 'ReplicaSet', key);
  if (replicaSet === undefined) return;
  const pods = podsOwnedBy(world, replicaSet);
  const active = pods.filter(isActive);
  const difference = replicaSet.spec.replicas - active.length;
  const namespace = replicaSet.metadata.namespace ?? 'default';
  if (difference > 0) {
    for (let i = 0; i < difference; i++) createPodFor(world, replicaSet, namespace);
  } else if (difference < 0) {
    for (const pod of rankForDeletion(active).slice(0, -difference)) requestPodDeletion(world, pod);
  }
  const ready = active.filter(isReady).length;
  if (replicaSet.status.replicas !== active.length || replicaSet.status.readyReplicas !== ready) {
    const next = structuredClone(replicaSet);
    next.status = {
      replicas: active.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: 1,
    };
    apiPut(world, next);
  }
}

function createPodFor(world: World, replicaSet: ReplicaSet, namespace: string): void {
  const template = replicaSet.spec.template;
  const name = `${replicaSet.metadata.name}-${randomNameSuffix(world.random, 5)}`;
  const metadata = newMetadata(world, name, namespace, template.metadata.labels);
  metadata.generateName = `${replicaSet.metadata.name}-`;
  if (template.metadata.annotations !== undefined)
    metadata.annotations = { ...template.metadata.annotations };
  metadata.ownerReferences = [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: replicaSet.metadata.name,
      uid: replicaSet.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const spec = { ...template.spec };
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.terminationGracePeriodSeconds ??= 30;
  // The DefaultTolerationSeconds admission plugin adds these to every pod.
  spec.tolerations = [
    ...(spec.tolerations ?? []),
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ];
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata, spec, status: { phase: 'Pending' } };
  apiPut(world, pod);
}

/**
 * The order in which a ReplicaSet picks pods to delete (controller.ActivePods ranking, reduced):
 * unscheduled before scheduled, pending before running, not ready before ready, newer before older.
 */
function rankForDeletion(pods: Pod[]): Pod[] {
  const score = (pod: Pod): number[] => [
    pod.spec.nodeName === undefined ? 0 : 1,
    pod.status.phase === 'Pending' ? 0 : 1,
    isReady(pod) ? 1 : 0,
  ];
  return [...pods].sort((a, b) => {
    const left = score(a);
    const right = score(b);
    for (let i = 0; i < left.length; i++) {
      const difference = (left[i] ?? 0) - (right[i] ?? 0);
      if (difference !== 0) return difference;
    }
    // Newer pods go first; creation times tie at second precision, so fall back on the name.
    const byTime = b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp);
    return byTime !== 0 ? byTime : a.metadata.name.localeCompare(b.metadata.name);
  });
}

/**
 * Graceful deletion: the API server sets deletionTimestamp and the pod stays (Terminating) until
 * its kubelet confirms the containers are gone. An unscheduled pod has no kubelet and goes at once.
 */
export function requestPodDeletion(world: World, pod: Pod, gracePeriodSeconds?: number): void {
  if (pod.metadata.deletionTimestamp !== undefined) return;
  if (pod.spec.nodeName === undefined) {
    apiRemove(world, 'Pod', keyOf(pod));
    return;
  }
  const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  apiPut(world, {
    ...pod,
    metadata: {
      ...pod.metadata,
      deletionTimestamp: toTimestamp(world.timeMs + grace * 1000),
      deletionGracePeriodSeconds: grace,
    },
  });
}

/** Whether a pod is selected by a Deployment (for `kubectl get pods -l` and exec deploy/NAME). */
export function deploymentSelects(deployment: Deployment, pod: Pod): boolean {
  return selectorMatches(deployment.spec.selector, pod.metadata.labels);
}
