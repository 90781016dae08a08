/**
 * Service translation on the client's node, the first stage of a connection: a packet to a
 * ClusterIP (or a node port Cilium's socket LB answers in the client) is rewritten to one backend
 * of that node's own view of the Service's endpoints, stale or not. Cilium does this in the socket
 * LB at connect() or per packet in bpf_lxc (upstream `bpf/bpf_sock.c`, `bpf/lib/lb.h`); kube-proxy's
 * rules do it on a node without the replacement. A node port the node forwards is nodeport-forwarding.ts.
 */
import { nextIntBetween } from '../engine/prng';
import { getObject, listObjects } from '../k8s/api-store';
import type { Cluster, World } from '../world';
import type { Origin } from './datapath-types';
import type { NodePortFrontend } from './nodeport';

/** Service translation on the client's node, from that node's view of the Endpoints. */
export function translateService(
  world: World,
  cluster: Cluster,
  origin: Origin,
  address: string,
  port: number,
  explanation: string[],
  frontend?: NodePortFrontend,
): { backendIP: string; backendPort: number } | 'refused' {
  const service =
    frontend !== undefined
      ? getObject(cluster.api, 'Service', frontend.serviceKey)
      : listObjects(cluster.api, 'Service').find((candidate) => candidate.spec.clusterIP === address);
  if (service === undefined) return { backendIP: address, backendPort: port };
  if (origin.kind === 'node' && origin.external !== true && !nodeTranslatesClusterIPs(cluster)) {
    explanation.push(
      `Neither kube-proxy nor Cilium's socket LB runs on ${origin.node}, so nothing translates ${address}; the packet follows the default route.`,
    );
    return { backendIP: address, backendPort: port };
  }
  const cilium = cluster.cilium;
  const clientAgent = cilium?.agents[origin.node];
  const serviceKey = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
  const view = clientAgent === undefined ? undefined : cilium?.views[clientAgent.viewId];
  const servicePort = frontend?.port ?? service.spec.ports.find((candidate) => candidate.port === port);
  // Without a Cilium agent on the node (kind's own CNI), kube-proxy reads the Endpoints itself.
  const known =
    view?.serviceBackends[serviceKey] ??
    (clientAgent === undefined && cluster.kubeProxyMode !== 'none'
      ? (getObject(cluster.api, 'Endpoints', serviceKey)?.subsets ?? []).flatMap((subset) =>
          (subset.addresses ?? []).map((entry) => ({ ip: entry.ip })),
        )
      : []);
  const backends = known.filter(() => servicePort !== undefined);
  if (backends.length === 0) {
    explanation.push(
      `${service.metadata.name} (${address}) has no ready backend in ${origin.node}'s view, so the connection is rejected at once.`,
    );
    return 'refused';
  }
  const backend = backends[nextIntBetween(world.random, 0, backends.length - 1)];
  if (backend === undefined) return 'refused';
  const target = servicePort?.targetPort;
  const backendPort = typeof target === 'number' ? target : (servicePort?.port ?? port);
  explanation.push(
    `${origin.node} translates ${service.metadata.name} (${address}:${port}) to backend ${backend.ip}:${backendPort}.`,
  );
  return { backendIP: backend.ip, backendPort };
}

/** Whether a node's own processes reach ClusterIPs: kube-proxy's rules or Cilium's socket LB. */
function nodeTranslatesClusterIPs(cluster: Cluster): boolean {
  return cluster.kubeProxyMode !== 'none' || cluster.cilium?.config.serviceLoadBalancing.socketLB === true;
}
