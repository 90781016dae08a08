/**
 * The two ends of a packet's trip, found in the truth rather than in any node's belief: the
 * sandbox or node a client sends from, what really holds a destination address (a pod, a node's
 * own stack, or a host of the modelled internet), and the source address and port a packet leaves
 * with.
 * The reader's own machine sits on kind's Docker network and reaches only the node containers.
 */
import { nextIntBetween } from '../engine/prng';
import { getObject } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import { parsePrefix, prefixContains } from '../net/ipv4';
import type { Cluster, Sandbox, World } from '../world';
import { dockerGatewayIP, readersMachine, type Origin, type Target } from './datapath-types';
import { externalHostAt } from '../k8s/dns-world';
import { ReservedIdentity } from './reserved-identities';
import type { AgentState, LocalEndpoint } from './state';

const dockerNetworkCIDR = '172.18.0.0/16';
/** How long Linux tries ARP before it reports a neighbour unreachable (3 probes, 1 s apart). */
export const arpFailureMs = 3070;

interface Located {
  node: string;
  sandbox: Sandbox;
}

/** The sandbox that really holds an address right now (the truth, not any node's belief). */
export function sandboxOwningAddress(cluster: Cluster, ip: string): Located | undefined {
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    if (node === undefined || node.internalIP === ip) continue;
    for (const sandbox of Object.values(node.kubelet.sandboxes)) {
      if (
        sandbox.ip === ip &&
        sandbox.state !== 'removed' &&
        sandbox.state !== 'stopped' &&
        sandbox.state !== 'creating'
      )
        return { node: name, sandbox };
    }
  }
  return undefined;
}

function sandboxOfPod(cluster: Cluster, podKey: string): Located | undefined {
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    for (const sandbox of Object.values(node?.kubelet.sandboxes ?? {})) {
      if (sandbox.podKey === podKey) return { node: name, sandbox };
    }
  }
  return undefined;
}

function endpointOf(agent: AgentState, sandbox: Sandbox): LocalEndpoint | undefined {
  return sandbox.endpointId === undefined ? undefined : agent.endpoints[sandbox.endpointId];
}

/** The security identity a packet from the origin carries: its endpoint's, or reserved:host. */
export function originIdentity(origin: Origin): number {
  return origin.kind === 'pod' ? (origin.endpoint?.identity ?? 0) : ReservedIdentity.host;
}

/** The origin of a request, or why it cannot start. */
export function locateOrigin(
  cluster: Cluster,
  from: { fromPodKey?: string; fromNode?: string },
): Origin | string {
  if (from.fromNode === readersMachine)
    return { kind: 'node', node: readersMachine, ip: dockerGatewayIP, external: true };
  if (from.fromNode !== undefined) {
    const node = cluster.nodes[from.fromNode];
    if (node === undefined) return `Error response from daemon: No such container: ${from.fromNode}`;
    const agent = cluster.cilium?.agents[node.name];
    return { kind: 'node', node: node.name, ip: node.internalIP, ...(agent !== undefined ? { agent } : {}) };
  }
  const podKey = from.fromPodKey ?? '';
  const pod: Pod | undefined = getObject(cluster.api, 'Pod', podKey);
  const location = sandboxOfPod(cluster, podKey);
  if (
    pod === undefined ||
    location === undefined ||
    location.sandbox.state !== 'running' ||
    location.sandbox.ip === undefined
  )
    return 'the client pod is not running';
  const agent = cluster.cilium?.agents[location.node];
  const endpoint = agent === undefined ? undefined : endpointOf(agent, location.sandbox);
  return {
    kind: 'pod',
    node: location.node,
    pod,
    podKey,
    namespace: pod.metadata.namespace ?? 'default',
    sandbox: location.sandbox,
    ip: location.sandbox.ip,
    ...(agent !== undefined ? { agent } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
  };
}

function inClusterRange(cluster: Cluster, ip: string): boolean {
  const address = parsePrefix(`${ip}/32`, true)?.network;
  if (address === undefined) return false;
  const ranges = [cluster.serviceCIDR, ...Object.values(cluster.nodes).map((node) => node.podCIDR)];
  for (const range of ranges) {
    const prefix = parsePrefix(range, true);
    if (prefix !== undefined && prefixContains(prefix, address)) return true;
  }
  return Object.values(cluster.nodes).some((node) => node.internalIP === ip);
}

/** What holds an address in truth: a pod, a node, or (outside the cluster's ranges) the internet. */
export function locateTarget(cluster: Cluster, ip: string): Target | undefined {
  const server = sandboxOwningAddress(cluster, ip);
  if (server !== undefined) {
    const pod = getObject(cluster.api, 'Pod', server.sandbox.podKey);
    const agent = cluster.cilium?.agents[server.node];
    const endpoint = agent === undefined ? undefined : endpointOf(agent, server.sandbox);
    return {
      kind: 'pod',
      node: server.node,
      sandbox: server.sandbox,
      ...(pod !== undefined ? { pod } : {}),
      ...(agent !== undefined ? { agent } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
    };
  }
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    if (node === undefined) continue;
    const agent = cluster.cilium?.agents[name];
    if (node.internalIP === ip || agent?.routerIP === ip) return { kind: 'node', node: name, ip };
  }
  if (inClusterRange(cluster, ip)) return undefined;
  const host = externalHostAt(ip);
  return { kind: 'world', ip, ...(host !== undefined ? { host } : {}) };
}

/** A short name for the target in outcomes (`serverPod`). */
export function targetName(target: Target): string {
  if (target.kind === 'pod') return target.pod?.metadata.name ?? target.sandbox.podKey;
  if (target.kind === 'node') return target.node;
  return target.host?.name ?? target.ip;
}

/**
 * Why the reader's machine cannot reach an address: it has a route to the Docker network, where
 * only the node containers (and their published ports) answer; the pod and service ranges exist
 * only inside the nodes, and the simulator does not model the reader's own internet traffic.
 */
export function unreachableFromOutside(
  cluster: Cluster,
  origin: Origin,
  address: string,
  port?: number,
): { outcome: 'timeout' | 'error' | 'no-host'; sentence: string } | undefined {
  if (origin.kind !== 'node' || origin.external !== true) return undefined;
  if (Object.values(cluster.nodes).some((node) => node.internalIP === address)) return undefined;
  const dockerNetwork = parsePrefix(dockerNetworkCIDR, true);
  const parsed = parsePrefix(`${address}/32`, true);
  if (dockerNetwork !== undefined && parsed !== undefined && prefixContains(dockerNetwork, parsed.network))
    return {
      outcome: 'no-host',
      sentence: `${address} is on the kind Docker network, but no container holds it: your machine's ARP requests go unanswered and the kernel reports the host unreachable.`,
    };
  if (inClusterRange(cluster, address))
    return {
      outcome: 'timeout',
      sentence: `Your machine has no route to ${address}: the pod and service ranges exist only inside the kind nodes, so the packet${port === undefined ? '' : ` to port ${port}`} leaves through your default route and nothing answers.`,
    };
  return {
    outcome: 'error',
    sentence: `${address} is outside the kind network: the simulator models your machine's traffic to the kind nodes (the Docker network 172.18.0.0/16) only.`,
  };
}

/** The source address a packet leaves with: the pod's, or for a node the address its route uses. */
export function sourceAddressFor(cluster: Cluster, origin: Origin, target: Target): string {
  if (origin.kind === 'pod') return origin.ip;
  // A node reaches pods through cilium_host, so its packets carry the router address.
  if (target.kind === 'pod') return origin.agent?.routerIP ?? origin.ip;
  return cluster.nodes[origin.node]?.internalIP ?? origin.ip;
}

/** A fresh ephemeral source port (the kernel's default range). */
export function ephemeralPort(world: World): number {
  return nextIntBetween(world.random, 32768, 60999);
}
