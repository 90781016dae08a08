/**
 * Cilium's state in the model when the chart is first installed: one agent record per node (the
 * agents themselves start as the DaemonSet's pods start, cilium/agent-pod.ts), the shared view of
 * the API server, the operator's identity GC and, with mutual authentication, SPIRE and the auth
 * maps. The chart's Kubernetes objects are rendered by cilium/chart.ts and applied by Helm.
 */
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import type { CiliumConfig } from './config';
import { identityGcIntervalMs } from './identity-allocation';
import { createSharedView } from './views';
import type { AgentState } from './state';
import { installSpire } from './spire-model';
import { newAgentState } from './agent';

/** Creates Cilium's model state for a first install with this configuration. */
export function initCiliumState(world: World, config: CiliumConfig): void {
  const cluster = requireCluster(world);
  if (cluster.cilium !== undefined) return;
  const agents: Record<string, AgentState> = {};
  for (const nodeName of Object.keys(cluster.nodes).sort()) agents[nodeName] = newAgentState(nodeName);
  cluster.cilium = { config, agents, views: {}, nextViewNumber: 1, flows: [], nextFlowNumber: 1 };
  // The shared view starts from a full list, as each agent's informers do.
  const view = createSharedView(world);
  cluster.cilium.views[view.id] = view;
  schedule(world, identityGcIntervalMs, { type: 'operator.identity.gc' });
  if (config.mutualAuth.spire) enableMutualAuth(world, config);
}

/**
 * Mutual authentication (1.14+): SPIRE when the chart installs it, and each agent's auth map GC.
 * Without SPIRE no handshake can succeed, so the auth maps stay empty and their GC has nothing to do.
 */
export function enableMutualAuth(world: World, config: CiliumConfig): void {
  const cilium = requireCluster(world).cilium;
  if (cilium === undefined || cilium.mutualAuth !== undefined) return;
  cilium.mutualAuth = { nodes: {}, handshakes: [], nextHandshakeNumber: 1 };
  if (config.mutualAuth.spireInstall) cilium.spire = installSpire(world, config);
  schedule(world, config.mutualAuth.gcIntervalMs, { type: 'auth.gc' });
}
