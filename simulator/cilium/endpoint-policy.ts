/**
 * The policy stage at a pod's endpoint, one function for both directions as in Cilium, where
 * `policy_can_egress` and `policy_can_ingress` share one lookup (`__policy_can_access` in
 * `bpf/lib/policy.h`), called from `bpf/bpf_lxc.c` on the client's node as the packet leaves its
 * endpoint and on the server's node as it enters one. For one packet: conntrack, the policy-map
 * lookup with the peer's identity as this node resolved it, the entry's counters, the drop or the
 * policy-verdict event, mutual authentication (auth-check.ts), a new conntrack entry, and the
 * redirect to a node proxy when the entry names one. The two directions differ only in which end
 * is local and in the sentences that explain them, which the caller supplies.
 */
import type { Cluster, World } from '../world';
import { lookupIdentity } from './agent-ipcache';
import { authPassSentence, checkAuthentication } from './auth-check';
import { ctCreate, ctLookup, ctTouch, type PacketTuple } from './conntrack';
import type { Blocked, Redirect, ServerNameCheck } from './datapath-types';
import { endpointPolicyFor } from './endpoint-policy-cache';
import type { MistakenIdentity } from './flow';
import { policyForEndpoint } from './local-identities';
import { accountPolicyPackets, counterKeyOf, defaultFrameBytes, type PolicyCounterKey } from './policy-stats';
import type { AgentState, LocalEndpoint } from './state';
import {
  enforces,
  flowEndpoint,
  packetOf,
  policyQuery,
  recordDrop,
  recordPolicyVerdict,
  type FlowEnds,
} from './verdict-flows';
import { lookupPolicy, type PolicyVerdict } from '../policy/index';

/** The sentences that explain one direction's decisions. */
export interface PolicyNarration {
  /** Why the policy dropped the packet (`established`: conntrack already knew the connection). */
  denied(verdict: PolicyVerdict, established: boolean): string;
  /** What allowed a new connection (said only when an enforcing policy decided). */
  allowed(verdict: PolicyVerdict): string;
  /** Said when conntrack already knows the connection and the packet is not a retransmission. */
  established?(redirected: boolean): string;
  /** Said after the auth map let a new connection through. */
  authPassed?(): string | undefined;
}

/** Where a packet meets an endpoint's policy, and how that node sees the other end. */
export interface PolicySide {
  direction: 'ingress' | 'egress';
  node: string;
  agent: AgentState;
  endpoint: LocalEndpoint;
  /** The other end's identity as this node resolved it. */
  remoteIdentity: number;
  /** What the receiving node got wrong about the source, reported with its flows. */
  mistaken?: MistakenIdentity;
  narration: PolicyNarration;
}

/** The packet that meets the policy. */
export interface PolicyPacket {
  tuple: PacketTuple;
  /** Virtual time of the packet (later than the clock for a retransmitted SYN). */
  now: number;
  retransmit: boolean;
  /** The frame length when the caller knows its payload; otherwise the protocol's usual frame. */
  frameBytes?: number;
}

/** A packet the endpoint's policy let through, and what the rest of the exchange needs from it. */
export interface PolicyPass {
  ok: true;
  /** Conntrack knew the connection (CT_ESTABLISHED). */
  established: boolean;
  ends: FlowEnds;
  redirect?: Redirect;
  serverNames?: ServerNameCheck;
  counter?: PolicyCounterKey;
}

/** The verdict of an endpoint's policy for a packet, in one direction. */
export function decide(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
  direction: 'ingress' | 'egress',
  remoteIdentity: number,
  tuple: PacketTuple,
): PolicyVerdict | undefined {
  const policy = policyForEndpoint(cluster, agent, endpoint);
  if (policy === undefined) return undefined;
  return lookupPolicy(policy, policyQuery(direction, remoteIdentity, tuple));
}

/**
 * The receiving node's verdict for a new connection from an address, when the source identity
 * comes from its ipcache: the hot path of the datapath (one ipcache and one policy-map lookup).
 */
export function ingressVerdictFromIpcache(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
  sourceIP: string,
  port: number,
): PolicyVerdict | undefined {
  const policy = endpointPolicyFor(cluster, agent, endpoint);
  if (policy === undefined) return undefined;
  return lookupPolicy(policy, {
    direction: 'ingress',
    remoteIdentity: lookupIdentity(cluster, agent, sourceIP),
    port,
    protocol: 'TCP',
  });
}

/**
 * The SNIs an allowing verdict admits: undefined when some allowing rule has no `serverNames`
 * (it admits any), else the union of the rules' lists.
 */
function serverNamesOf(verdict: PolicyVerdict | undefined): readonly string[] | undefined {
  if (verdict === undefined || verdict.decision !== 'allowed') return undefined;
  const rules = verdict.explanation.rules.filter((rule) => !rule.deny);
  if (rules.length === 0 || rules.some((rule) => (rule.serverNames?.length ?? 0) === 0)) return undefined;
  return [...new Set(rules.flatMap((rule) => rule.serverNames ?? []))].sort();
}

/** The flow's two ends as the deciding node names them: the local endpoint is the source on egress. */
function flowEndsAt(cluster: Cluster, side: PolicySide, tuple: PacketTuple): FlowEnds {
  const egress = side.direction === 'egress';
  const local = side.endpoint.identity;
  return {
    source: flowEndpoint(
      cluster,
      side.agent,
      tuple.sourceIP,
      tuple.sourcePort,
      egress ? local : side.remoteIdentity,
    ),
    destination: flowEndpoint(
      cluster,
      side.agent,
      tuple.destinationIP,
      tuple.destinationPort,
      egress ? side.remoteIdentity : local,
    ),
    ...(side.mistaken !== undefined ? { mistaken: side.mistaken } : {}),
  };
}

/**
 * Runs one packet through an endpoint's policy in the side's direction: conntrack, the lookup and
 * its counters, a denial or a failed authentication (dropped, with policy-verdict and drop
 * events), then the conntrack entry and policy-verdict event of a new connection and the proxy
 * redirect. Returns why the packet was dropped, or what the rest of the trip needs.
 */
export function enforceEndpointPolicy(
  world: World,
  cluster: Cluster,
  side: PolicySide,
  packet: PolicyPacket,
  explanation: string[],
): PolicyPass | Blocked {
  const { tuple, now } = packet;
  const { node, agent, endpoint, direction } = side;
  const flowDirection = direction === 'egress' ? 'EGRESS' : 'INGRESS';
  const ct = ctLookup(cluster, node, direction, tuple, now);
  // A retransmitted SYN finds the entry its first copy created on the client's node, but it is
  // still a SYN; the server's node created none for a copy that never reached it.
  const established = ct.status === 'established' && !(direction === 'egress' && packet.retransmit);
  const verdict = decide(cluster, agent, endpoint, direction, side.remoteIdentity, tuple);
  const counter = counterKeyOf(node, endpoint.id, direction, verdict);
  accountPolicyPackets(cluster, counter, 1, packet.frameBytes ?? defaultFrameBytes(tuple, established));
  const ends = flowEndsAt(cluster, side, tuple);
  const flags = packetOf(tuple, established);
  const mistaken = side.mistaken !== undefined ? { mistaken: side.mistaken } : {};
  if (verdict !== undefined && verdict.decision === 'denied') {
    recordPolicyVerdict(cluster, now, node, flowDirection, verdict, ends, flags);
    recordDrop(cluster, now, node, flowDirection, verdict, ends, flags);
    return { ok: false, reason: side.narration.denied(verdict, established), ...mistaken };
  }
  if (verdict !== undefined && verdict.authType !== 0) {
    const egress = direction === 'egress';
    const auth = checkAuthentication(
      world,
      cluster,
      agent,
      verdict,
      endpoint.identity,
      side.remoteIdentity,
      egress ? tuple.destinationIP : tuple.sourceIP,
      now,
    );
    if (!auth.ok) {
      recordPolicyVerdict(cluster, now, node, flowDirection, verdict, ends, flags, auth.drop);
      recordDrop(cluster, now, node, flowDirection, verdict, ends, flags, auth.drop);
      const key = auth.key !== undefined ? { key: auth.key } : {};
      return { ok: false, reason: auth.sentence, ...mistaken, auth: { node, drop: auth.drop, ...key } };
    }
    const pass = authPassSentence(agent, auth, now);
    if (pass !== undefined && !established) {
      explanation.push(pass);
      const more = side.narration.authPassed?.();
      if (more !== undefined) explanation.push(more);
    }
  }
  return admit(cluster, side, packet, { ct, verdict, established, ends, counter }, explanation);
}

/** After the lookup allowed a packet: conntrack, the new connection's event, the redirect. */
function admit(
  cluster: Cluster,
  side: PolicySide,
  packet: PolicyPacket,
  lookup: {
    ct: ReturnType<typeof ctLookup>;
    verdict: PolicyVerdict | undefined;
    established: boolean;
    ends: FlowEnds;
    counter: PolicyCounterKey | undefined;
  },
  explanation: string[],
): PolicyPass {
  const { tuple, now } = packet;
  const { node, agent, endpoint, direction } = side;
  const { ct, verdict, established, ends, counter } = lookup;
  const flowDirection = direction === 'egress' ? 'EGRESS' : 'INGRESS';
  const redirected = verdict?.l7 !== undefined && (verdict.proxyPort ?? 0) > 0;
  if (ct.entry !== undefined) {
    ctTouch(ct.entry, now, { reply: false });
    const sentence = packet.retransmit ? undefined : side.narration.established?.(redirected);
    if (sentence !== undefined) explanation.push(sentence);
  } else {
    ctCreate(
      cluster,
      node,
      direction,
      tuple,
      {
        endpointId: endpoint.id,
        sourceIdentity: direction === 'egress' ? endpoint.identity : side.remoteIdentity,
        remoteIdentity: side.remoteIdentity,
        proxyRedirect: redirected,
      },
      now,
    );
    if (verdict !== undefined && enforces(verdict)) {
      recordPolicyVerdict(cluster, now, node, flowDirection, verdict, ends, packetOf(tuple, false));
      explanation.push(side.narration.allowed(verdict));
    }
  }
  const allowedNames = serverNamesOf(verdict);
  return {
    ok: true,
    established,
    ends,
    ...(redirected && verdict !== undefined
      ? { redirect: { node, direction: flowDirection, verdict, observer: agent } }
      : {}),
    ...(allowedNames !== undefined
      ? { serverNames: { node, direction: flowDirection, allowed: allowedNames } }
      : {}),
    ...(counter !== undefined ? { counter } : {}),
  };
}
