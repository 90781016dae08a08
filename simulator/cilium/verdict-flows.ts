/**
 * The Hubble events the datapath leaves behind when it decides about a packet: how a node names the
 * two ends of a flow (from its own ipcache and DNS proxy cache, stale or not), the policy-verdict
 * event of a new connection or a drop, and the drop event that follows a denial. Shared by the
 * endpoint path (datapath.ts) and the host firewall (host-firewall.ts), so both report alike.
 */
import type { Cluster } from '../world';
import { lookupIpcache } from './agent-ipcache';
import { peekNodeDatapath } from './datapath-state';
import type { Flow, FlowEndpoint, MistakenIdentity } from './flow';
import { localIdentityLabels } from './local-identities';
import { reservedIdentityNames } from './reserved-identities';
import { flowCapacity, type AgentState } from './state';
import type { PolicyVerdict } from '../policy/index';

/** Why the auth step dropped a packet. */
export type AuthDropReason = 'AUTH_REQUIRED' | 'NO_NODE_ID';

/** An identity as a sentence names it: `reserved:world (2)` or `36537 (app=sleep, version=v1)`. */
export function describeIdentity(cluster: Cluster, agent: AgentState, id: number): string {
  const name = reservedIdentityNames[id];
  if (name !== undefined) return `reserved:${name} (${id})`;
  const local = localIdentityLabels(cluster, agent.node, id);
  if (local !== undefined) {
    const shown = Object.keys(local).filter((key) => !key.startsWith('reserved:'));
    return `${id} (${shown.join(', ')}, local to ${agent.node})`;
  }
  const labels = cluster.cilium?.views[agent.viewId]?.identities[String(id)];
  const app = labels?.['k8s:app'] ?? labels?.['k8s:k8s-app'];
  const version = labels?.['k8s:version'];
  return app !== undefined
    ? `${id} (app=${app}${version !== undefined ? `, version=${version}` : ''})`
    : String(id);
}

/** Appends a flow to the cluster's Hubble ring. */
export function recordFlow(cluster: Cluster, flow: Omit<Flow, 'number'>): void {
  const cilium = cluster.cilium;
  if (cilium === undefined) return;
  cilium.flows.push({ ...flow, number: cilium.nextFlowNumber++ });
  if (cilium.flows.length > flowCapacity) cilium.flows.splice(0, cilium.flows.length - flowCapacity);
}

/** One end of a flow as the observing node names it: its ipcache for pods, its DNS proxy's cache for names. */
export function flowEndpoint(
  cluster: Cluster,
  observer: AgentState,
  ip: string,
  port: number,
  identity: number,
): FlowEndpoint {
  // Hubble names remote addresses from the observing node's ipcache, stale or not.
  const entry = lookupIpcache(cluster, observer, ip);
  const endpoint: FlowEndpoint = { ip, port, identity };
  if (entry.namespace !== undefined) endpoint.namespace = entry.namespace;
  if (entry.podName !== undefined) endpoint.podName = entry.podName;
  if (entry.podName === undefined) {
    const names = new Set<string>();
    for (const byName of Object.values(peekNodeDatapath(cluster, observer.node)?.fqdn ?? {})) {
      for (const [name, addresses] of Object.entries(byName))
        if (addresses[ip] !== undefined) names.add(name);
    }
    if (names.size > 0) endpoint.names = [...names].sort();
  }
  return endpoint;
}

/** Whether the verdict came from an enforcing policy (only then does Hubble emit a policy-verdict event). */
export function enforces(verdict: PolicyVerdict): boolean {
  return verdict.explanation.layer !== 'enforcement';
}

export interface FlowEnds {
  source: FlowEndpoint;
  destination: FlowEndpoint;
  mistaken?: MistakenIdentity | undefined;
}

/** Records the policy-verdict event the deciding node emits (new connections, and every drop). */
export function recordPolicyVerdict(
  cluster: Cluster,
  timeMs: number,
  node: string,
  direction: 'INGRESS' | 'EGRESS',
  verdict: PolicyVerdict,
  ends: FlowEnds,
  packet: { protocol: 'TCP' | 'UDP'; tcpFlags?: string },
  authDrop?: AuthDropReason,
): void {
  const denied = verdict.decision === 'denied' || authDrop !== undefined;
  recordFlow(cluster, {
    timeMs,
    node,
    eventType: 'policy-verdict',
    verdict: denied
      ? 'DROPPED'
      : verdict.decision === 'audit'
        ? 'AUDIT'
        : (verdict.proxyPort ?? 0) > 0
          ? 'REDIRECTED'
          : 'FORWARDED',
    ...(denied
      ? {
          dropReason:
            authDrop ?? (verdict.dropReason === 181 ? ('POLICY_DENY' as const) : ('POLICY_DENIED' as const)),
        }
      : {}),
    trafficDirection: direction,
    matchType: verdict.matchType,
    ...(verdict.authType === 1
      ? { authType: 'SPIRE' as const }
      : verdict.authType === 2
        ? { authType: 'TEST_ALWAYS_FAIL' as const }
        : {}),
    protocol: packet.protocol,
    ...(packet.tcpFlags !== undefined ? { tcpFlags: packet.tcpFlags } : {}),
    source: ends.source,
    destination: ends.destination,
    explanation: `${direction === 'EGRESS' ? 'egress' : 'ingress'} policy (${verdict.explanation.layer}): ${verdict.explanation.summary}`,
    ...(ends.mistaken !== undefined ? { mistaken: ends.mistaken } : {}),
  });
}

/** Records the drop event that follows a denial (`Policy denied DROPPED`). */
export function recordDrop(
  cluster: Cluster,
  timeMs: number,
  node: string,
  direction: 'INGRESS' | 'EGRESS',
  verdict: PolicyVerdict,
  ends: FlowEnds,
  packet: { protocol: 'TCP' | 'UDP'; tcpFlags?: string },
  authDrop?: AuthDropReason,
): void {
  recordFlow(cluster, {
    timeMs,
    node,
    eventType: 'drop',
    verdict: 'DROPPED',
    dropReason: authDrop ?? (verdict.dropReason === 181 ? 'POLICY_DENY' : 'POLICY_DENIED'),
    trafficDirection: direction,
    protocol: packet.protocol,
    ...(packet.tcpFlags !== undefined ? { tcpFlags: packet.tcpFlags } : {}),
    source: ends.source,
    destination: ends.destination,
    explanation:
      authDrop === undefined
        ? `${verdict.explanation.layer}: ${verdict.explanation.summary}`
        : `auth: ${authDrop === 'NO_NODE_ID' ? 'no node id for the tunnel endpoint' : 'no valid auth map entry'}; ${verdict.explanation.summary}`,
    ...(ends.mistaken !== undefined ? { mistaken: ends.mistaken } : {}),
  });
}
