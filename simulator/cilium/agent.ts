/**
 * The cilium-agent's life on a node: start-up (router and health addresses, the first list of the
 * API server), losing and regaining the API server, and the re-list that makes its caches correct
 * again. What an agent cannot do while cut off (create identities, write CiliumEndpoints, learn
 * about pods elsewhere) is what the mistaken-identity scenario is about.
 */
import { allocateNext } from '../k8s/ipam';
import { apiRemove } from '../k8s/api-writes';
import { getObject } from '../k8s/api-store';
import { markNetworkReady } from '../k8s/node-lifecycle';
import { startWaitingPods } from '../k8s/kubelet';
import { nextState } from '../machines/step';
import { apiConnectionMachine, type ApiConnectionState } from '../machines/api-connection';
import { nextIntBetween } from '../engine/prng';
import type { FirewallRule, NodeRuntime, World } from '../world';
import { requireCluster, schedule } from '../world';
import { podLabelsChanged, writeCiliumEndpoint } from './cni';
import { forkView, relistView, sharedViewId } from './views';
import type { AgentState } from './state';
import { syncNodeIds } from './node-ids';
import { ensureWireguardKey } from './wireguard';
import { writeCiliumNode } from './cilium-node';

/** Inserts a name into a sorted list unless it is there (binary search: thousands of agents join). */
function joinSorted(members: string[], name: string): void {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((members[middle] ?? '') < name) low = middle + 1;
    else high = middle;
  }
  if (members[low] !== name) members.splice(low, 0, name);
}

/** A node's agent record before its first start. */
export function newAgentState(node: string): AgentState {
  return {
    node,
    podName: '',
    viewId: sharedViewId,
    connection: 'connected',
    running: false,
    routerIP: '',
    healthIP: '',
    // Keyed by ids, addresses and pod keys the run makes up: hash tables without a prototype from
    // the start (k8s/api-store.ts, createApiStore, says why).
    endpoints: Object.create(null) as AgentState['endpoints'],
    ipToEndpoint: Object.create(null) as AgentState['ipToEndpoint'],
    pendingLabelResolution: Object.create(null) as AgentState['pendingLabelResolution'],
    orphanedCiliumEndpoints: Object.create(null) as AgentState['orphanedCiliumEndpoints'],
    notes: [],
  };
}

/**
 * Starts a node's agent once its pod's container booted with a configuration it accepts (a refused
 * one never gets here: cilium/agent-pod.ts): the first time it takes its router and health
 * addresses; a restarted agent restores them and its endpoints from its state directory. Either
 * way it joins the shared view.
 */
export function startAgent(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  const cilium = cluster.cilium;
  const node = cluster.nodes[nodeName];
  const agent = cilium?.agents[nodeName];
  if (cilium === undefined || node === undefined || agent === undefined || agent.running) return;
  if (agent.routerIP === '') agent.routerIP = allocateNext(node.ipam, world.random, 'router') ?? '';
  if (agent.healthIP === '') agent.healthIP = allocateNext(node.ipam, world.random, 'health') ?? '';
  agent.running = true;
  agent.startedAtMs = world.timeMs;
  agent.startCount = (agent.startCount ?? 0) + 1;
  // Runtime changes made with `cilium-dbg config` live in the agent's memory only. The health
  // endpoint is launched anew at each start (cilium/infra-endpoints.ts), so its options go too; the
  // host endpoint is restored from its state directory with its options.
  delete agent.daemonOptions;
  delete agent.healthEndpointOptions;
  delete agent.hostPolicyUpdatesMs;
  const shared = cilium.views[sharedViewId];
  if (shared !== undefined) joinSorted(shared.members, nodeName);
  agent.viewId = sharedViewId;
  syncNodeIds(world, agent);
  ensureWireguardKey(world, agent, agent.config ?? cilium.config);
  writeCiliumNode(world, agent);
  markNetworkReady(world, nodeName);
  startWaitingPods(world, nodeName);
}

/**
 * The agent's container stopped (its pod deleted, or the agent exited): the BPF programs and maps
 * it loaded stay pinned and keep enforcing, but nothing updates them and no new pod on the node can
 * get an endpoint until an agent runs again.
 */
export function stopAgent(world: World, agent: AgentState): void {
  if (!agent.running) return;
  agent.running = false;
  agent.notes.push({
    atMs: world.timeMs,
    text: `${agent.podName} on ${agent.node} stopped: its BPF maps stay pinned and keep enforcing the last state until an agent starts again and restores its endpoints.`,
  });
}

/** A rule that drops or rejects TCP (or every protocol) in a chain of the given table set. */
function dropsTcp(rule: FirewallRule, tables: readonly string[], chains: readonly string[]): boolean {
  return (
    tables.includes(rule.table) &&
    chains.includes(rule.chain) &&
    (rule.protocol === 'tcp' || rule.protocol === 'all') &&
    (rule.target === 'DROP' || rule.target === 'REJECT')
  );
}

const sameAddress = (ruleAddress: string | undefined, address: string): boolean =>
  ruleAddress === address || ruleAddress === `${address}/32`;

/**
 * Whether the API server's packets still reach this node. The seed's rules drop, in the node's
 * mangle INPUT chain, TCP from the API server's ClusterIP and from its endpoint address. Replies to
 * a ClusterIP connection carry the endpoint address at that point (the NAT is undone later, in the
 * nat INPUT hook), so it is the endpoint rule that cuts both the agent and the kubelet.
 */
function apiServerReachable(world: World, node: NodeRuntime): boolean {
  const cluster = requireCluster(world);
  if (node.role === 'control-plane') return true; // the API server runs on this node and is reached over loopback
  const blocked = (rule: FirewallRule): boolean =>
    dropsTcp(rule, ['mangle'], ['INPUT', 'PREROUTING']) &&
    sameAddress(rule.source, cluster.apiServer.endpointIP);
  return !node.firewall.some(blocked);
}

/**
 * Whether the agent's own connection to the API server gets out. The agent runs in the node's
 * network namespace and, as the chart installs it on kind (no `k8sServiceHost`), dials the
 * `kubernetes` Service's ClusterIP from its KUBERNETES_SERVICE_HOST. Locally generated packets
 * cross the OUTPUT chains before kube-proxy's DNAT (nat OUTPUT), so a raw, mangle or filter OUTPUT
 * rule for that ClusterIP cuts the agent alone: the kubelet dials the node's address on port 6443
 * (kind's kubeconfig) and keeps working. With the socket load balancer the ClusterIP is rewritten at
 * connect() time, before any chain, and such a rule never matches.
 */
function agentDialsThroughRule(world: World, node: NodeRuntime): boolean {
  const cluster = requireCluster(world);
  if (cluster.cilium?.config.serviceLoadBalancing.socketLB === true) return false;
  const clusterIP = cluster.apiServer.clusterIP;
  return node.firewall.some(
    (rule) =>
      dropsTcp(rule, ['raw', 'mangle', 'filter'], ['OUTPUT']) &&
      sameAddress(rule.destination, clusterIP) &&
      // The `kubernetes` Service listens on 443 and forwards to the API server's 6443.
      (rule.destinationPort === undefined || rule.destinationPort === 443),
  );
}

function moveConnection(
  state: ApiConnectionState,
  eventType: 'link.cut' | 'link.heal' | 'relist.completed',
): ApiConnectionState {
  return nextState(apiConnectionMachine, state, eventType) ?? state;
}

/** Re-evaluates a node's link to the API server after its firewall changed. */
export function updateApiLink(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  const node = cluster.nodes[nodeName];
  if (node === undefined) return;
  const reachable = apiServerReachable(world, node);
  const kubelet = node.kubelet;
  const agent = cluster.cilium?.agents[nodeName];
  if (!reachable) {
    if (kubelet.connection !== 'cutOff') kubelet.connection = moveConnection(kubelet.connection, 'link.cut');
  } else if (kubelet.connection === 'cutOff') {
    kubelet.connection = moveConnection(kubelet.connection, 'link.heal');
    schedule(world, 1000, { type: 'kubelet.relist', node: nodeName });
  }
  if (agent === undefined) return;
  if (!reachable || agentDialsThroughRule(world, node)) {
    if (agent.connection !== 'cutOff') cutAgentOff(world, agent);
    return;
  }
  if (agent.connection === 'cutOff') {
    agent.connection = moveConnection(agent.connection, 'link.heal');
    // client-go retries list+watch with a capped backoff, so the re-list lands some seconds later.
    const cutFor = world.timeMs - (agent.cutOffSinceMs ?? world.timeMs);
    const delay = 800 + nextIntBetween(world.random, 0, Math.min(30_000, Math.max(1000, cutFor)));
    schedule(world, delay, { type: 'agent.relist', node: nodeName });
  }
}

function cutAgentOff(world: World, agent: AgentState): void {
  const cilium = requireCluster(world).cilium;
  if (cilium === undefined) return;
  agent.connection = moveConnection(agent.connection, 'link.cut');
  agent.cutOffSinceMs = world.timeMs;
  if (agent.running) forkView(cilium, agent);
  const config = cilium.config;
  const livenessIncludesApiServer = config.versionMinor <= 17;
  agent.notes.push({
    atMs: world.timeMs,
    text:
      `${agent.podName} on ${agent.node} lost the API server: its caches, ipcache and BPF maps stay as they are, with no expiry.` +
      (livenessIncludesApiServer
        ? ` In Cilium ${config.versionMajor}.${config.versionMinor} the agent's liveness probe includes API-server connectivity, so after several minutes kubelet restarts it and the new agent cannot initialise without the API server; the pinned BPF maps keep enforcing this frozen state.`
        : ` From 1.18 (and 1.17 backports) the liveness probe no longer depends on the API server, so the agent keeps running with its frozen caches.`),
  });
}

/** The agent's re-list after the link healed: caches converge and deferred work is done. */
export function relistAgent(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  const agent = cluster.cilium?.agents[nodeName];
  if (agent === undefined || agent.connection !== 'relisting') return;
  const delta = relistView(world, agent);
  syncNodeIds(world, agent);
  agent.connection = moveConnection(agent.connection, 'relist.completed');
  delete agent.cutOffSinceMs;
  agent.notes.push({
    atMs: world.timeMs,
    text: `${agent.podName} re-listed the API server: ${delta.deletes} stale ipcache entr${delta.deletes === 1 ? 'y' : 'ies'} deleted, ${delta.upserts} upserted; its view now matches the cluster.`,
  });
  // CiliumEndpoints it could not delete while cut off.
  for (const [podKey, endpointId] of Object.entries(agent.orphanedCiliumEndpoints)) {
    const existing = getObject(cluster.api, 'CiliumEndpoint', podKey);
    if (existing !== undefined && existing.status.id === endpointId)
      apiRemove(world, 'CiliumEndpoint', podKey);
  }
  agent.orphanedCiliumEndpoints = {};
  for (const endpoint of Object.values(agent.endpoints)) {
    if (endpoint.state === 'ready') writeCiliumEndpoint(world, agent, endpoint);
  }
  // Endpoints at reserved:init get their pods' labels at their resolver's next run (cni.ts).
  // Pods relabelled while the agent was cut off: the re-listed pods carry their new labels.
  for (const endpoint of Object.values(agent.endpoints).sort((a, b) => a.id - b.id))
    podLabelsChanged(world, nodeName, endpoint.podKey);
}
