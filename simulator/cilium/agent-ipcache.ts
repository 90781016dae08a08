/**
 * One agent's effective ipcache: its own endpoints and node addresses (source local), the entries
 * its view learnt from CiliumEndpoints (custom-resource), other nodes' addresses (remote-node or
 * kube-apiserver), and the world prefix for everything else. This is what the agent's datapath,
 * Hubble and `cilium map get cilium_ipcache` all read.
 */
import type { Cluster } from '../world';
import { ReservedIdentity } from './reserved-identities';
import { peekNodeDatapath, prefixesOf } from './datapath-state';
import type { AgentState, ClusterView, IpcacheEntry } from './state';

/**
 * The prefixes of the node's CIDR and FQDN identities (local-identities.ts), which Cilium puts in
 * the ipcache with source `generated` (pkg/fqdn/name_manager.go updateMetadata, source.Generated),
 * after the rows of pods and nodes, which take precedence for the same address.
 */
function generatedRows(
  cluster: Cluster,
  agent: AgentState,
  taken: ReadonlyMap<string, unknown>,
): IpcacheRow[] {
  const local = peekNodeDatapath(cluster, agent.node)?.localIdentities ?? {};
  return Object.entries(local)
    .flatMap(([id, identity]) => prefixesOf(identity).map((prefix) => ({ id, prefix })))
    .filter(({ prefix }) => !taken.has(prefix.replace(/\/32$/, '')))
    .map(({ id, prefix }) => ({
      prefix,
      entry: { identity: Number(id), source: 'generated' as const, hostIP: '', encryptKey: 0 },
    }))
    .sort((a, b) => a.prefix.localeCompare(b.prefix, 'en', { numeric: true }));
}

/** An ipcache row as the CLI lists it: the prefix and its entry. */
export interface IpcacheRow {
  prefix: string;
  entry: IpcacheEntry;
}

/** The view an agent currently reads. */
export function agentView(cluster: Cluster, agent: AgentState): ClusterView | undefined {
  return cluster.cilium?.views[agent.viewId];
}

function localEntries(cluster: Cluster, agent: AgentState): Map<string, IpcacheEntry> {
  const entries = new Map<string, IpcacheEntry>();
  const node = cluster.nodes[agent.node];
  if (node !== undefined)
    entries.set(node.internalIP, {
      identity: ReservedIdentity.host,
      source: 'local',
      hostIP: '',
      encryptKey: 0,
    });
  entries.set(agent.routerIP, {
    identity: ReservedIdentity.host,
    source: 'local',
    hostIP: '',
    encryptKey: 0,
  });
  entries.set(agent.healthIP, {
    identity: ReservedIdentity.health,
    source: 'local',
    hostIP: '',
    encryptKey: 0,
  });
  for (const endpoint of Object.values(agent.endpoints)) {
    if (endpoint.state === 'disconnected' || endpoint.state === 'disconnecting') continue;
    entries.set(endpoint.ip, {
      identity: endpoint.identity,
      source: 'local',
      hostIP: '',
      encryptKey: 0,
      namespace: endpoint.namespace,
      podName: endpoint.podName,
    });
  }
  return entries;
}

function nodeEntries(cluster: Cluster, agent: AgentState, view: ClusterView): Map<string, IpcacheEntry> {
  const entries = new Map<string, IpcacheEntry>();
  for (const name of Object.keys(view.nodes).sort()) {
    if (name === agent.node) continue;
    const node = view.nodes[name];
    if (node === undefined || node.internalIP === '') continue;
    const identity = node.isControlPlane ? ReservedIdentity.kubeApiserver : ReservedIdentity.remoteNode;
    entries.set(node.internalIP, {
      identity,
      source: 'custom-resource',
      hostIP: node.internalIP,
      encryptKey: 0,
    });
    // Other agents' router and health addresses come from their CiliumNode objects.
    const other = cluster.cilium?.agents[name];
    if (other !== undefined) {
      entries.set(other.routerIP, {
        identity,
        source: 'custom-resource',
        hostIP: node.internalIP,
        encryptKey: 0,
      });
      entries.set(other.healthIP, {
        identity: ReservedIdentity.health,
        source: 'custom-resource',
        hostIP: node.internalIP,
        encryptKey: 0,
      });
    }
  }
  return entries;
}

/** The entry an agent's datapath finds for an address (exact /32, then the world prefix). */
export function lookupIpcache(cluster: Cluster, agent: AgentState, ip: string): IpcacheEntry {
  const endpointId = agent.ipToEndpoint[ip];
  if (endpointId !== undefined) {
    const endpoint = agent.endpoints[String(endpointId)];
    if (endpoint !== undefined) {
      return {
        identity: endpoint.identity,
        source: 'local',
        hostIP: '',
        encryptKey: 0,
        namespace: endpoint.namespace,
        podName: endpoint.podName,
      };
    }
  }
  if (ip === agent.routerIP || ip === cluster.nodes[agent.node]?.internalIP) {
    return { identity: ReservedIdentity.host, source: 'local', hostIP: '', encryptKey: 0 };
  }
  if (ip === agent.healthIP)
    return { identity: ReservedIdentity.health, source: 'local', hostIP: '', encryptKey: 0 };
  const view = agentView(cluster, agent);
  if (view !== undefined) {
    const learnt = view.ipcache[ip];
    if (learnt !== undefined) return learnt;
    const node = nodeEntries(cluster, agent, view).get(ip);
    if (node !== undefined) return node;
  }
  return { identity: ReservedIdentity.world, source: 'custom-resource', hostIP: '', encryptKey: 0 };
}

/** Just the identity an agent's datapath resolves for an address: the allocation-free hot path. */
export function lookupIdentity(cluster: Cluster, agent: AgentState, ip: string): number {
  const endpointId = agent.ipToEndpoint[ip];
  if (endpointId !== undefined) {
    const endpoint = agent.endpoints[String(endpointId)];
    if (endpoint !== undefined) return endpoint.identity;
  }
  const learnt = cluster.cilium?.views[agent.viewId]?.ipcache[ip];
  if (learnt !== undefined) return learnt.identity;
  return lookupIpcache(cluster, agent, ip).identity;
}

/** Every row of an agent's ipcache, sorted by address, with the world prefix last. */
export function listIpcache(cluster: Cluster, agent: AgentState): IpcacheRow[] {
  const rows = new Map<string, IpcacheEntry>();
  const view = agentView(cluster, agent);
  if (view !== undefined) {
    for (const [ip, entry] of Object.entries(view.ipcache)) rows.set(ip, entry);
    for (const [ip, entry] of nodeEntries(cluster, agent, view)) if (!rows.has(ip)) rows.set(ip, entry);
  }
  for (const [ip, entry] of localEntries(cluster, agent)) rows.set(ip, entry);
  const sorted = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  return [
    ...sorted.map(([ip, entry]) => ({ prefix: `${ip}/32`, entry })),
    ...generatedRows(cluster, agent, rows),
    {
      prefix: '0.0.0.0/0',
      entry: { identity: ReservedIdentity.world, source: 'custom-resource', hostIP: '', encryptKey: 0 },
    },
  ];
}
