/**
 * One packet's path from its origin to its target, decided on the state each node really has:
 * on the client's node, the host firewall for the node's own stack (host-firewall.ts, upstream
 * `bpf/bpf_host.c`) or the pod endpoint's egress policy (endpoint-policy.ts, `bpf/bpf_lxc.c`);
 * then the trip to the server's node, which decides the source identity the receiver believes
 * (source-identity.ts); then the server endpoint's ingress policy, and delivery. A packet for a
 * node's own address meets that node's host firewall instead; one for the internet leaves the
 * cluster masqueraded. Service translation happened before (service-translation.ts); the reply
 * and the proxies come after (reply-path.ts, proxy-redirection.ts).
 */
import type { Cluster, World } from '../world';
import type { CiliumConfig } from './config';
import type { PacketTuple } from './conntrack';
import { originIdentity } from './connection-ends';
import type {
  Blocked,
  Origin,
  Passage,
  Redirect,
  ServerNameCheck,
  Target,
  TraverseOptions,
} from './datapath-types';
import { mistakenPastAuthSentence } from './auth-check';
import {
  enforceEndpointPolicy,
  type PolicyPacket,
  type PolicyPass,
  type PolicySide,
} from './endpoint-policy';
import type { MistakenIdentity } from './flow';
import { hostFirewallEgress, hostFirewallIngress } from './host-firewall';
import { remoteIdentityFor, syncLocalIdentities } from './local-identities';
import type { PolicyCounterKey } from './policy-stats';
import { ReservedIdentity } from './reserved-identities';
import { mistakenIdentityOf, sourceIdentityAtReceiver, type Arrival } from './source-identity';
import type { AgentState, LocalEndpoint } from './state';
import { describeIdentity, packetFields, packetOf, recordFlow } from './verdict-flows';

/** What leaving the client's node decided, carried along to the server's node. */
interface Departure {
  ok: true;
  /** The server's identity as the client's node resolved it. */
  destinationIdentity: number;
  established: boolean;
  redirects: Redirect[];
  serverNames: ServerNameCheck[];
  counters: PolicyCounterKey[];
}

/**
 * Sends the first packet of a connection (or, with an established conntrack entry, the next packet
 * in the original direction) from the origin to the target: conntrack and egress policy on the
 * client's node, the transport, conntrack and ingress policy on the server's node.
 */
export function traverse(
  world: World,
  cluster: Cluster,
  origin: Origin,
  target: Target,
  tuple: PacketTuple,
  explanation: string[],
  options: TraverseOptions = {},
): Passage | Blocked {
  const now = options.atMs ?? world.timeMs;
  const departure = leaveClient(world, cluster, origin, target, tuple, explanation, options, now);
  if (!departure.ok) return departure;
  const clientIdentity = originIdentity(origin);
  const arrived = { sourceIdentity: clientIdentity, established: departure.established };
  if (target.kind !== 'pod') {
    const blocked = reachOwnStackOrWorld(cluster, origin, target, tuple, departure, explanation, now);
    return blocked ?? passageOf(origin, target, tuple, departure, arrived, now);
  }
  const cilium = cluster.cilium;
  if (cilium === undefined || target.agent === undefined || target.endpoint === undefined)
    return passageOf(origin, target, tuple, departure, arrived, now);
  const arrival: Arrival = {
    origin,
    target,
    receiver: target.agent,
    tuple,
    clientIdentity,
    established: departure.established,
    options,
    now,
  };
  return enterServer(world, cluster, cilium.config, arrival, target.endpoint, departure, explanation, now);
}

/** The packet as the policy stage needs it. */
function policyPacket(tuple: PacketTuple, now: number, options: TraverseOptions): PolicyPacket {
  return {
    tuple,
    now,
    retransmit: options.retransmit === true,
    ...(options.frameBytes !== undefined ? { frameBytes: options.frameBytes } : {}),
  };
}

/** Keeps what a policy stage passed on for the rest of the exchange. */
function collect(departure: Departure, pass: PolicyPass): void {
  if (pass.counter !== undefined) departure.counters.push(pass.counter);
  if (pass.redirect !== undefined) departure.redirects.push(pass.redirect);
  if (pass.serverNames !== undefined) departure.serverNames.push(pass.serverNames);
}

/** Egress, on the client's node: the host firewall for the node's own stack, the endpoint's policy for a pod. */
function leaveClient(
  world: World,
  cluster: Cluster,
  origin: Origin,
  target: Target,
  tuple: PacketTuple,
  explanation: string[],
  options: TraverseOptions,
  now: number,
): Departure | Blocked {
  const cilium = cluster.cilium;
  const clientAgent = origin.agent;
  const departure: Departure = {
    ok: true,
    destinationIdentity: ReservedIdentity.world,
    established: false,
    redirects: [],
    serverNames: [],
    counters: [],
  };
  if (clientAgent !== undefined && cilium !== undefined) {
    syncLocalIdentities(cluster, clientAgent, now);
    departure.destinationIdentity = remoteIdentityFor(cluster, clientAgent, tuple.destinationIP);
  }
  // A forwarded packet already passed the client's egress policy on its way to the forwarding
  // node, and the forwarding node's own stack did not send it.
  if (options.forwarded === true) return departure;
  if (origin.kind === 'node' && cilium?.config.hostFirewall === true) {
    const leaving = hostFirewallEgress(
      cluster,
      origin,
      target,
      tuple,
      departure.destinationIdentity,
      explanation,
      now,
      options.retransmit === true,
    );
    if (!leaving.ok) return leaving;
    departure.established = leaving.established;
  }
  if (origin.kind === 'pod' && clientAgent !== undefined && origin.endpoint !== undefined) {
    const side = egressSide(
      cluster,
      origin,
      clientAgent,
      origin.endpoint,
      departure.destinationIdentity,
      tuple,
    );
    const checked = enforceEndpointPolicy(
      world,
      cluster,
      side,
      policyPacket(tuple, now, options),
      explanation,
    );
    if (!checked.ok) return checked;
    departure.established = checked.established;
    collect(departure, checked);
  }
  return departure;
}

/** The client pod's endpoint as the egress policy meets it, with the sentences for its decisions. */
function egressSide(
  cluster: Cluster,
  origin: Extract<Origin, { kind: 'pod' }>,
  agent: AgentState,
  endpoint: LocalEndpoint,
  destinationIdentity: number,
  tuple: PacketTuple,
): PolicySide {
  const peer = (): string => describeIdentity(cluster, agent, destinationIdentity);
  return {
    direction: 'egress',
    node: origin.node,
    agent,
    endpoint,
    remoteIdentity: destinationIdentity,
    narration: {
      denied: (verdict, established) =>
        `${established ? 'The connection is established (CT_ESTABLISHED), but bpf_lxc still looks every packet of the original direction up in the policy map, and the ' : 'The '}egress policy of ${origin.pod.metadata.name} on ${origin.node} drops the ${established ? 'packet' : tuple.protocol === 'TCP' ? 'SYN' : 'packet'} to ${peer()}: ${verdict.explanation.summary}`,
      established: (redirected) =>
        `Conntrack on ${origin.node} finds the connection established; the policy map still allows it${redirected ? ' and keeps redirecting it to the proxy' : ''}, and no new policy-verdict event is emitted.`,
      allowed: (verdict) =>
        `Egress policy on ${origin.node} allows ${peer()}: ${verdict.explanation.summary}`,
    },
  };
}

/** A packet for a node's own address (its host firewall, when on) or for the internet. */
function reachOwnStackOrWorld(
  cluster: Cluster,
  origin: Origin,
  target: Exclude<Target, { kind: 'pod' }>,
  tuple: PacketTuple,
  departure: Departure,
  explanation: string[],
  now: number,
): Blocked | undefined {
  const clientAgent = origin.agent;
  if (target.kind === 'world') {
    explanation.push(
      `${tuple.destinationIP} is outside the cluster; ${origin.node} resolves it to ${clientAgent === undefined ? 'reserved:world (2)' : describeIdentity(cluster, clientAgent, departure.destinationIdentity)} and masquerades the packet to the node's address on its way out.`,
    );
    return undefined;
  }
  if (cluster.cilium?.config.hostFirewall === true)
    return hostFirewallIngress(cluster, origin, target, tuple, originIdentity(origin), explanation, now);
  explanation.push(
    `${tuple.destinationIP} is node ${target.node}'s own address (${clientAgent === undefined ? 'a node' : describeIdentity(cluster, clientAgent, departure.destinationIdentity)}); without the host firewall no ingress policy applies there.`,
  );
  return undefined;
}

/** Ingress, on the server's node: the source identity it believes, its endpoint's policy, delivery. */
function enterServer(
  world: World,
  cluster: Cluster,
  config: CiliumConfig,
  arrival: Arrival,
  endpoint: LocalEndpoint,
  departure: Departure,
  explanation: string[],
  now: number,
): Passage | Blocked {
  const { origin, target, tuple } = arrival;
  const sourceIdentity = sourceIdentityAtReceiver(cluster, config, arrival, explanation);
  if (typeof sourceIdentity !== 'number') return sourceIdentity;
  const mistaken = mistakenIdentityOf(cluster, arrival, sourceIdentity);
  const side = ingressSide(cluster, arrival, endpoint, sourceIdentity, mistaken);
  const checked = enforceEndpointPolicy(
    world,
    cluster,
    side,
    policyPacket(tuple, now, arrival.options),
    explanation,
  );
  if (!checked.ok) return checked;
  collect(departure, checked);
  recordFlow(cluster, {
    timeMs: now,
    node: target.node,
    eventType: 'trace',
    verdict: 'FORWARDED',
    trafficDirection: 'INGRESS',
    ...packetFields(packetOf(tuple, checked.established)),
    isReply: false,
    source: checked.ends.source,
    destination: checked.ends.destination,
    explanation: 'to-endpoint',
    ...(mistaken !== undefined ? { mistaken } : {}),
  });
  const arrived = {
    sourceIdentity,
    established: departure.established || checked.established,
    ...(mistaken !== undefined ? { mistaken } : {}),
  };
  return passageOf(origin, target, tuple, departure, arrived, now);
}

/** The server pod's endpoint as the ingress policy meets it, with the sentences for its decisions. */
function ingressSide(
  cluster: Cluster,
  arrival: Arrival,
  endpoint: LocalEndpoint,
  sourceIdentity: number,
  mistaken: MistakenIdentity | undefined,
): PolicySide {
  const { origin, target, receiver, tuple } = arrival;
  return {
    direction: 'ingress',
    node: target.node,
    agent: receiver,
    endpoint,
    remoteIdentity: sourceIdentity,
    ...(mistaken !== undefined ? { mistaken } : {}),
    narration: {
      denied: (verdict, established) =>
        `${established ? 'The connection is established, but the policy map is consulted for every packet of the original direction: the ' : 'The '}ingress policy of ${target.pod?.metadata.name ?? tuple.destinationIP} on ${target.node} drops the ${established || tuple.protocol !== 'TCP' ? 'packet' : 'SYN'}: ${verdict.explanation.summary}`,
      allowed: (verdict) => `Ingress policy on ${target.node} allows it: ${verdict.explanation.summary}`,
      authPassed: () =>
        mistaken !== undefined && origin.kind === 'pod'
          ? mistakenPastAuthSentence(
              cluster,
              receiver,
              { node: origin.node, podName: origin.pod.metadata.name, identity: arrival.clientIdentity },
              tuple.sourceIP,
              sourceIdentity,
            )
          : undefined,
    },
  };
}

/** The passage a delivered packet leaves for the rest of the exchange. */
function passageOf(
  origin: Origin,
  target: Target,
  tuple: PacketTuple,
  departure: Departure,
  arrived: { sourceIdentity: number; established: boolean; mistaken?: MistakenIdentity },
  now: number,
): Passage {
  const { serverNames, counters } = departure;
  return {
    ok: true,
    origin,
    target,
    tuple,
    redirects: departure.redirects,
    ...(serverNames.length > 0 ? { serverNames } : {}),
    ...(counters.length > 0 ? { policyCounters: counters } : {}),
    ...(arrived.mistaken !== undefined ? { mistaken: arrived.mistaken } : {}),
    sourceIdentityAtServer: arrived.sourceIdentity,
    destinationIdentity: departure.destinationIdentity,
    established: arrived.established,
    atMs: now,
  };
}
