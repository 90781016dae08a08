/**
 * Cilium's connection tracking, per node, on the virtual clock. A new connection's first packet is
 * CT_NEW and goes through the policy map; an allowed one creates an entry. Later packets in the
 * original direction are CT_ESTABLISHED and, as in bpf_lxc.c, still go through the policy map (a new
 * deny drops them; no policy-verdict event is emitted for allowed established packets). Packets in
 * the reverse direction are CT_REPLY and skip policy entirely ("Skip policy enforcement for return
 * traffic"). Lifetimes are idle timeouts, refreshed by every packet; expired entries are collected
 * lazily whenever the table is read, which is what the agent's periodic CT garbage collector does.
 */
import type { Cluster } from '../world';
import { nodeDatapath, peekNodeDatapath, type CtEntry } from './datapath-state';
import type { PacketTuple } from './datapath-types';
export type { PacketTuple } from './datapath-types';

/**
 * Cilium's default conntrack lifetimes (cilium-agent flags, unchanged from 1.12 to 1.18):
 * --bpf-ct-timeout-regular-tcp 6h0m0s (established TCP), --bpf-ct-timeout-regular-tcp-syn 1m0s
 * (until the handshake completes), --bpf-ct-timeout-regular-tcp-fin 10s (after a FIN or RST, the
 * close-wait), --bpf-ct-timeout-regular-any 1m0s (UDP and every other non-TCP protocol).
 */
export const ctLifetimesMs = {
  tcpEstablished: 6 * 60 * 60 * 1000,
  tcpSyn: 60 * 1000,
  tcpFin: 10 * 1000,
  nonTcp: 60 * 1000,
} as const;

/** What a conntrack lookup found for a packet (enum ct_status). */
export type CtStatus = 'new' | 'established' | 'reply';

const icmpEchoRequest = 8;
const icmpEchoReply = 0;

function keyOf(direction: 'egress' | 'ingress', tuple: PacketTuple): string {
  return `${direction}|${tuple.protocol}|${tuple.sourceIP}:${tuple.sourcePort}|${tuple.destinationIP}:${tuple.destinationPort}`;
}

/** The tuple of the answer to a packet: addresses and ports swapped, an echo request's answer an echo reply. */
export function reversed(tuple: PacketTuple): PacketTuple {
  return {
    protocol: tuple.protocol,
    sourceIP: tuple.destinationIP,
    sourcePort: tuple.destinationPort,
    destinationIP: tuple.sourceIP,
    destinationPort: tuple.sourcePort,
    ...(tuple.icmpType === icmpEchoRequest ? { icmpType: icmpEchoReply } : {}),
  };
}

function lifetimeOf(entry: Pick<CtEntry, 'protocol' | 'state'>): number {
  if (entry.protocol !== 'TCP') return ctLifetimesMs.nonTcp;
  if (entry.state === 'syn') return ctLifetimesMs.tcpSyn;
  if (entry.state === 'closing') return ctLifetimesMs.tcpFin;
  return ctLifetimesMs.tcpEstablished;
}

/** Removes a node's expired entries (the CT garbage collector), returning how many it removed. */
function collectExpired(cluster: Cluster, node: string, nowMs: number): number {
  const table = peekNodeDatapath(cluster, node)?.conntrack;
  if (table === undefined) return 0;
  let removed = 0;
  for (const key of Object.keys(table)) {
    const entry = table[key];
    if (entry !== undefined && entry.expiresAtMs <= nowMs) {
      delete table[key];
      removed += 1;
    }
  }
  return removed;
}

/**
 * Looks a packet up in a node's table for one CT direction: an entry for its own tuple makes it
 * established, an entry for the reversed tuple makes it a reply, nothing makes it new.
 */
export function ctLookup(
  cluster: Cluster,
  node: string,
  direction: 'egress' | 'ingress',
  tuple: PacketTuple,
  nowMs: number,
): { status: CtStatus; entry?: CtEntry } {
  const table = peekNodeDatapath(cluster, node)?.conntrack;
  if (table === undefined) return { status: 'new' };
  const own = table[keyOf(direction, tuple)];
  if (own !== undefined && own.expiresAtMs > nowMs) return { status: 'established', entry: own };
  // A reply leaves the endpoint in the opposite direction of the entry that the request created.
  const other = direction === 'egress' ? 'ingress' : 'egress';
  const reply = table[keyOf(other, reversed(tuple))];
  if (reply !== undefined && reply.expiresAtMs > nowMs) return { status: 'reply', entry: reply };
  return { status: 'new' };
}

/** Creates the entry for an allowed new connection (ct_create4); TCP starts in the SYN state. */
export function ctCreate(
  cluster: Cluster,
  node: string,
  direction: 'egress' | 'ingress',
  tuple: PacketTuple,
  details: { endpointId: number; sourceIdentity: number; remoteIdentity: number; proxyRedirect: boolean },
  nowMs: number,
): CtEntry {
  const state: CtEntry['state'] = tuple.protocol === 'TCP' ? 'syn' : 'established';
  const entry: CtEntry = {
    protocol: tuple.protocol,
    sourceIP: tuple.sourceIP,
    sourcePort: tuple.sourcePort,
    destinationIP: tuple.destinationIP,
    destinationPort: tuple.destinationPort,
    direction,
    endpointId: details.endpointId,
    state,
    createdMs: nowMs,
    lastSeenMs: nowMs,
    expiresAtMs: nowMs + lifetimeOf({ protocol: tuple.protocol, state }),
    sourceIdentity: details.sourceIdentity,
    remoteIdentity: details.remoteIdentity,
    proxyRedirect: details.proxyRedirect,
    packets: 1,
    replyPackets: 0,
  };
  nodeDatapath(cluster, node).conntrack[keyOf(direction, tuple)] = entry;
  return entry;
}

/** Counts a packet on an entry and refreshes its lifetime; a reply completes a TCP handshake. */
export function ctTouch(entry: CtEntry, nowMs: number, packet: { reply: boolean; closing?: boolean }): void {
  if (packet.reply) entry.replyPackets += 1;
  else entry.packets += 1;
  if (entry.protocol === 'TCP') {
    if (packet.closing === true) entry.state = 'closing';
    else if (entry.state === 'syn' && packet.reply) entry.state = 'established';
  }
  entry.lastSeenMs = nowMs;
  entry.expiresAtMs = nowMs + lifetimeOf(entry);
}

/** Live entries of a node, oldest first (what `cilium bpf ct list global` shows). */
export function listConntrack(cluster: Cluster, node: string, nowMs: number): CtEntry[] {
  collectExpired(cluster, node, nowMs);
  const table = peekNodeDatapath(cluster, node)?.conntrack ?? {};
  return Object.keys(table)
    .sort()
    .map((key) => table[key])
    .filter((entry): entry is CtEntry => entry !== undefined)
    .sort((a, b) => a.createdMs - b.createdMs);
}

/**
 * One entry the way `cilium bpf ct list global` prints it, e.g.
 * `TCP OUT 10.244.1.5:41234 -> 10.244.2.7:80 expires=21600 RxPackets=1 … SourceSecurityID=1234`.
 */
export function formatCtEntry(entry: CtEntry, nowMs: number): string {
  const flag = entry.direction === 'egress' ? 'OUT' : 'IN';
  const remaining = Math.max(0, Math.ceil((entry.expiresAtMs - nowMs) / 1000));
  const flags = [
    entry.state === 'closing' ? 'TxClosing=true' : undefined,
    entry.proxyRedirect ? 'ProxyRedirect=true' : undefined,
  ]
    .filter((text) => text !== undefined)
    .join(' ');
  return `${entry.protocol} ${flag} ${entry.sourceIP}:${entry.sourcePort} -> ${entry.destinationIP}:${entry.destinationPort} expires=${remaining} RxPackets=${entry.replyPackets} TxPackets=${entry.packets}${flags === '' ? '' : ` ${flags}`} SourceSecurityID=${entry.sourceIdentity}`;
}

/** Whether a node has a live connection from an endpoint to an address (the FQDN GC keeps such addresses). */
export function hasLiveConnectionTo(
  cluster: Cluster,
  node: string,
  endpointId: number,
  ip: string,
  nowMs: number,
): boolean {
  const table = peekNodeDatapath(cluster, node)?.conntrack;
  if (table === undefined) return false;
  for (const entry of Object.values(table)) {
    if (
      entry.direction === 'egress' &&
      entry.endpointId === endpointId &&
      entry.destinationIP === ip &&
      entry.expiresAtMs > nowMs &&
      entry.state !== 'closing'
    )
      return true;
  }
  return false;
}
