/**
 * The agent's monitor events for `cilium-dbg monitor`, built from the policy-verdict and drop flows
 * the datapath records (verdict-flows.ts), in the monitor's one-line format (pkg/monitor:
 * PolicyVerdictNotify.DumpInfo, DropNotify.DumpInfo and GetConnectionSummary):
 *
 *   Policy verdict log: flow 0x0 local EP ID 1687, remote ID world, proto 6, ingress, action audit,
 *   auth: disabled, match none, 10.0.2.2:47500 -> 10.0.2.15:6443 tcp SYN
 *   xx drop (Policy denied) flow 0x0 to endpoint 1687, ifindex 2, file bpf_host.c:1196, ,
 *   identity world->host: 10.0.2.2:49038 -> 10.0.2.15:21 tcp SYN
 *
 * Identities print by name for reserved ones unless `-n` asks for numbers; `auth:` exists from
 * 1.14 (mutual authentication). The flow hash is 0 on the host endpoint, as bpf_host reports it, and
 * a hash of the addresses and ports for pods. The model has no interface indexes or BPF source
 * lines: drops name the program (bpf_lxc.c or bpf_host.c) with a fixed line and an index derived
 * from the endpoint id.
 */
import { hashString64 } from '../engine/state-hash';
import { hostEndpointId } from './agent-endpoints';
import { dropReasons, type Flow } from './flow';
import { ReservedIdentity, reservedIdentityNames } from './reserved-identities';
import type { AgentState } from './state';

/** A flow as a monitor event: with the id of the endpoint it happened at (`local EP ID`). */
export interface MonitorEvent {
  flow: Flow;
  localEndpointId: number;
}

/** The monitor's message types (bpf/lib/common.h), as `-t` names them. */
export const monitorMessageTypes: Readonly<Record<string, number>> = {
  agent: 130,
  capture: 3,
  debug: 2,
  drop: 1,
  l7: 129,
  'policy-verdict': 5,
  recorder: 6,
  trace: 4,
  'trace-sock': 7,
};

/** What the monitor was asked to show, as MonitorFormatter.match filters it. */
export interface MonitorFilter {
  /** Message types (`-t`); empty means every type. */
  types: readonly string[];
  /** `--from`, `--to` and `--related-to` endpoint ids; empty means any. */
  from: readonly number[];
  to: readonly number[];
  related: readonly number[];
}

export interface MonitorFormat {
  /** `-n`: identities as numbers. */
  numeric: boolean;
  versionMinor: number;
}

const protocolNumbers: Readonly<Record<Flow['protocol'], number>> = { TCP: 6, UDP: 17, ICMPv4: 1 };

function identityText(id: number, numeric: boolean): string {
  return numeric ? String(id) : (reservedIdentityNames[id] ?? String(id));
}

/** The end of a flow that is on the observing node: the receiver for ingress, the sender for egress. */
function localEnd(flow: Flow): Flow['source'] {
  return flow.trafficDirection === 'INGRESS' ? flow.destination : flow.source;
}

/** Whether the event happened on the node's host endpoint (bpf_host) rather than a pod's (bpf_lxc). */
function onHostEndpoint(flow: Flow): boolean {
  return localEnd(flow).identity === ReservedIdentity.host;
}

/**
 * A flow the agent's node recorded, as the monitor event it was: the endpoint is the node's host
 * endpoint for the host firewall's verdicts, else the pod endpoint that holds the local address.
 * The monitor reads its events as they happen, so the agent's endpoints now are the ones of the flow.
 */
export function monitorEventOf(agent: AgentState, flow: Flow): MonitorEvent {
  const localEndpointId = onHostEndpoint(flow)
    ? hostEndpointId(agent)
    : (agent.ipToEndpoint[localEnd(flow).ip] ?? 0);
  return { flow, localEndpointId };
}

/** The skb hash the datapath reports: 0 in bpf_host, a stable hash of the 5-tuple for pods. */
function flowHash(flow: Flow): string {
  if (onHostEndpoint(flow)) return '0x0';
  const tuple = `${flow.source.ip}:${flow.source.port}>${flow.destination.ip}:${flow.destination.port}/${flow.protocol}`;
  return `0x${parseInt(hashString64(tuple).slice(0, 8), 16).toString(16)}`;
}

/** GetConnectionSummary: addresses, ports, the protocol and the TCP flags it decodes (SYN, ACK, RST, FIN). */
function connectionSummary(flow: Flow): string {
  const source = flow.source;
  const destination = flow.destination;
  if (flow.protocol === 'ICMPv4') return `${source.ip} -> ${destination.ip} ${icmpTypeName(flow)}`;
  const route = `${source.ip}:${source.port} -> ${destination.ip}:${destination.port}`;
  if (flow.protocol === 'UDP') return `${route} udp`;
  const set = new Set((flow.tcpFlags ?? '').split(',').map((flag) => flag.trim()));
  const flags = ['SYN', 'ACK', 'RST', 'FIN'].filter((flag) => set.has(flag)).join(', ');
  return `${route} tcp ${flags}`;
}

/**
 * gopacket's name of an ICMPv4 type (code 0). Flows carry the type once the datapath models ICMP
 * beyond ping's echo request; until then an ICMP flow is an echo request.
 */
function icmpTypeName(flow: Flow): string {
  const type = (flow as Flow & { icmpType?: number }).icmpType ?? 8;
  if (type === 8) return 'EchoRequest';
  return type === 0 ? 'EchoReply' : `${type}(0)`;
}

function actionOf(flow: Flow): string {
  if (flow.verdict === 'AUDIT') return 'audit';
  if (flow.verdict === 'DROPPED' || flow.verdict === 'ERROR') return 'deny';
  return flow.verdict === 'REDIRECTED' ? 'redirect' : 'allow';
}

function authOf(flow: Flow): string {
  if (flow.authType === 'SPIRE') return 'spire';
  return flow.authType === 'TEST_ALWAYS_FAIL' ? 'test-always-fail' : 'disabled';
}

function matchOf(flow: Flow): string {
  const match = flow.matchType ?? 'none';
  return match === 'Proto-only' ? 'Proto-Only' : match;
}

/** The identity on the far side of the local endpoint. */
function remoteIdentity(flow: Flow): number {
  return flow.trafficDirection === 'INGRESS' ? flow.source.identity : flow.destination.identity;
}

/** One policy-verdict event as the monitor prints it. */
export function formatPolicyVerdictEvent(event: MonitorEvent, format: MonitorFormat): string {
  const flow = event.flow;
  const auth = format.versionMinor >= 14 ? `auth: ${authOf(flow)}, ` : '';
  return `Policy verdict log: flow ${flowHash(flow)} local EP ID ${event.localEndpointId}, remote ID ${identityText(remoteIdentity(flow), format.numeric)}, proto ${protocolNumbers[flow.protocol]}, ${flow.trafficDirection === 'INGRESS' ? 'ingress' : 'egress'}, action ${actionOf(flow)}, ${auth}match ${matchOf(flow)}, ${connectionSummary(flow)}`;
}

/** Where the drop notification comes from (see the header: the index and line are the model's own). */
function dropOrigin(event: MonitorEvent): { ifindex: number; file: string } {
  if (onHostEndpoint(event.flow)) return { ifindex: 2, file: 'bpf_host.c:1196' };
  const ingress = event.flow.trafficDirection === 'INGRESS';
  return {
    ifindex: 10 + (event.localEndpointId % 90),
    file: ingress ? 'bpf_lxc.c:2117' : 'bpf_lxc.c:1389',
  };
}

/** The endpoint a drop was headed to: the local one for ingress, none (0) for egress. */
function dropDestinationId(event: MonitorEvent): number {
  return event.flow.trafficDirection === 'INGRESS' ? event.localEndpointId : 0;
}

/** One drop event as the monitor prints it (its `, , identity` is the real format's). */
export function formatDropEvent(event: MonitorEvent, format: MonitorFormat): string {
  const flow = event.flow;
  const reason = flow.dropReason === undefined ? 'Policy denied' : dropReasons[flow.dropReason].text;
  const origin = dropOrigin(event);
  const identities = `${identityText(flow.source.identity, format.numeric)}->${identityText(flow.destination.identity, format.numeric)}`;
  return `xx drop (${reason}) flow ${flowHash(flow)} to endpoint ${dropDestinationId(event)}, ifindex ${origin.ifindex}, file ${origin.file}, , identity ${identities}: ${connectionSummary(flow)}`;
}

/**
 * Whether the monitor shows a flow, as MonitorFormatter.match decides: by type, then by the
 * event's source and destination ids, which are the local endpoint and the remote identity
 * (truncated to 16 bits) for a policy verdict, and the local endpoint and the destination
 * endpoint for a drop.
 */
export function monitorShows(event: MonitorEvent, filter: MonitorFilter): boolean {
  const type = event.flow.eventType;
  if (type !== 'policy-verdict' && type !== 'drop') return false;
  if (filter.types.length > 0 && !filter.types.includes(type)) return false;
  const source = event.localEndpointId;
  const destination = type === 'drop' ? dropDestinationId(event) : remoteIdentity(event.flow) & 0xffff;
  if (filter.from.length > 0 && !filter.from.includes(source)) return false;
  if (filter.to.length > 0 && !filter.to.includes(destination)) return false;
  return (
    filter.related.length === 0 || filter.related.includes(source) || filter.related.includes(destination)
  );
}

/** One event as the monitor prints it. */
export function formatMonitorEvent(event: MonitorEvent, format: MonitorFormat): string {
  return event.flow.eventType === 'drop'
    ? formatDropEvent(event, format)
    : formatPolicyVerdictEvent(event, format);
}
