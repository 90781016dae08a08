/**
 * The agent's monitor events for `cilium-dbg monitor`, built from the policy-verdict and drop flows
 * the datapath records (verdict-flows.ts), in the monitor's one-line format (pkg/monitor at v1.18:
 * PolicyVerdictNotify.DumpInfo in datapath_policy.go, DropNotify.DumpInfo and GetConnectionSummary):
 *
 *   Policy verdict log: flow 0x0 local EP ID 1687, remote ID world, proto 6, ingress, action audit,
 *   auth: disabled, match none, 10.0.2.2:47500 -> 10.0.2.15:6443 tcp SYN
 *   xx drop (Policy denied) flow 0x0 to endpoint 1687, ifindex 2, file bpf_host.c:1196, ,
 *   identity world->host: 10.0.2.2:49038 -> 10.0.2.15:21 tcp SYN
 *
 * Identities print by name for reserved ones unless `-n` asks for numbers (NumericIdentity.String);
 * `auth:` exists from 1.14 (mutual authentication), as policy.AuthType's name (`disabled`). The flow hash is 0 on the host endpoint, as bpf_host reports it, and
 * a hash of the addresses and ports for pods. The model has no interface indexes or BPF source
 * lines: drops name the program (bpf_lxc.c or bpf_host.c) with a fixed line and an index derived
 * from the endpoint id.
 */
import { hashString64 } from '../engine/state-hash';
import { hostEndpointId } from './agent-endpoints';
import { dropReasons, icmpv4TypeName, type Flow } from './flow';
import { ReservedIdentity, reservedIdentityNames } from './reserved-identities';
import type { AgentState } from './state';

/** A flow as a monitor event: with the id of the endpoint it happened at (`local EP ID`). */
export interface MonitorEvent {
  flow: Flow;
  localEndpointId: number;
  /** L7 records: the endpoint ids of both ends on this node (0 when an end is not a local endpoint). */
  sourceEndpointId?: number;
  destinationEndpointId?: number;
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
  /** An identity's labels as the agent knows them (`k8s:app=x`, `reserved:world`), for L7 records. */
  labelsOf?: (identity: number) => readonly string[];
  /** `-v`: drops in DropNotify.DumpVerbose's format (the other events print as without it). */
  verbose?: boolean;
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
 * The end of an L7 record whose endpoint's redirect it went through: the server for ingress and the
 * client for egress. A response record's flow runs from the server, so its ends are swapped.
 */
function servedEnd(flow: Flow): Flow['source'] {
  const response = flow.l7?.type.endsWith('-response') === true;
  const toServer = (flow.trafficDirection === 'INGRESS') !== response;
  return toServer ? flow.destination : flow.source;
}

/** An L7 record's source and destination: the client and the server, whichever way the flow ran. */
function recordEnds(flow: Flow): [Flow['source'], Flow['source']] {
  return flow.l7?.type.endsWith('-response') === true
    ? [flow.destination, flow.source]
    : [flow.source, flow.destination];
}

/** The endpoint id of an address on the agent's node (a pod's endpoint), 0 for anything else. */
function endpointIdAt(agent: AgentState, ip: string): number {
  return agent.ipToEndpoint[ip] ?? 0;
}

/**
 * A flow the agent's node recorded, as the monitor event it was: the endpoint is the node's host
 * endpoint for the host firewall's verdicts, else the pod endpoint that holds the local address.
 * The monitor reads its events as they happen, so the agent's endpoints now are the ones of the flow.
 */
export function monitorEventOf(agent: AgentState, flow: Flow): MonitorEvent {
  if (flow.eventType === 'l7') {
    // The access log names the endpoint whose proxy redirect handled the request, and leaves the
    // other end's id 0 even when it is local (the docs' records show `from 0` for a local client).
    // Ids follow the record's ends, whose source is the client even for a response.
    const served = servedEnd(flow);
    const servedId = endpointIdAt(agent, served.ip);
    const [client] = recordEnds(flow);
    return {
      flow,
      localEndpointId: servedId,
      sourceEndpointId: served === client ? servedId : 0,
      destinationEndpointId: served === client ? 0 : servedId,
    };
  }
  const localEndpointId = onHostEndpoint(flow)
    ? hostEndpointId(agent)
    : endpointIdAt(agent, localEnd(flow).ip);
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
  if (flow.protocol === 'ICMPv4') return `${source.ip} -> ${destination.ip} ${icmpv4TypeName(flow)}`;
  const route = `${source.ip}:${source.port} -> ${destination.ip}:${destination.port}`;
  if (flow.protocol === 'UDP') return `${route} udp`;
  const set = new Set((flow.tcpFlags ?? '').split(',').map((flag) => flag.trim()));
  const flags = ['SYN', 'ACK', 'RST', 'FIN'].filter((flag) => set.has(flag)).join(', ');
  return `${route} tcp ${flags}`;
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
function formatPolicyVerdictEvent(event: MonitorEvent, format: MonitorFormat): string {
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

/** The length of the dropped packet: a TCP SYN with options, an ICMP echo, a DNS query. */
function packetLength(flow: Flow): number {
  if (flow.protocol === 'ICMPv4') return 98;
  return flow.protocol === 'UDP' ? 82 : 74;
}

/**
 * A drop with `-v` (pkg/monitor/datapath_drop.go, DropNotify.DumpVerbose): a separator, then
 * `CPU NN: MARK hash FROM endpoint DROP: length bytes, reason …, identity …[, to endpoint N]`. The
 * real monitor then dissects the packet's headers layer by layer; the model prints the
 * connection's summary line in their place.
 */
function formatDropVerbose(event: MonitorEvent, format: MonitorFormat): string {
  const flow = event.flow;
  const reason = flow.dropReason === undefined ? 'Policy denied' : dropReasons[flow.dropReason].text;
  const identities = `${identityText(flow.source.identity, format.numeric)}->${identityText(flow.destination.identity, format.numeric)}`;
  const cpu = String(parseInt(flowHash(flow).slice(2), 16) % 8).padStart(2, '0');
  const to = dropDestinationId(event);
  const separator = '-'.repeat(78);
  return `${separator}\nCPU ${cpu}: MARK ${flowHash(flow)} FROM ${event.localEndpointId} DROP: ${packetLength(flow)} bytes, reason ${reason}, identity ${identities}${to !== 0 ? `, to endpoint ${to}` : ''}\n${connectionSummary(flow)}`;
}

/** One drop event as the monitor prints it (its `, , identity` is the real format's). */
function formatDropEvent(event: MonitorEvent, format: MonitorFormat): string {
  if (format.verbose === true) return formatDropVerbose(event, format);
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
  if (type === 'trace') return false;
  if (filter.types.length > 0 && !filter.types.includes(type)) return false;
  // A proxy access log record matches on the endpoint ids of its two ends (GetSrc, GetDst).
  const source = type === 'l7' ? (event.sourceEndpointId ?? 0) : event.localEndpointId;
  const destination =
    type === 'l7'
      ? (event.destinationEndpointId ?? 0)
      : type === 'drop'
        ? dropDestinationId(event)
        : remoteIdentity(event.flow) & 0xffff;
  if (filter.from.length > 0 && !filter.from.includes(source)) return false;
  if (filter.to.length > 0 && !filter.to.includes(destination)) return false;
  return (
    filter.related.length === 0 || filter.related.includes(source) || filter.related.includes(destination)
  );
}

/** The access log's verdict words (accesslog.FlowVerdict). */
function l7Verdict(flow: Flow): string {
  if (flow.verdict === 'DROPPED') return 'Denied';
  return flow.verdict === 'ERROR' ? 'Error' : 'Forwarded';
}

/** What the record adds per protocol (LogRecordNotify.DumpInfo). */
function l7Details(flow: Flow): string {
  const l7 = flow.l7;
  if (l7 === undefined) return '';
  const request = l7.type.endsWith('-request');
  if (l7.dns !== undefined) {
    const types = l7.dns.qtypes.join(',');
    if (request) return ` DNS Query: ${l7.dns.query} ${types}`;
    return ` DNS Proxy: ${l7.dns.query} ${types} TTL: ${l7.dns.ttl ?? 0} Answer: '${(l7.dns.ips ?? []).join(',')}'`;
  }
  if (l7.kafka !== undefined)
    return ` ${l7.kafka.apiKey} topic ${l7.kafka.topic ?? ''} => ${l7.kafka.errorCode ?? 0}`;
  // A request record carries no status, except a refused one, which the proxy answered with 403.
  const code = request ? (flow.verdict === 'DROPPED' ? (l7.code ?? 403) : 0) : (l7.code ?? 0);
  return ` ${l7.method} ${l7.url} => ${code}`;
}

/**
 * One proxy access log record as the monitor prints it (`-t l7`): `->` for egress and `<-` for
 * ingress redirection, the two endpoints with their ids on this node and their labels, the
 * identities, the verdict, then the HTTP method, URL and status (0 on a request), the DNS query
 * and answer, or the Kafka API key and topic.
 */
function formatL7Event(event: MonitorEvent, format: MonitorFormat): string {
  const flow = event.flow;
  const l7 = flow.l7;
  const labels = (identity: number): string => `[${(format.labelsOf?.(identity) ?? []).join(' ')}]`;
  const protocol = l7?.dns !== undefined ? 'dns' : l7?.kafka !== undefined ? 'kafka' : 'http';
  const direction = flow.trafficDirection === 'INGRESS' ? '<-' : '->';
  // A response record keeps the request's ends: its source is the client the response goes to.
  const [client, server] = recordEnds(flow);
  const source = `${event.sourceEndpointId ?? 0} (${labels(client.identity)})`;
  const destination = `${event.destinationEndpointId ?? 0} (${labels(server.identity)})`;
  const ends =
    l7?.type.endsWith('-response') === true
      ? `Response ${protocol} to ${source} from ${destination}`
      : `Request ${protocol} from ${source} to ${destination}`;
  return `${direction} ${ends}, identity ${client.identity}->${server.identity}, verdict ${l7Verdict(flow)}${l7Details(flow)}`;
}

/** One event as the monitor prints it. */
export function formatMonitorEvent(event: MonitorEvent, format: MonitorFormat): string {
  if (event.flow.eventType === 'l7') return formatL7Event(event, format);
  return event.flow.eventType === 'drop'
    ? formatDropEvent(event, format)
    : formatPolicyVerdictEvent(event, format);
}
