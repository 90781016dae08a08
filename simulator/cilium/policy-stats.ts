/**
 * The packet and byte counters of policy-map entries, which `bpf policy get` prints. Each time the
 * datapath's policy lookup hits an entry it adds the packet and its length to that entry
 * (`__policy_account` in bpf/lib/policy.h, called from `__policy_can_access`): allowed and denied
 * entries alike, for every packet of the original direction that is looked up, never for replies,
 * which conntrack lets through without a lookup. The length is the frame as the tc hook sees it,
 * Ethernet header included (`ctx_full_len`).
 *
 * The model sends a connection's first packet (and each retransmission, each later request on a
 * kept connection, each echo request and datagram) through the lookup itself; the other packets
 * of a completed HTTP exchange are added when the exchange ends (`accountHttpExchange`).
 */
import type { Cluster } from '../world';
import type { PolicyVerdict } from '../policy/index';
import { nodeDatapath, peekNodeDatapath } from './datapath-state';
import type { PacketTuple } from './conntrack';
import type { PolicyCounterKey } from './datapath-types';
export type { PolicyCounterKey } from './datapath-types';

/** One entry's counters. */
export interface PolicyCounters {
  packets: number;
  bytes: number;
}

/**
 * Frame lengths of the packets the model sends (IPv4, no VLAN): a Linux SYN carries the MSS, SACK,
 * timestamp and window-scale options (14 + 20 + 40 bytes), later segments the timestamp option
 * (14 + 20 + 32); ping's default echo request has 56 data bytes.
 */
export const frameBytes = {
  tcpSyn: 74,
  tcpSegment: 66,
  icmpEcho: 98,
  udpHeaders: 42,
} as const;

function counterId(key: Omit<PolicyCounterKey, 'node'>): string {
  return `${key.endpointId}|${key.direction}|${key.identity}|${key.port}`;
}

/** The frame length of a packet of the model that carries no payload the model knows of. */
export function defaultFrameBytes(tuple: PacketTuple, established: boolean): number {
  if (tuple.protocol === 'ICMP') return frameBytes.icmpEcho;
  if (tuple.protocol === 'UDP') return frameBytes.udpHeaders;
  return established ? frameBytes.tcpSegment : frameBytes.tcpSyn;
}

/** The counter a verdict's lookup hit, or undefined when no entry matched (default deny). */
export function counterKeyOf(
  node: string,
  endpointId: number,
  direction: 'ingress' | 'egress',
  verdict: PolicyVerdict | undefined,
): PolicyCounterKey | undefined {
  const mapKey = verdict?.mapKey;
  if (mapKey === undefined) return undefined;
  return { node, endpointId, direction, identity: mapKey.identity, port: mapKey.port };
}

/** Adds packets to an entry's counters. */
export function accountPolicyPackets(
  cluster: Cluster,
  key: PolicyCounterKey | undefined,
  packets: number,
  bytes: number,
): void {
  if (key === undefined || packets <= 0) return;
  const stats = (nodeDatapath(cluster, key.node).policyStats ??= {});
  const id = counterId(key);
  const counters = (stats[id] ??= { packets: 0, bytes: 0 });
  counters.packets += packets;
  counters.bytes += bytes;
}

/** An entry's counters as `bpf policy get` reads them (zero when nothing was counted). */
export function policyCountersOf(cluster: Cluster, key: PolicyCounterKey): PolicyCounters {
  return peekNodeDatapath(cluster, key.node)?.policyStats?.[counterId(key)] ?? { packets: 0, bytes: 0 };
}

/**
 * The frame that carries an HTTP/1.1 request: a TCP segment with the request line, the Host header,
 * the headers the model knows of and the blank line (a real client adds its own, such as
 * User-Agent and Accept, which the model does not carry).
 */
export function httpRequestBytes(
  host: string,
  port: number,
  http: { method: string; path: string; headers: Readonly<Record<string, string>> },
): number {
  let text = `${http.method} ${http.path} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
  for (const [name, value] of Object.entries(http.headers)) text += `${name}: ${value}\r\n`;
  return frameBytes.tcpSegment + new TextEncoder().encode(`${text}\r\n`).length;
}

/** A DNS query for one name and type without EDNS (as glibc and busybox send it): header, name, type and class. */
export function dnsQueryFrameBytes(name: string): number {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((label) => label !== '');
  const wireName = labels.reduce((sum, label) => sum + 1 + label.length, 0) + 1;
  return frameBytes.udpHeaders + 12 + wireName + 4;
}

/**
 * The client's remaining packets of an HTTP/1.1 exchange on a new connection, counted on the entries
 * its SYN hit: the ACK that completes the handshake, the request, the ACK of the response, the FIN
 * and the ACK of the server's FIN. A connection the client keeps open sends no FIN yet.
 */
export function accountHttpExchange(
  cluster: Cluster,
  keys: readonly PolicyCounterKey[],
  requestBytes: number,
  closing: boolean,
): void {
  const packets = closing ? 5 : 3;
  // The request's frame, and empty segments (ACKs, FIN) for the others.
  const bytes = requestBytes + frameBytes.tcpSegment * (packets - 1);
  for (const key of keys) accountPolicyPackets(cluster, key, packets, bytes);
}
