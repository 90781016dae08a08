/**
 * Read-only questions about a world that commands, scenarios and widgets all ask: which pods match
 * labels, where a pod runs, which agent serves a node, and the ground truth of who owns an address.
 */
import { eachObject, keyOf, listObjects } from './k8s/api-store';
import { selectorMatches } from './k8s/metadata';
import type { DaemonSet, Deployment, Pod } from './k8s/objects';
import type { World } from './world';
import { sandboxOwningAddress } from './cilium/connection-ends';

/** Pods in a namespace whose labels include all given labels, in name order. */
export function podsWithLabels(
  world: Readonly<World>,
  labels: Record<string, string>,
  namespace = 'default',
): Pod[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  return listObjects(cluster.api, 'Pod').filter(
    (pod) =>
      (pod.metadata.namespace ?? 'default') === namespace &&
      selectorMatches({ matchLabels: labels }, pod.metadata.labels),
  );
}

/** Pods that are running and not being deleted. */
export function runningPods(pods: Pod[]): Pod[] {
  return pods.filter((pod) => pod.status.phase === 'Running' && pod.metadata.deletionTimestamp === undefined);
}

/** The store key of a pod. */
export function podKey(pod: Pod): string {
  return keyOf(pod);
}

/** Who really holds an address now: the pod and its node, whatever any cache believes. */
export function trueOwnerOf(world: Readonly<World>, ip: string): { pod: string; node: string } | undefined {
  const cluster = world.cluster;
  if (cluster === undefined) return undefined;
  const located = sandboxOwningAddress(cluster, ip);
  return located === undefined ? undefined : { pod: located.sandbox.podKey, node: located.node };
}

/**
 * Whether a Deployment's rollout is complete by the rules `kubectl rollout status` applies: the
 * controller observed the latest generation, every replica runs the newest template, no old
 * replica is left, and all of them are available.
 */
export function deploymentRolledOut(deployment: Deployment): boolean {
  const status = deployment.status;
  const desired = deployment.spec.replicas;
  return (
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 1) &&
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired
  );
}

/**
 * Whether a DaemonSet's rollout is complete by `kubectl rollout status`'s rules: the controller saw
 * the latest generation, and every node that should run a pod runs an updated, available one.
 */
export function daemonSetRolledOut(daemonSet: DaemonSet): boolean {
  const status = daemonSet.status;
  return (
    (status.observedGeneration ?? 0) >= (daemonSet.metadata.generation ?? 1) &&
    (status.updatedNumberScheduled ?? 0) >= status.desiredNumberScheduled &&
    (status.numberAvailable ?? 0) >= status.desiredNumberScheduled
  );
}

/**
 * Whether every agent is running, every Deployment's rollout is complete, and every DaemonSet runs
 * its current template everywhere, available on every node that still reaches the API server (a
 * node cut off keeps its DaemonSet pod, which its kubelet cannot report ready).
 */
export function clusterSettled(world: Readonly<World>): boolean {
  const cluster = world.cluster;
  if (cluster === undefined) return false;
  const agentsUp =
    cluster.cilium === undefined || Object.values(cluster.cilium.agents).every((agent) => agent.running);
  if (!agentsUp || !eachObject(cluster.api, 'Deployment').every(deploymentRolledOut)) return false;
  let unreachable = 0;
  for (const name in cluster.nodes) if (cluster.nodes[name]?.kubelet.health === 'unknown') unreachable += 1;
  return eachObject(cluster.api, 'DaemonSet').every((daemonSet) => {
    const status = daemonSet.status;
    return (
      (status.observedGeneration ?? 0) >= (daemonSet.metadata.generation ?? 1) &&
      (status.updatedNumberScheduled ?? 0) >= status.desiredNumberScheduled &&
      (status.numberAvailable ?? 0) + unreachable >= status.desiredNumberScheduled
    );
  });
}
