/**
 * Each agent's node IDs (pkg/datapath/linux/node_ids.go and pkg/maps/nodemap at v1.14.0): when an
 * agent learns about another node it takes a free ID from its own pool of 1-65535 (pkg/idpool's
 * AllocateID hands out a random available one) and writes it to its node map; the local node is
 * always 0. The numbers are per agent, so two agents may know the same peer by different IDs. They
 * show in the auth map key (`bpf auth list`) and in 1.14's ipcache value (`nodeid=`).
 *
 * IDs are kept only where a reader can see them (1.14 and later; in 1.12-1.13 nothing prints
 * them), and they are drawn from the world's generator when the agent learns the node: at start,
 * on a Node watch event, on a re-list. The agent deletes an ID when the node goes (deallocateIDForNode)
 * and restores its IDs from the pinned node map after a restart (RestoreNodeIDs), so they outlive
 * the agent's process as they do here.
 */
import { nextIntBetween } from '../engine/prng';
import type { WatchChange } from '../k8s/api-store';
import type { Cluster, World } from '../world';
import { requireCluster } from '../world';
import { agentView } from './agent-ipcache';
import type { AgentState } from './state';

/** The pool's bounds (minNodeID and maxNodeID = ^uint16(0)). */
const minimumNodeId = 1;
const maximumNodeId = 65535;

/** Whether this version's agents show node IDs anywhere (the auth map and 1.14's ipcache value). */
function nodeIdsVisible(cluster: Cluster): boolean {
  return (cluster.cilium?.config.versionMinor ?? 12) >= 14;
}

function allocate(world: World, ids: Record<string, number>, ip: string): void {
  if (ids[ip] !== undefined) return;
  const used = new Set(Object.values(ids));
  if (used.size >= maximumNodeId) return; // "No more IDs available for nodes"
  let id = nextIntBetween(world.random, minimumNodeId, maximumNodeId);
  while (used.has(id)) id = id === maximumNodeId ? minimumNodeId : id + 1;
  ids[ip] = id;
}

/** Brings an agent's node IDs in line with the nodes its view knows (agent start and re-list). */
export function syncNodeIds(world: World, agent: AgentState): void {
  const cluster = requireCluster(world);
  if (!nodeIdsVisible(cluster)) return;
  const ids = (agent.nodeIds ??= {});
  const own = cluster.nodes[agent.node]?.internalIP;
  const view = agentView(cluster, agent);
  const known = new Set<string>();
  for (const name of Object.keys(view?.nodes ?? {}).sort()) {
    const ip = view?.nodes[name]?.internalIP ?? '';
    if (ip === '' || ip === own) continue;
    known.add(ip);
    allocate(world, ids, ip);
  }
  for (const ip of Object.keys(ids)) if (!known.has(ip)) delete ids[ip];
}

/** A Node watch event reached a view: each agent reading it allocates or frees that node's ID. */
export function nodeIdsObserveNode(world: World, viewId: string, change: WatchChange): void {
  const cluster = requireCluster(world);
  if (change.object.kind !== 'Node' || !nodeIdsVisible(cluster)) return;
  const ip = change.object.status.addresses.find((address) => address.type === 'InternalIP')?.address;
  if (ip === undefined || ip === '') return;
  for (const member of cluster.cilium?.views[viewId]?.members ?? []) {
    const agent = cluster.cilium?.agents[member];
    if (agent === undefined || !agent.running || cluster.nodes[member]?.internalIP === ip) continue;
    const ids = (agent.nodeIds ??= {});
    if (change.type === 'DELETED') delete ids[ip];
    else allocate(world, ids, ip);
  }
}

/** An agent's node map: node IP → ID, its own address as 0. */
export function nodeIdsOf(cluster: Cluster, agent: AgentState): Map<string, number> {
  const ids = new Map(Object.entries(agent.nodeIds ?? {}));
  const own = cluster.nodes[agent.node]?.internalIP;
  if (own !== undefined) ids.set(own, 0);
  return ids;
}

/** The ID an agent's node map holds for a node address (0 for its own), or undefined. */
export function nodeIdForAddress(cluster: Cluster, agent: AgentState, ip: string): number | undefined {
  if (ip === cluster.nodes[agent.node]?.internalIP) return 0;
  return agent.nodeIds?.[ip];
}
