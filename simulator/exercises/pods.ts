/**
 * Pods and identities as goals name them: by labels (as a Cilium selector without the `k8s:`
 * source) and an optional namespace, and the node whose agent is cut off from the API server.
 */
import { getObject, listObjects } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import { runningPods } from '../queries';
import type { Cluster, World } from '../world';
import type { NodeChoice, PodMatch } from './types';

/** Whether a pod's labels and namespace match. */
export function podMatches(pod: Pod, match: PodMatch): boolean {
  if (match.namespace !== undefined && (pod.metadata.namespace ?? 'default') !== match.namespace)
    return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(match.labels).every(([key, value]) => labels[key] === value);
}

/** The running pods that match, in store order. */
export function runningPodsMatching(world: Readonly<World>, match: PodMatch): Pod[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  return runningPods(listObjects(cluster.api, 'Pod').filter((pod) => podMatches(pod, match)));
}

/**
 * The labels Cilium gave a security identity, from its CiliumIdentity object (which outlives the
 * pods that had it until the operator's garbage collection), e.g. `{ 'k8s:app': 'sleep' }`.
 */
export function identityLabels(
  cluster: Cluster,
  identity: number,
): Readonly<Record<string, string>> | undefined {
  return getObject(cluster.api, 'CiliumIdentity', String(identity))?.['security-labels'];
}

/** The namespace label Cilium puts in every pod identity. */
const namespaceLabel = 'k8s:io.kubernetes.pod.namespace';

/** Whether an identity's labels match: every label under the `k8s:` source, and the namespace. */
export function identityMatches(cluster: Cluster, identity: number, match: PodMatch): boolean {
  const labels = identityLabels(cluster, identity);
  if (labels === undefined) return false;
  if (match.namespace !== undefined && labels[namespaceLabel] !== match.namespace) return false;
  return Object.entries(match.labels).every(([key, value]) => labels[`k8s:${key}`] === value);
}

/** The nodes a choice names: one node by name, every node whose agent is cut off, or those running a pod. */
export function nodesChosen(world: Readonly<World>, choice: NodeChoice): string[] {
  if (typeof choice === 'string') return [choice];
  if ('hosting' in choice)
    return [
      ...new Set(
        runningPodsMatching(world, choice.hosting).flatMap((pod) =>
          pod.spec.nodeName === undefined ? [] : [pod.spec.nodeName],
        ),
      ),
    ];
  const agents = world.cluster?.cilium?.agents ?? {};
  return Object.values(agents)
    .filter((agent) => agent.cutOffSinceMs !== undefined)
    .map((agent) => agent.node);
}
