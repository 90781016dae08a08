/**
 * A node port's connection that the node forwards instead of the client's socket LB: kube-proxy's
 * rules, or bpf_host for clients the socket LB does not serve (upstream `bpf/lib/nodeport.h`).
 * Two legs: the client's packet to the node's address, then the node's packet to the backend, with
 * the source address and tunnel identity the plan says (nodeport.ts decides the plan).
 */
import { nextIntBetween } from '../engine/prng';
import type { Cluster, World } from '../world';
import { lookupIdentity } from './agent-ipcache';
import type { PacketTuple } from './conntrack';
import { ephemeralPort, locateTarget, sourceAddressFor } from './connection-ends';
import type { ConnectionOutcome, OpenedConnection, Origin, Passage, Target } from './datapath-types';
import type { MistakenIdentity } from './flow';
import {
  planNodePort,
  type Backend,
  type NodePortClient,
  type NodePortFrontend,
  type NodePortPlan,
} from './nodeport';
import { ReservedIdentity } from './reserved-identities';
import { returnReply } from './reply-path';
import { sendSynWithRetransmissions, synGiveUpMs } from './syn-retransmission';
import { flowEndpoint, packetFields, packetOf, recordFlow } from './verdict-flows';

/** How the node receiving a node port's connection tells its source apart. */
function nodePortClientOf(origin: Origin): NodePortClient {
  if (origin.kind === 'pod') return { kind: 'pod', node: origin.node };
  return origin.external === true ? { kind: 'external' } : { kind: 'node', node: origin.node };
}

/** Plans a node port's connection, choosing backends with the world's generator. */
export function planNodePortFor(
  world: World,
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
): NodePortPlan {
  return planNodePort(cluster, nodePortClientOf(origin), frontend, (backends: readonly Backend[]) =>
    backends.length === 0 ? undefined : backends[nextIntBetween(world.random, 0, backends.length - 1)],
  );
}

/**
 * The sender of a forwarded node port connection's second leg: the client itself, its node (whose
 * masquerading gave pod traffic the node's address), or the frontend node that SNATed it (to its
 * cilium_host address towards local pods and in tunnel mode, to its own address otherwise).
 */
function forwardingOrigin(
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
  plan: Extract<NodePortPlan, { kind: 'forward' }>,
): Origin {
  if (plan.source === 'client') return origin;
  const node = plan.source === 'client-node' ? origin.node : frontend.node;
  const agent = cluster.cilium?.agents[node];
  const runtime = cluster.nodes[node];
  const viaHost =
    plan.source === 'frontend' &&
    (plan.backend.node === frontend.node || cluster.cilium?.config.routingMode === 'tunnel');
  const ip = viaHost ? (agent?.routerIP ?? runtime?.internalIP ?? '') : (runtime?.internalIP ?? '');
  return { kind: 'node', node, ip, ...(agent !== undefined ? { agent } : {}) };
}

/** Hubble's drop on the frontend for a node port whose Service has no backend to use. */
function recordNoService(
  cluster: Cluster,
  now: number,
  frontend: NodePortFrontend,
  tuple: PacketTuple,
): void {
  const agent = cluster.cilium?.agents[frontend.node];
  if (agent === undefined) return;
  recordFlow(cluster, {
    timeMs: now,
    node: frontend.node,
    eventType: 'drop',
    verdict: 'DROPPED',
    dropReason: 'NO_SERVICE',
    trafficDirection: 'INGRESS',
    ...packetFields(packetOf(tuple, false)),
    source: flowEndpoint(
      cluster,
      agent,
      tuple.sourceIP,
      tuple.sourcePort,
      lookupIdentity(cluster, agent, tuple.sourceIP),
    ),
    destination: flowEndpoint(
      cluster,
      agent,
      tuple.destinationIP,
      tuple.destinationPort,
      ReservedIdentity.host,
    ),
    explanation: `${frontend.serviceName}'s node port has no backend to use`,
  });
}

/**
 * A node port's connection that the node forwards (kube-proxy, or bpf_host for clients outside
 * the socket LB): the client's packet to the node, through the client's egress policy (and the
 * host firewall where kube-proxy answers, which filters on the node's address), then the node's
 * packet to the backend, with the source the plan says (nodeport.ts).
 */
export function connectThroughNode(
  world: World,
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
  plan: Exclude<NodePortPlan, { kind: 'socket' }>,
  request: { timeoutMs: number; sourcePort?: number; address: string; elapsedMs: number },
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const { address, elapsedMs } = request;
  const timeout = (mistaken?: MistakenIdentity): ConnectionOutcome => ({
    kind: 'timeout',
    elapsedMs: elapsedMs + Math.min(request.timeoutMs, synGiveUpMs),
    address,
    explanation,
    ...(mistaken !== undefined ? { mistaken } : {}),
  });
  explanation.push(plan.sentence);
  const nodeTarget: Target = { kind: 'node', node: frontend.node, ip: frontend.nodeIP };
  const frontTuple: PacketTuple = {
    protocol: 'TCP',
    sourceIP: sourceAddressFor(cluster, origin, nodeTarget),
    sourcePort: request.sourcePort ?? ephemeralPort(world),
    destinationIP: frontend.nodeIP,
    destinationPort: frontend.nodePort,
  };
  // bpf_host answers node ports before the host firewall sees them; the node's stack does not.
  const toStack = plan.kind === 'closed' || plan.handler === 'kube-proxy';
  const sent =
    origin.kind === 'pod' || toStack
      ? sendSynWithRetransmissions(
          world,
          cluster,
          origin,
          nodeTarget,
          frontTuple,
          { protocol: 'TCP', timeoutMs: request.timeoutMs },
          elapsedMs,
          explanation,
        )
      : undefined;
  const front = sent?.passage;
  if (front !== undefined && !front.ok) return timeout(front.mistaken);
  if (plan.kind === 'closed' || plan.kind === 'no-backend') {
    if (plan.kind === 'no-backend' && plan.handler === 'cilium')
      recordNoService(cluster, world.timeMs, frontend, frontTuple);
    if (plan.kind === 'no-backend' && plan.response === 'drop') return timeout();
    if (front !== undefined) returnReply(world, cluster, front, explanation, true);
    return { kind: 'refused', elapsedMs: elapsedMs + 2, address, explanation };
  }
  return forwardToBackend(
    world,
    cluster,
    origin,
    frontend,
    plan,
    front,
    frontTuple,
    {
      address,
      elapsedMs: elapsedMs + (sent?.waitedMs ?? 0),
      resolveMs: elapsedMs,
      timeoutMs: request.timeoutMs,
      timeout,
    },
    explanation,
  );
}

/** The second leg of a forwarded node port connection: the frontend node to the backend. */
function forwardToBackend(
  world: World,
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
  plan: Extract<NodePortPlan, { kind: 'forward' }>,
  front: Passage | undefined,
  frontTuple: PacketTuple,
  outcome: {
    address: string;
    elapsedMs: number;
    resolveMs: number;
    timeoutMs: number;
    timeout: (mistaken?: MistakenIdentity) => ConnectionOutcome;
  },
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const target = locateTarget(cluster, plan.backend.ip);
  if (target?.kind !== 'pod') {
    explanation.push(`No pod holds ${plan.backend.ip} any more, so nothing answers.`);
    return outcome.timeout();
  }
  const from = forwardingOrigin(cluster, origin, frontend, plan);
  const tuple: PacketTuple = {
    protocol: 'TCP',
    sourceIP: plan.source === 'client' ? frontTuple.sourceIP : from.ip,
    sourcePort: plan.source === 'frontend' ? ephemeralPort(world) : frontTuple.sourcePort,
    destinationIP: plan.backend.ip,
    destinationPort: plan.backend.port,
  };
  // The client's kernel retransmits an unanswered SYN, and the node forwards every copy.
  const sent = sendSynWithRetransmissions(
    world,
    cluster,
    from,
    target,
    tuple,
    { protocol: 'TCP', timeoutMs: outcome.timeoutMs },
    outcome.elapsedMs,
    explanation,
    {
      forwarded: true,
      ...(plan.tunnelIdentity !== undefined ? { tunnelIdentity: plan.tunnelIdentity } : {}),
    },
  );
  const passage = sent.passage;
  if (!passage.ok) return outcome.timeout(passage.mistaken);
  return {
    passage:
      front === undefined ? passage : { ...passage, redirects: [...front.redirects, ...passage.redirects] },
    ...(front !== undefined ? { frontLeg: front } : {}),
    address: outcome.address,
    backendIP: plan.backend.ip,
    backendPort: plan.backend.port,
    elapsedMs: outcome.elapsedMs + sent.waitedMs,
    resolveMs: outcome.resolveMs,
  };
}
