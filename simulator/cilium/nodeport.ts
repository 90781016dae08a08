/**
 * Node ports: a connection to `<node address>:<nodePort>` of a NodePort or LoadBalancer Service,
 * and what decides where it goes and which source the backend sees. This module plans; the
 * datapath (nodeport-forwarding.ts) sends the packets through policy.
 *
 * Who answers (docs: network/kubernetes/kubeproxy-free, v1.18):
 * - Cilium's socket LB (with the kube-proxy replacement, or `socketLB.enabled`) translates the
 *   connection at connect() inside pods and on the nodes themselves, to any ready backend whatever
 *   `externalTrafficPolicy` says ("all service endpoints are available for load balancing from
 *   in-cluster side"), so the backend sees the client itself.
 * - Otherwise the packet reaches the node. With the kube-proxy replacement bpf_host translates it
 *   (bpf/lib/nodeport.h `nodeport_lb4`): to a local backend with the client's address kept; to a
 *   remote one SNATed to the node (`tail_nodeport_nat_egress_ipv4`: to the cilium_host address in
 *   tunnel mode, whose header carries WORLD_ID "so the remote node [does not] assume that the
 *   request originated from a cluster node", to the node address in native routing, where the
 *   receiver finds remote-node in its ipcache); in DSR mode the client's address is kept. With
 *   externalTrafficPolicy=Local only local backends answer and a node without one drops the
 *   packet (DROP_NO_SERVICE), answering it with an ICMP reject from 1.15 (`serviceNoBackendResponse`).
 * - Without the replacement kube-proxy's iptables rules do it (pkg/proxy/iptables/proxier.go,
 *   KUBE-EXT chains): with the Cluster policy every connection is masqueraded to the node; with
 *   Local, pod traffic from the node's own pods and the node's own traffic go to any backend,
 *   anything else (the reader's machine, other nodes, pods of other nodes, which Cilium's
 *   masquerading gives their node's address) only to local backends, keeping its address, and is
 *   dropped where there is none. A Service without backends is rejected.
 * - With neither (kind's `kubeProxyMode: none` and no replacement), nothing listens on the port.
 */
import type { ServicePort } from '../k8s/objects';
import { getObject, listObjects } from '../k8s/api-store';
import type { Cluster } from '../world';
import { sourceIdentityTransport } from './config';
import { ReservedIdentity } from './reserved-identities';
import type { CachedService, ClusterView } from './state';

/** A Service's node port at one node's address. */
export interface NodePortFrontend {
  node: string;
  nodeIP: string;
  serviceKey: string;
  serviceName: string;
  port: ServicePort;
  nodePort: number;
  externalTrafficPolicy: 'Cluster' | 'Local';
}

/** Where a node port's connection starts, as the node that receives it tells sources apart. */
export type NodePortClient =
  { kind: 'external' } | { kind: 'node'; node: string } | { kind: 'pod'; node: string };

/** A ready backend as the deciding node sees it. */
export interface Backend {
  ip: string;
  port: number;
  node?: string;
}

/** What happens to a connection to a node port. */
export type NodePortPlan =
  /** Translated in the client, like a ClusterIP: any backend, the client's own address. */
  | { kind: 'socket'; sentence: string }
  | {
      kind: 'forward';
      handler: 'cilium' | 'kube-proxy';
      backend: Backend;
      /** Whose address the backend sees: the client's, the client node's (masqueraded), or the frontend's. */
      source: 'client' | 'client-node' | 'frontend';
      /** The identity the frontend writes in the tunnel header (SNATed N/S traffic in tunnel mode). */
      tunnelIdentity?: number;
      sentence: string;
    }
  | { kind: 'no-backend'; handler: 'cilium' | 'kube-proxy'; response: 'reject' | 'drop'; sentence: string }
  | { kind: 'closed'; sentence: string };

/** Who implements node ports on the nodes. */
function nodePortHandler(cluster: Cluster): 'cilium' | 'kube-proxy' | 'none' {
  if (cluster.cilium?.config.serviceLoadBalancing.nodePort === true) return 'cilium';
  return cluster.kubeProxyMode === 'none' ? 'none' : 'kube-proxy';
}

/** The Service view a node decides with: its agent's, or (kube-proxy without Cilium) the API's. */
function serviceAt(cluster: Cluster, view: ClusterView | undefined, key: string): CachedService | undefined {
  if (view !== undefined) return view.services[key];
  const service = getObject(cluster.api, 'Service', key);
  if (service === undefined) return undefined;
  return {
    clusterIP: service.spec.clusterIP,
    ports: service.spec.ports,
    ...(service.spec.type !== 'ClusterIP' ? { type: service.spec.type } : {}),
    ...(service.spec.externalTrafficPolicy !== undefined
      ? { externalTrafficPolicy: service.spec.externalTrafficPolicy }
      : {}),
  };
}

/** The node port of some Service at a node's address, as that node knows its Services. */
export function nodePortFrontend(
  cluster: Cluster,
  address: string,
  port: number,
): NodePortFrontend | undefined {
  const node = Object.values(cluster.nodes).find((candidate) => candidate.internalIP === address);
  if (node === undefined) return undefined;
  const agent = cluster.cilium?.agents[node.name];
  const view = agent === undefined ? undefined : cluster.cilium?.views[agent.viewId];
  const keys = view !== undefined ? Object.keys(view.services) : [];
  const candidates = view !== undefined ? keys : listServiceKeys(cluster);
  for (const key of candidates.sort()) {
    const service = serviceAt(cluster, view, key);
    if (service?.type === undefined) continue;
    const servicePort = service.ports.find(
      (candidate) => candidate.nodePort === port && (candidate.protocol ?? 'TCP') === 'TCP',
    );
    if (servicePort === undefined) continue;
    return {
      node: node.name,
      nodeIP: node.internalIP,
      serviceKey: key,
      serviceName: key.split('/')[1] ?? key,
      port: servicePort,
      nodePort: port,
      externalTrafficPolicy: service.externalTrafficPolicy ?? 'Cluster',
    };
  }
  return undefined;
}

function listServiceKeys(cluster: Cluster): string[] {
  return listObjects(cluster.api, 'Service').map(
    (service) => `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`,
  );
}

/** The ready backends of the frontend's Service on its port, as the frontend node sees them. */
function frontendBackends(cluster: Cluster, frontend: NodePortFrontend): Backend[] {
  const agent = cluster.cilium?.agents[frontend.node];
  const view = agent === undefined ? undefined : cluster.cilium?.views[agent.viewId];
  const target = frontend.port.targetPort;
  const port = typeof target === 'number' ? target : frontend.port.port;
  // Without a Cilium agent on the node, kube-proxy reads the Endpoints itself.
  const addresses =
    view?.serviceBackends[frontend.serviceKey] ??
    (getObject(cluster.api, 'Endpoints', frontend.serviceKey)?.subsets ?? []).flatMap((subset) =>
      (subset.addresses ?? []).map((address) => ({
        ip: address.ip,
        ...(address.nodeName !== undefined ? { nodeName: address.nodeName } : {}),
      })),
    );
  return addresses.map((backend) => ({
    ip: backend.ip,
    port,
    ...(backend.nodeName !== undefined ? { node: backend.nodeName } : {}),
  }));
}

/** Where the forwarded connection goes and what the backend sees, once a backend is chosen. */
function forwardPlan(
  cluster: Cluster,
  frontend: NodePortFrontend,
  handler: 'cilium' | 'kube-proxy',
  backend: Backend,
  keep: 'client' | 'client-node' | undefined,
): NodePortPlan {
  const local = backend.node === frontend.node;
  const config = cluster.cilium?.config;
  const name = `${frontend.serviceName} (${frontend.nodeIP}:${frontend.nodePort})`;
  if (keep !== undefined)
    return {
      kind: 'forward',
      handler,
      backend,
      source: keep,
      sentence: `${frontend.node} forwards ${name} to ${local ? 'its local' : 'the'} backend ${backend.ip}:${backend.port}, keeping the client's address.`,
    };
  if (handler === 'kube-proxy')
    return {
      kind: 'forward',
      handler,
      backend,
      source: 'frontend',
      sentence: `kube-proxy's rules on ${frontend.node} DNAT ${name} to ${backend.ip}:${backend.port} and masquerade the connection to the node's own address (externalTrafficPolicy=Cluster).`,
    };
  const tunnel =
    config !== undefined &&
    config.routingMode === 'tunnel' &&
    sourceIdentityTransport(config) === 'tunnel-header';
  return {
    kind: 'forward',
    handler,
    backend,
    source: 'frontend',
    ...(tunnel ? { tunnelIdentity: ReservedIdentity.world } : {}),
    sentence: `bpf_host on ${frontend.node} translates ${name} to the remote backend ${backend.ip}:${backend.port} and SNATs it to the node${tunnel ? '; the tunnel header carries reserved:world (2), since the request came from outside' : ''}.`,
  };
}

/** Plans a connection to a node port; `choose` picks one backend at random from a list. */
export function planNodePort(
  cluster: Cluster,
  client: NodePortClient,
  frontend: NodePortFrontend,
  choose: (backends: readonly Backend[]) => Backend | undefined,
): NodePortPlan {
  const balancing = cluster.cilium?.config.serviceLoadBalancing;
  if (client.kind !== 'external' && balancing?.socketLB === true)
    return {
      kind: 'socket',
      sentence: `Cilium's socket LB translates ${frontend.serviceName}'s node port ${frontend.nodePort} at connect() in the client, to any ready backend.`,
    };
  const handler = nodePortHandler(cluster);
  if (handler === 'none')
    return {
      kind: 'closed',
      sentence: `Neither kube-proxy (kind's kubeProxyMode: none) nor Cilium's kube-proxy replacement serves node ports, so nothing listens on ${frontend.nodeIP}:${frontend.nodePort} and the kernel resets the connection.`,
    };
  const all = frontendBackends(cluster, frontend);
  const localOnly = all.filter((backend) => backend.node === frontend.node);
  if (frontend.externalTrafficPolicy === 'Local')
    return planLocal(cluster, client, frontend, handler, all, localOnly, choose);
  const backend = choose(all);
  if (backend === undefined) return noBackend(cluster, frontend, handler, 'has no ready backend');
  const keep =
    handler === 'cilium' && (backend.node === frontend.node || balancing?.mode !== 'snat')
      ? 'client'
      : undefined;
  return forwardPlan(cluster, frontend, handler, backend, keep);
}

/** externalTrafficPolicy=Local: who may use remote backends, and who keeps their address. */
function planLocal(
  cluster: Cluster,
  client: NodePortClient,
  frontend: NodePortFrontend,
  handler: 'cilium' | 'kube-proxy',
  all: readonly Backend[],
  localOnly: readonly Backend[],
  choose: (backends: readonly Backend[]) => Backend | undefined,
): NodePortPlan {
  const onFrontend = client.kind !== 'external' && client.node === frontend.node;
  if (handler === 'kube-proxy' && onFrontend) {
    // The node's own pods (short-circuited) and the node itself (masqueraded) reach every backend.
    const backend = choose(all);
    if (backend === undefined) return noBackend(cluster, frontend, handler, 'has no ready backend');
    return forwardPlan(cluster, frontend, handler, backend, client.kind === 'pod' ? 'client' : undefined);
  }
  const backend = choose(localOnly);
  if (backend === undefined)
    return noBackend(
      cluster,
      frontend,
      handler,
      `has no ready backend on ${frontend.node} (externalTrafficPolicy=Local)`,
    );
  return forwardPlan(
    cluster,
    frontend,
    handler,
    backend,
    client.kind === 'pod' && handler === 'kube-proxy' ? 'client-node' : 'client',
  );
}

function noBackend(
  cluster: Cluster,
  frontend: NodePortFrontend,
  handler: 'cilium' | 'kube-proxy',
  why: string,
): NodePortPlan {
  const response =
    handler === 'cilium'
      ? (cluster.cilium?.config.serviceLoadBalancing.noBackendResponse ?? 'drop')
      : frontend.externalTrafficPolicy === 'Local'
        ? 'drop'
        : 'reject';
  return {
    kind: 'no-backend',
    handler,
    response,
    sentence: `${frontend.serviceName} ${why}, so ${handler === 'cilium' ? `bpf_host on ${frontend.node} drops the packet (Service backend not found)${response === 'reject' ? ' and answers with an ICMP reject' : ''}` : `kube-proxy's rules on ${frontend.node} ${response === 'reject' ? 'reject it' : 'drop it'}`}.`,
  };
}
