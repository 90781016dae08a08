/**
 * The Hubble events the datapath leaves behind when it decides about a packet: how a node names the
 * two ends of a flow (from its own ipcache and DNS proxy cache, stale or not), the policy-verdict
 * event of a new connection or a drop, and the drop event that follows a denial. Shared by the
 * endpoint path (endpoint-policy.ts) and the host firewall (host-firewall.ts), so both report alike.
 */
import type { Cluster } from '../world';
import { lookupIpcache } from './agent-ipcache';
import { peekNodeDatapath } from './datapath-state';
import type { Flow, FlowEndpoint, MistakenIdentity } from './flow';
import { localIdentityLabels } from './local-identities';
import { reservedIdentityNames } from './reserved-identities';
import { flowCapacity, type AgentState } from './state';
import type { PolicyQuery, PolicyVerdict } from '../policy/index';
import type { PacketTuple } from './conntrack';
import type { AuthDropReason } from './datapath-types';

/** What a flow event says about the packet itself: protocol, TCP flags or ICMP type. */
export interface FlowPacket {
  protocol: Flow['protocol'];
  tcpFlags?: string;
  icmpType?: number;
}

/**
 * The packet part of a flow for a tuple in the original direction: a TCP packet is the SYN of a
 * new connection or carries data on an established one; ICMP becomes Hubble's ICMPv4.
 */
export function packetOf(tuple: PacketTuple, established: boolean): FlowPacket {
  if (tuple.protocol === 'ICMP') return { protocol: 'ICMPv4', icmpType: tuple.icmpType ?? 8 };
  if (tuple.protocol === 'UDP') return { protocol: 'UDP' };
  return { protocol: 'TCP', tcpFlags: established ? 'ACK, PSH' : 'SYN' };
}

/** The packet part of a flow for a reply: the SYN-ACK of a TCP handshake, data after it, an echo reply. */
export function replyPacketOf(back: PacketTuple, established: boolean): FlowPacket {
  if (back.protocol !== 'TCP') return packetOf(back, established);
  return { protocol: 'TCP', tcpFlags: established ? 'ACK, PSH' : 'SYN, ACK' };
}

/** The policy-map question for a packet: its destination port, or for ICMP its message type. */
export function policyQuery(
  direction: 'ingress' | 'egress',
  remoteIdentity: number,
  tuple: PacketTuple,
): PolicyQuery {
  if (tuple.protocol === 'ICMP')
    return { direction, remoteIdentity, port: 0, protocol: 'ICMP', icmpType: tuple.icmpType ?? 8 };
  return { direction, remoteIdentity, port: tuple.destinationPort, protocol: tuple.protocol };
}

/** The packet fields of a flow record, leaving out the ones a protocol does not have. */
export function packetFields(packet: FlowPacket): FlowPacket {
  const fields: FlowPacket = { protocol: packet.protocol };
  if (packet.tcpFlags !== undefined) fields.tcpFlags = packet.tcpFlags;
  if (packet.icmpType !== undefined) fields.icmpType = packet.icmpType;
  return fields;
}

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
  packet: FlowPacket,
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
    // The parser takes an allowed (or audited) verdict for a connection's first packet, so not a
    // reply; a denied one carries a drop reason and its direction is unknown
    // (pkg/hubble/parser/threefour/parser.go decodeIsReply at v1.18.5).
    ...(denied ? {} : { isReply: false }),
    matchType: verdict.matchType,
    ...(verdict.authType === 1
      ? { authType: 'SPIRE' as const }
      : verdict.authType === 2
        ? { authType: 'TEST_ALWAYS_FAIL' as const }
        : {}),
    ...packetFields(packet),
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
  packet: FlowPacket,
  authDrop?: AuthDropReason,
): void {
  recordFlow(cluster, {
    timeMs,
    node,
    eventType: 'drop',
    verdict: 'DROPPED',
    dropReason: authDrop ?? (verdict.dropReason === 181 ? 'POLICY_DENY' : 'POLICY_DENIED'),
    trafficDirection: direction,
    ...packetFields(packet),
    source: ends.source,
    destination: ends.destination,
    explanation:
      authDrop === undefined
        ? `${verdict.explanation.layer}: ${verdict.explanation.summary}`
        : `auth: ${authDrop === 'NO_NODE_ID' ? 'no node id for the tunnel endpoint' : 'no valid auth map entry'}; ${verdict.explanation.summary}`,
    ...(ends.mistaken !== undefined ? { mistaken: ends.mistaken } : {}),
  });
}
