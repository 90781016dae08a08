/**
 * Who shares a proxy with a faulty HTTP filter, by architecture (the multi-tenancy argument of seed
 * 003): a pure function over one set of pods, so the comparison is computed, not asserted. The
 * fault is a filter configured for some Services of one namespace (a CiliumEnvoyConfig's
 * `services`, an Istio WasmPlugin on those workloads or on their waypoint).
 *
 * - Cilium's node Envoy: one process per node. Once the filter has pinned its workers, every pod on
 *   that node whose traffic a policy redirects to the proxy waits, whatever namespace or team it
 *   belongs to (cilium/envoy.ts).
 * - An Istio sidecar: one proxy per pod; the filter runs in the sidecars of the pods it is configured
 *   for, and a stuck sidecar hurts its own pod only.
 * - An Istio ambient waypoint: one proxy deployment for what is enrolled to it: a Service (the
 *   default `istio.io/waypoint-for: service`), a namespace's Services, or workloads
 *   (istio.io docs: ambient/usage/waypoint). It never spans namespaces, and it is not bound to a
 *   service account.
 */
import type { Cluster } from '../world';
import { getObject, listObjects } from '../k8s/api-store';
import { mapSelectorMatches } from '../k8s/metadata';
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
  /** The Services of its namespace that select it. */
  services: string[];
  /** Whether a Cilium policy redirects this pod's traffic to the node's Envoy (an HTTP rule). */
  l7: boolean;
}

/** Where the faulty filter runs: the node whose Envoy it pinned, and the Services it was configured for. */
export interface FaultyExtension {
  node: string;
  namespace: string;
  services: string[];
}

/** What a waypoint is enrolled for: the faulty Services only, or every Service of their namespace. */
export type WaypointScope = 'service' | 'namespace';

const servesFaultyService = (pod: ProxiedPod, fault: FaultyExtension): boolean =>
  pod.namespace === fault.namespace && pod.services.some((service) => fault.services.includes(service));

/** The pods whose traffic passes through a proxy that runs the faulty filter. */
export function podsSharingFaultyProxy(
  pods: readonly ProxiedPod[],
  architecture: ProxyArchitecture,
  fault: FaultyExtension,
  waypointScope: WaypointScope = 'namespace',
): ProxiedPod[] {
  const affected = pods.filter((pod) => {
    switch (architecture) {
      case 'cilium-node-envoy':
        return pod.l7 && pod.node === fault.node;
      case 'istio-sidecar':
        return servesFaultyService(pod, fault);
      case 'istio-ambient-waypoint':
        return waypointScope === 'service'
          ? servesFaultyService(pod, fault)
          : pod.namespace === fault.namespace && pod.services.length > 0;
    }
  });
  return affected.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** The running pods with an endpoint, their node, Services and whether Cilium redirects them to Envoy. */
export function proxiedPods(cluster: Cluster): ProxiedPod[] {
  const pods: ProxiedPod[] = [];
  const services = listObjects(cluster.api, 'Service');
  for (const pod of listObjects(cluster.api, 'Pod')) {
    const node = pod.spec.nodeName;
    if (node === undefined || pod.status.phase !== 'Running' || pod.metadata.deletionTimestamp !== undefined)
      continue;
    // A host-network pod (an agent, the control plane's static pods) has no endpoint to redirect.
    if (pod.spec.hostNetwork === true) continue;
    if (getObject(cluster.api, 'Node', node) === undefined) continue;
    const namespace = pod.metadata.namespace ?? 'default';
    const agent = cluster.cilium?.agents[node];
    const endpoint = Object.values(agent?.endpoints ?? {}).find(
      (candidate) => candidate.podName === pod.metadata.name && candidate.namespace === namespace,
    );
    const policy =
      agent === undefined || endpoint === undefined ? undefined : policyForEndpoint(cluster, agent, endpoint);
    pods.push({
      name: pod.metadata.name,
      namespace,
      serviceAccount: pod.spec.serviceAccountName ?? 'default',
      node,
      services: services
        .filter(
          (service) =>
            (service.metadata.namespace ?? 'default') === namespace &&
            service.spec.selector !== undefined &&
            mapSelectorMatches(service.spec.selector, pod.metadata.labels),
        )
        .map((service) => service.metadata.name)
        .sort(),
      l7: policy !== undefined && httpRedirects(policy).length > 0,
    });
  }
  return pods;
}
