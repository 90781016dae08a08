/**
 * The host firewall (`hostFirewall.enabled=true`): bpf_host enforcing host policies, the
 * CiliumClusterwideNetworkPolicies with a nodeSelector, on the node's host endpoint (identity
 * reserved:host). Modelled after bpf/bpf_host.c and bpf/lib/host_firewall.h of Cilium 1.12 to 1.18
 * (the structure is the same in every release the model covers):
 *
 * - Ingress: a packet whose destination the node's ipcache resolves to reserved:host (the node's
 *   own addresses) is checked against the host endpoint's ingress policy, with the source identity
 *   the node resolves for the sender.
 * - Egress: a packet the node's own stack sends (identity reserved:host) is checked against the host
 *   endpoint's egress policy, with the destination identity from the node's ipcache (pods,
 *   remote-node, kube-apiserver, its CIDR and FQDN identities, world). bpf_host sees it on
 *   cilium_host when the route goes there (local pods, and remote pods in tunnel mode) and on the
 *   native device otherwise (other nodes, the internet, remote pods with native routing); a
 *   destination on the node itself never leaves the host and is not checked. Pod traffic leaving
 *   the node is not host traffic, even when masquerading gives it the node's address.
 * - Conntrack: both directions use the node's global conntrack table, so an allowed connection
 *   (or any connection, while no host policy enforces that direction) leaves an entry. A reply
 *   (CT_REPLY) passes without a policy lookup; further packets in the original direction
 *   (CT_ESTABLISHED) are still looked up, as for pods, and only new connections and drops emit a
 *   policy-verdict event.
 *
 * Not modelled: the tunnel and WireGuard packets that carry pod traffic between nodes (VXLAN
 * 8472/UDP, Geneve 6081/UDP, WireGuard 51871/UDP), which bpf_host also treats as the host's own
 * traffic, so real host policies must allow them between nodes; host-networked pods (they share the
 * host endpoint in Cilium); ICMP; mutual authentication on host policies; and the redirect of the
 * host's DNS lookups to the DNS proxy by DNS rules in host policies (newer releases), so the host
 * learns toFQDNs addresses only from its pods' lookups.
 */
import type { Cluster } from '../world';
import { lookupIpcache } from './agent-ipcache';
import { sourceIdentityTransport, type CiliumConfig } from './config';
import { ctCreate, ctLookup, ctTouch, reversed, type PacketTuple } from './conntrack';
import type { Blocked, Origin, Passage, Target } from './datapath-types';
import { hostPolicyWithLocalIdentities, remoteIdentityFor, syncLocalIdentities } from './local-identities';
import { ReservedIdentity } from './reserved-identities';
import type { AgentState } from './state';
import {
  describeIdentity,
  enforces,
  flowEndpoint,
  recordDrop,
  recordPolicyVerdict,
  packetOf,
  policyQuery,
  type FlowEnds,
} from './verdict-flows';
import { lookupPolicy, type PolicyVerdict } from '../policy/index';

/**
 * The endpoint id the host's conntrack entries carry. The CLI numbers the host endpoint
 * (agent-endpoints.ts); these entries keep 0, which no pod endpoint has, and tests rely on it.
 */
const hostEndpointId = 0;

/** What the host firewall let through: whether conntrack already knew the connection. */
export interface HostPassage {
  ok: true;
  established: boolean;
}

function packetWord(tuple: PacketTuple, established: boolean): string {
  return established || tuple.protocol !== 'TCP' ? 'packet' : 'SYN';
}

/** The host endpoint's verdict for one direction, or undefined when the agent computed no policy. */
function hostVerdict(
  cluster: Cluster,
  agent: AgentState,
  direction: 'ingress' | 'egress',
  remoteIdentity: number,
  tuple: PacketTuple,
): PolicyVerdict | undefined {
  const policy = hostPolicyWithLocalIdentities(cluster, agent);
  if (policy === undefined) return undefined;
  return lookupPolicy(policy, policyQuery(direction, remoteIdentity, tuple));
}

/** Where bpf_host meets a packet the node sends, for the explanation. */
function egressHook(cluster: Cluster, origin: Origin, target: Target): string {
  if (target.kind === 'pod' && target.node === origin.node)
    return 'on cilium_host, before delivering it to the local pod';
  if (target.kind === 'pod' && cluster.cilium?.config.routingMode === 'tunnel')
    return 'on cilium_host, before encapsulating it for the remote pod';
  return 'as it leaves through eth0 (to-netdev)';
}

/** The sentences that explain one direction's decisions at the host endpoint. */
interface HostNarration {
  denied(verdict: PolicyVerdict, established: boolean): string;
  /** No host policy selects the endpoint in this direction: the packet passes without default deny. */
  unenforced(): string;
  /** An enforcing (or auditing) policy let a new connection through. */
  admitted(verdict: PolicyVerdict): string;
  /** Said when conntrack already knows the connection and the packet is not a retransmission. */
  established?(): string;
  /** Said when the packet answers a connection the host opened (CT_REPLY). */
  reply?(): string;
}

/** Where a packet meets the host endpoint's policy, and how that node sees the other end. */
interface HostSide {
  direction: 'ingress' | 'egress';
  node: string;
  agent: AgentState;
  /** The other end's identity as this node resolved it. */
  remoteIdentity: number;
  /** Sync the node's CIDR and FQDN identities before the lookup (the sender's side did already). */
  syncIdentities: boolean;
  narration: HostNarration;
}

/**
 * bpf_host's policy stage at the host endpoint, for either direction: conntrack (a reply passes
 * without a lookup), the host policy, a drop with its policy-verdict and drop events, or a new
 * conntrack entry and, where a host policy enforces the direction, the policy-verdict event.
 */
function enforceHostPolicy(
  cluster: Cluster,
  side: HostSide,
  tuple: PacketTuple,
  now: number,
  retransmit: boolean,
  explanation: string[],
): HostPassage | Blocked {
  const { direction, node, agent, remoteIdentity, narration } = side;
  const ct = ctLookup(cluster, node, direction, tuple, now);
  if (ct.status === 'reply') {
    if (ct.entry !== undefined) ctTouch(ct.entry, now, { reply: true });
    const sentence = narration.reply?.();
    if (sentence !== undefined) explanation.push(sentence);
    return { ok: true, established: true };
  }
  // A retransmitted SYN finds the entry its first copy created, but it is still a SYN.
  const established = ct.status === 'established' && !retransmit;
  // The host's CIDR and FQDN identities must be current before its policy is compiled.
  if (side.syncIdentities) syncLocalIdentities(cluster, agent, now);
  const verdict = hostVerdict(cluster, agent, direction, remoteIdentity, tuple);
  const egress = direction === 'egress';
  const flowDirection = egress ? 'EGRESS' : 'INGRESS';
  const ends: FlowEnds = {
    source: flowEndpoint(
      cluster,
      agent,
      tuple.sourceIP,
      tuple.sourcePort,
      egress ? ReservedIdentity.host : remoteIdentity,
    ),
    destination: flowEndpoint(
      cluster,
      agent,
      tuple.destinationIP,
      tuple.destinationPort,
      egress ? remoteIdentity : ReservedIdentity.host,
    ),
  };
  const packet = packetOf(tuple, established);
  if (verdict !== undefined && verdict.decision === 'denied') {
    recordPolicyVerdict(cluster, now, node, flowDirection, verdict, ends, packet);
    recordDrop(cluster, now, node, flowDirection, verdict, ends, packet);
    return { ok: false, reason: narration.denied(verdict, established) };
  }
  if (ct.entry !== undefined) {
    ctTouch(ct.entry, now, { reply: false });
    const sentence = retransmit ? undefined : narration.established?.();
    if (sentence !== undefined) explanation.push(sentence);
    return { ok: true, established };
  }
  // Every new host connection gets an entry while the host firewall is on, enforced or not, so
  // that its reply is recognised (CT_REPLY) by the other direction's policy.
  ctCreate(
    cluster,
    node,
    direction,
    tuple,
    {
      endpointId: hostEndpointId,
      sourceIdentity: egress ? ReservedIdentity.host : remoteIdentity,
      remoteIdentity,
      proxyRedirect: false,
    },
    now,
  );
  if (verdict === undefined || !enforces(verdict)) {
    explanation.push(narration.unenforced());
    return { ok: true, established: false };
  }
  recordPolicyVerdict(cluster, now, node, flowDirection, verdict, ends, packet);
  explanation.push(narration.admitted(verdict));
  return { ok: true, established: false };
}

/**
 * Host egress: a connection the node's own stack opens (`docker exec NODE curl …`). Returns the
 * drop, or whether the packet belongs to a connection conntrack already knows.
 */
export function hostFirewallEgress(
  cluster: Cluster,
  origin: Extract<Origin, { kind: 'node' }>,
  target: Target,
  tuple: PacketTuple,
  destinationIdentity: number,
  explanation: string[],
  now: number,
  retransmit = false,
): HostPassage | Blocked {
  const agent = origin.agent;
  // Traffic to the node's own addresses stays in the host; hostFirewallIngress explains it.
  if (agent === undefined || (target.kind === 'node' && target.node === origin.node))
    return { ok: true, established: false };
  const node = origin.node;
  const destination = (): string =>
    `${describeIdentity(cluster, agent, destinationIdentity)} at ${tuple.destinationIP}:${tuple.destinationPort}`;
  const side: HostSide = {
    direction: 'egress',
    node,
    agent,
    remoteIdentity: destinationIdentity,
    syncIdentities: false,
    narration: {
      denied: (verdict, established) =>
        `${established ? 'The connection is established (CT_ESTABLISHED), but bpf_host still looks every packet of the original direction up in the host policy, and the ' : 'The '}host firewall on ${node} drops the ${packetWord(tuple, established)} its own stack sends to ${destination()} ${egressHook(cluster, origin, target)}: the egress policy of its host endpoint (reserved:host) says: ${verdict.explanation.summary}`,
      established: () =>
        `Conntrack on ${node} finds the host's connection established; the host endpoint's egress policy still allows it, and no new policy-verdict event is emitted.`,
      unenforced: () =>
        `The host firewall is on, but no host policy (a CiliumClusterwideNetworkPolicy with a nodeSelector) selects ${node}'s host endpoint for egress, so its own traffic to ${destination()} leaves without default deny.`,
      admitted: (verdict) =>
        verdict.decision === 'audit'
          ? `The host firewall on ${node} is in policy audit mode: the host endpoint's egress policy would drop the ${packetWord(tuple, false)} to ${destination()} (${verdict.explanation.summary}), but it leaves and Hubble reports it as AUDIT.`
          : `The host firewall on ${node} checks the ${packetWord(tuple, false)} its own stack sends ${egressHook(cluster, origin, target)} and allows ${destination()}: ${verdict.explanation.summary}`,
    },
  };
  return enforceHostPolicy(cluster, side, tuple, now, retransmit, explanation);
}

/**
 * Host ingress: bpf_host on the target node looks a packet for the node's own address up in the
 * host endpoint's policy. The source identity is what that node resolves, as for its pods: the
 * local pod's identity, the tunnel header's, or its ipcache's (remote-node for other nodes, world
 * outside). The node's own stack talking to itself never crosses bpf_host. Returns the drop, if any.
 */
export function hostFirewallIngress(
  cluster: Cluster,
  origin: Origin,
  target: Extract<Target, { kind: 'node' }>,
  tuple: PacketTuple,
  clientIdentity: number,
  explanation: string[],
  now: number,
): Blocked | undefined {
  const cilium = cluster.cilium;
  const hostAgent = cilium?.agents[target.node];
  if (cilium === undefined || hostAgent === undefined) return undefined;
  const node = target.node;
  if (origin.kind === 'node' && origin.node === node) {
    explanation.push(
      `${tuple.destinationIP} is ${node}'s own address and the packet comes from its own stack: it never leaves the host, so bpf_host and the host policy do not see it.`,
    );
    return undefined;
  }
  const sourceIdentity = hostSourceIdentity(
    cluster,
    cilium.config,
    hostAgent,
    origin,
    node,
    tuple,
    clientIdentity,
    now,
  );
  // Named before the lookup syncs the node's local identities, as the node saw the sender.
  const source = describeIdentity(cluster, hostAgent, sourceIdentity);
  const side: HostSide = {
    direction: 'ingress',
    node,
    agent: hostAgent,
    remoteIdentity: sourceIdentity,
    syncIdentities: true,
    narration: {
      reply: () =>
        `The packet answers a connection ${node} opened itself (CT_REPLY), so the host firewall lets it in without a policy lookup.`,
      denied: (verdict, established) =>
        `${established ? 'The connection is established, but bpf_host looks every packet of the original direction up in the host policy: the ' : 'The '}host firewall on ${node} drops the ${packetWord(tuple, established)} from ${source} to its own address ${tuple.destinationIP}:${tuple.destinationPort}: the ingress policy of its host endpoint (reserved:host) says: ${verdict.explanation.summary}`,
      unenforced: () =>
        `${tuple.destinationIP} is node ${node}'s own address; the host firewall is on, but no host policy (a CiliumClusterwideNetworkPolicy with a nodeSelector) selects ${node}'s host endpoint for ingress, so ${source} passes without default deny.`,
      admitted: (verdict) =>
        verdict.decision === 'audit'
          ? `The host firewall on ${node} is in policy audit mode: the host endpoint's ingress policy would drop ${source} (${verdict.explanation.summary}), but the packet passes and Hubble reports it as AUDIT.`
          : `The host firewall on ${node} allows ${source} to its own address: ${verdict.explanation.summary}`,
    },
  };
  const passed = enforceHostPolicy(cluster, side, tuple, now, false, explanation);
  return passed.ok ? undefined : passed;
}

/**
 * The source identity the receiving node gives a packet for its own address: the local pod's, the
 * tunnel header's, or its ipcache's (remote-node for other nodes, world for the reader's machine).
 */
function hostSourceIdentity(
  cluster: Cluster,
  config: CiliumConfig,
  hostAgent: AgentState,
  origin: Origin,
  node: string,
  tuple: PacketTuple,
  clientIdentity: number,
  now: number,
): number {
  if (origin.node === node) return clientIdentity;
  const receiverEntry = lookupIpcache(cluster, hostAgent, tuple.sourceIP);
  // Another node's own traffic is remote-node. The reader's machine is an address outside: the
  // CIDR identity of a prefix a policy names (fromCIDR), which is why the host's local identities
  // must be current before it is classified; otherwise world.
  if (origin.kind === 'node' && origin.external === true) {
    syncLocalIdentities(cluster, hostAgent, now);
    return remoteIdentityFor(cluster, hostAgent, tuple.sourceIP);
  }
  if (origin.kind === 'node')
    return receiverEntry.identity === ReservedIdentity.world
      ? ReservedIdentity.remoteNode
      : receiverEntry.identity;
  if (sourceIdentityTransport(config) === 'ipcache') return receiverEntry.identity;
  return clientIdentity;
}

/** Where a reply matched a host endpoint's conntrack entry: at the answering node, at the asking one. */
export interface HostReplyNotes {
  atServer?: string;
  atClient?: string;
}

/**
 * The reply of a connection, at the host endpoints it involves: a node answering (its ingress
 * entry) and a node that opened the connection (its egress entry). The reply matches the entry in
 * the opposite direction (CT_REPLY), so neither host policy is consulted; a FIN moves both the
 * reply's and the request's entries to the close timeout. Returns where the reply matched, for the
 * explanation.
 */
export function hostRepliesPass(
  cluster: Cluster,
  passage: Passage,
  now: number,
  closing: boolean,
): HostReplyNotes {
  if (cluster.cilium?.config.hostFirewall !== true) return {};
  const { origin, target, tuple } = passage;
  const back = reversed(tuple);
  const pass = (node: string, direction: 'ingress' | 'egress', where: string): string | undefined => {
    const reply = ctLookup(cluster, node, direction, back, now);
    const matched = reply.status === 'reply' && reply.entry !== undefined;
    if (matched && reply.entry !== undefined) ctTouch(reply.entry, now, { reply: true, closing });
    if (closing) {
      const request = ctLookup(cluster, node, direction === 'egress' ? 'ingress' : 'egress', tuple, now);
      if (request.status === 'established' && request.entry !== undefined)
        ctTouch(request.entry, now, { reply: false, closing: true });
    }
    return matched ? where : undefined;
  };
  // A node talking to its own address never crosses bpf_host, so it has no entries.
  const loopback = origin.kind === 'node' && target.kind === 'node' && origin.node === target.node;
  if (loopback) return {};
  const atServer =
    target.kind === 'node'
      ? pass(target.node, 'egress', `${target.node} (leaving its host endpoint)`)
      : undefined;
  const atClient =
    origin.kind === 'node'
      ? pass(origin.node, 'ingress', `${origin.node} (entering its host endpoint)`)
      : undefined;
  return {
    ...(atServer !== undefined ? { atServer } : {}),
    ...(atClient !== undefined ? { atClient } : {}),
  };
}
