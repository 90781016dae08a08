/**
 * The trip from the client's node to the server's, which decides where the receiver learns the
 * source's security identity: from the tunnel header the sender wrote (VXLAN or Geneve, upstream
 * `bpf/lib/encap.h`, read in `bpf/bpf_overlay.c`), or from the receiver's own ipcache when nothing
 * carries it (native routing, WireGuard without encapsulation, IPsec in some releases:
 * `sourceIdentityTransport` in config.ts). WireGuard
 * also drops an inner source address outside the sending peer's allowed IPs, which the receiving
 * agent fills from its own ipcache. The receiver's belief is compared with the truth, so a stale
 * ipcache shows as a mistaken identity.
 */
import type { Cluster } from '../world';
import { lookupIpcache } from './agent-ipcache';
import { sourceIdentityTransport, type CiliumConfig } from './config';
import type { PacketTuple } from './conntrack';
import type { Blocked, Origin, Target, TraverseOptions } from './datapath-types';
import type { MistakenIdentity } from './flow';
import { remoteIdentityFor, syncLocalIdentities } from './local-identities';
import { ReservedIdentity } from './reserved-identities';
import type { AgentState } from './state';
import { describeIdentity } from './verdict-flows';

/** A packet on its way to a pod on some node, as the receiving node's datapath will see it. */
export interface Arrival {
  origin: Origin;
  target: Extract<Target, { kind: 'pod' }>;
  receiver: AgentState;
  tuple: PacketTuple;
  /** The identity the sender really has. */
  clientIdentity: number;
  /** The sender's conntrack already knew the connection: nothing new to explain. */
  established: boolean;
  options: TraverseOptions;
  /** The virtual time the packet arrives at, for identities the receiver derives on demand. */
  now: number;
}

/** The source identity the receiving node gives the packet, or why the packet never arrives. */
export function sourceIdentityAtReceiver(
  cluster: Cluster,
  config: CiliumConfig,
  arrival: Arrival,
  explanation: string[],
): number | Blocked {
  const { origin, target, receiver, clientIdentity, established } = arrival;
  if (target.node !== origin.node) return acrossNodes(cluster, config, arrival, explanation);
  if (origin.kind === 'node') {
    explanation.push(
      `The packet comes from ${origin.node}'s own stack, which its datapath marks as reserved:host (1).`,
    );
    return ReservedIdentity.host;
  }
  if (!established)
    explanation.push(
      `Client and server share ${target.node}; the datapath knows the local source endpoint's identity ${describeIdentity(cluster, receiver, clientIdentity)}.`,
    );
  return clientIdentity;
}

/** The receiving node's source identity for a packet that crossed from another node. */
function acrossNodes(
  cluster: Cluster,
  config: CiliumConfig,
  arrival: Arrival,
  explanation: string[],
): number | Blocked {
  const { origin, target, receiver, tuple, options } = arrival;
  const transport = sourceIdentityTransport(config);
  const receiverEntry = lookupIpcache(cluster, receiver, tuple.sourceIP);
  if (origin.kind === 'node' && options.tunnelIdentity !== undefined && transport === 'tunnel-header') {
    const identity = options.tunnelIdentity;
    explanation.push(
      `${origin.node} writes ${describeIdentity(cluster, receiver, identity)} into the tunnel header; ${target.node} takes it from there for ${tuple.sourceIP}.`,
    );
    return identity;
  }
  if (origin.kind === 'node') {
    // A node's own traffic carries no endpoint identity; the receiver sees a remote node. A client
    // outside the cluster has the CIDR identity of a prefix a policy names, if any, else world.
    let identity: number;
    if (origin.external === true) {
      syncLocalIdentities(cluster, receiver, arrival.now);
      identity = remoteIdentityFor(cluster, receiver, tuple.sourceIP);
    } else
      identity =
        receiverEntry.identity === ReservedIdentity.world
          ? ReservedIdentity.remoteNode
          : receiverEntry.identity;
    explanation.push(
      `The packet comes from ${origin.external === true ? 'outside the cluster' : `node ${origin.node}`}; ${target.node} classifies ${tuple.sourceIP} as ${describeIdentity(cluster, receiver, identity)}.`,
    );
    return identity;
  }
  if (config.encryption === 'wireguard') {
    const clientNodeIP = cluster.nodes[origin.node]?.internalIP ?? '';
    // WireGuard accepts an inner source address only if it is in the sending peer's allowed IPs,
    // which the receiving agent fills from its own ipcache.
    if (receiverEntry.hostIP !== clientNodeIP) {
      return {
        ok: false,
        reason: `${target.node}'s WireGuard device drops the packet: ${tuple.sourceIP} is not in the allowed IPs of peer ${origin.node}, because ${target.node}'s ipcache ${receiverEntry.identity === ReservedIdentity.world ? 'has no entry for it' : `places it behind ${receiverEntry.hostIP}`}.`,
      };
    }
  }
  const quiet = arrival.established || options.retransmit === true;
  if (transport === 'ipcache') {
    if (!quiet)
      explanation.push(
        `Cilium ${config.versionMajor}.${config.versionMinor} with ${config.encryption === 'wireguard' ? 'WireGuard' : config.encryption === 'ipsec' ? 'IPsec' : 'native routing'} carries no identity to ${target.node}; it looks ${tuple.sourceIP} up in its own ipcache and finds identity ${describeIdentity(cluster, receiver, receiverEntry.identity)}.`,
      );
    return receiverEntry.identity;
  }
  if (!quiet)
    explanation.push(
      `${origin.node} writes the source identity ${describeIdentity(cluster, receiver, arrival.clientIdentity)} into the tunnel header; ${target.node} takes it from there, not from its ipcache.`,
    );
  return arrival.clientIdentity;
}

/** What the receiving node got wrong about a pod's packet, when its belief differs from the truth. */
export function mistakenIdentityOf(
  cluster: Cluster,
  arrival: Arrival,
  sourceIdentity: number,
): MistakenIdentity | undefined {
  const { origin, target, receiver, tuple, clientIdentity } = arrival;
  if (origin.kind !== 'pod' || sourceIdentity === clientIdentity) return undefined;
  const believedPod = lookupIpcache(cluster, receiver, tuple.sourceIP).podName;
  return {
    believedIdentity: sourceIdentity,
    actualIdentity: clientIdentity,
    actualPod: origin.pod.metadata.name,
    ...(believedPod !== undefined ? { believedPod } : {}),
    sentence: `${target.node} believed ${tuple.sourceIP} was identity ${sourceIdentity}${believedPod !== undefined ? ` (${believedPod})` : ''}, but ${origin.pod.metadata.name} with identity ${clientIdentity} sent it.`,
  };
}
