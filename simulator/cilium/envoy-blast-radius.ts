/**
 * Who shares a faulty L7 proxy, by architecture (the multi-tenancy argument of seed 003): a pure
 * function over one set of pods, so the comparison is computed, not asserted.
 *
 * - Cilium's node Envoy: one proxy per node serves every endpoint on that node whose traffic a
 *   policy redirects to it, whatever namespace or team the endpoint belongs to.
 * - An Istio sidecar: one proxy per pod; a faulty extension in it hurts that pod only.
 * - An Istio ambient waypoint: one proxy per namespace (or per service account when the waypoint is
 *   bound to one); it serves those workloads on every node, and nobody else.
 */
import type { Cluster } from '../world';
import { getObject, listObjects } from '../k8s/api-store';
import { policyForEndpoint } from './local-identities';
import { httpRedirects } from './envoy';

/** The L7 proxy designs compared. */
export type ProxyArchitecture = 'cilium-node-envoy' | 'istio-sidecar' | 'istio-ambient-waypoint';

export const proxyArchitectures: readonly ProxyArchitecture[] = [
  'cilium-node-envoy',
  'istio-sidecar',
  'istio-ambient-waypoint',
];

/** What the comparison needs to know about a pod. */
export interface ProxiedPod {
  name: string;
  namespace: string;
  serviceAccount: string;
  node: string;
  /** Whether an L7 policy sends this pod's traffic through a proxy (Cilium: an HTTP redirect). */
  l7: boolean;
}

/** Where the faulty extension was loaded: a node's Envoy, and the pod of the team that asked for it. */
export interface FaultyExtension {
  node: string;
  ownerPod: { name: string; namespace: string; serviceAccount: string };
}

/** The pods whose L7 traffic passes through the proxy that carries the faulty extension. */
export function podsSharingFaultyProxy(
  pods: readonly ProxiedPod[],
  architecture: ProxyArchitecture,
  fault: FaultyExtension,
  waypointScope: 'namespace' | 'service-account' = 'namespace',
): ProxiedPod[] {
  const owner = fault.ownerPod;
  const affected = pods.filter((pod) => {
    if (!pod.l7) return false;
    switch (architecture) {
      case 'cilium-node-envoy':
        return pod.node === fault.node;
      case 'istio-sidecar':
        return pod.name === owner.name && pod.namespace === owner.namespace;
      case 'istio-ambient-waypoint':
        return (
          pod.namespace === owner.namespace &&
          (waypointScope === 'namespace' || pod.serviceAccount === owner.serviceAccount)
        );
    }
  });
  return affected.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** The running pods of the cluster with their node, service account and whether Cilium redirects them to Envoy. */
export function proxiedPods(cluster: Cluster): ProxiedPod[] {
  const pods: ProxiedPod[] = [];
  for (const pod of listObjects(cluster.api, 'Pod')) {
    const node = pod.spec.nodeName;
    if (node === undefined || pod.status.phase !== 'Running' || pod.metadata.deletionTimestamp !== undefined)
      continue;
    if (getObject(cluster.api, 'Node', node) === undefined) continue;
    const agent = cluster.cilium?.agents[node];
    const endpoint = Object.values(agent?.endpoints ?? {}).find(
      (candidate) =>
        candidate.podName === pod.metadata.name &&
        candidate.namespace === (pod.metadata.namespace ?? 'default'),
    );
    const policy =
      agent === undefined || endpoint === undefined ? undefined : policyForEndpoint(cluster, agent, endpoint);
    pods.push({
      name: pod.metadata.name,
      namespace: pod.metadata.namespace ?? 'default',
      serviceAccount: pod.spec.serviceAccountName ?? 'default',
      node,
      l7: policy !== undefined && httpRedirects(policy).length > 0,
    });
  }
  return pods;
}
