/**
 * Hubble's compact and JSON output for the model's flows (hubble/pkg/printer): names and
 * identities as the observing node resolved them, the policy-verdict column, and the verdict words
 * ALLOWED, DENIED and AUDITED for policy-verdict events.
 */
import { toStampMilli, toTimestamp } from '../engine/virtual-time';
import { reservedIdentityNames } from './reserved-identities';
import { dropReasons, icmpv4TypeName, type Flow, type FlowEndpoint } from './flow';

/**
 * The colours Hubble's printer gives parts of a line on a terminal (hubble/pkg/printer/color.go at
 * v1.18.5, through fatih/color): hosts cyan, ports and audited verdicts yellow, identities magenta,
 * forwarded verdicts green, dropped ones red.
 */
export type HubbleColour = 'cyan' | 'yellow' | 'magenta' | 'green' | 'red';

/** Paints a part of a line; `plainText` leaves it as is (output that is not a terminal). */
export type HubblePaint = (text: string, colour: HubbleColour) => string;

/** No colour: what Hubble prints when its standard output is not a terminal. */
export const plainText: HubblePaint = (text) => text;

const sgrCodes: Record<HubbleColour, number> = { red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36 };

/** fatih/color's form: the colour's SGR sequence before the text, a reset after it. */
export const sgrPaint: HubblePaint = (text, colour) => `\u001b[${sgrCodes[colour]}m${text}\u001b[0m`;

function identityText(id: number): string {
  const reserved = reservedIdentityNames[id];
  return reserved === undefined ? `ID:${id}` : reserved;
}

function endpointText(endpoint: FlowEndpoint, hasPorts: boolean, paint: HubblePaint): string {
  // Hubble prints the pod, else a DNS name the node's DNS proxy learnt for the address, else the address.
  const name =
    endpoint.podName !== undefined
      ? `${endpoint.namespace ?? 'default'}/${endpoint.podName}`
      : (endpoint.names?.[0]?.replace(/\.$/, '') ?? endpoint.ip);
  // The printer colours the port inside the host (`Hostname` joins them), then the whole host.
  const host = paint(`${name}${hasPorts ? `:${paint(String(endpoint.port), 'yellow')}` : ''}`, 'cyan');
  return `${host} ${paint(`(${identityText(endpoint.identity)})`, 'magenta')}`;
}

/** The verdict word in its colour (`getVerdict` in hubble/pkg/printer/printer.go). */
function paintedVerdict(flow: Flow, word: string, paint: HubblePaint): string {
  if (flow.verdict === 'DROPPED' || flow.verdict === 'ERROR') return paint(word, 'red');
  if (flow.verdict === 'AUDIT') return paint(word, 'yellow');
  return paint(word, 'green');
}

/** The L3/L4 summary the flow parser writes: TCP flags, `UDP`, or the ICMP message type. */
function packetSummary(flow: Flow): string {
  if (flow.protocol === 'ICMPv4') return `ICMPv4 ${icmpv4TypeName(flow)}`;
  if (flow.protocol === 'UDP') return 'UDP';
  return flow.tcpFlags === undefined ? '' : `TCP Flags: ${flow.tcpFlags}`;
}

/** The L7 summary in parentheses, as Hubble's compact printer writes it per protocol. */
function l7Summary(flow: Flow): string {
  const l7 = flow.l7;
  if (l7 === undefined) return '';
  if (l7.dns !== undefined) {
    const query = `${l7.dns.query} ${l7.dns.qtypes.join(',')}`;
    if (l7.type === 'dns-request') return `DNS Query ${query}`;
    const ips = (l7.dns.ips ?? []).map((ip) => `"${ip}"`).join(',');
    return l7.dns.rcode !== undefined && l7.dns.rcode !== 'NOERROR'
      ? `DNS Answer RCode: ${l7.dns.rcode === 'NXDOMAIN' ? 'Non-Existent Domain' : 'Refused'} (Proxy ${query})`
      : `DNS Answer ${ips} TTL: ${l7.dns.ttl ?? 0} (Proxy ${query})`;
  }
  if (l7.kafka !== undefined) {
    const topic = l7.kafka.topic === undefined ? '' : ` topic '${l7.kafka.topic}'`;
    return `Kafka request ${l7.kafka.apiKey} version ${l7.kafka.apiVersion}${topic}${l7.kafka.errorCode !== undefined ? ` error ${l7.kafka.errorCode}` : ''}`;
  }
  if (l7.type === 'http-response')
    return `${l7.httpProtocol ?? 'HTTP/1.1'} ${l7.code ?? 0} ${l7.latencyMs ?? 0}ms (${l7.method} ${l7.url})`;
  return `${l7.httpProtocol ?? 'HTTP/1.1'} ${l7.method} ${l7.url}`;
}

/** One flow in `hubble observe -o compact` form, painted as on a terminal when `paint` says so. */
export function formatFlowCompact(flow: Flow, paint: HubblePaint = plainText): string {
  // A reply flips the arrow and prints the connection's client first, as Hubble does; where the
  // datapath could not tell (drops, denied policy verdicts) the arrow is `<>`
  // (hubble/pkg/printer/printer.go at v1.18.5). ICMP has no ports, so Hubble prints bare names for it.
  const ports = flow.protocol !== 'ICMPv4';
  const arrow = flow.isReply === undefined ? '<>' : '->';
  const route =
    flow.isReply === true
      ? `${endpointText(flow.destination, ports, paint)} <- ${endpointText(flow.source, ports, paint)}`
      : `${endpointText(flow.source, ports, paint)} ${arrow} ${endpointText(flow.destination, ports, paint)}`;
  // The printer appends the auth type to the summary (`TCP Flags: SYN; Auth: SPIRE`).
  const summary = [packetSummary(flow), flow.authType === undefined ? '' : `Auth: ${flow.authType}`]
    .filter((part) => part !== '')
    .join('; ');
  const flags = summary === '' ? '' : ` (${summary})`;
  if (flow.eventType === 'policy-verdict') {
    // `policy-verdict:<match> <direction> <verdict>`: GetFlowType and getVerdict in
    // hubble/pkg/printer/printer.go at v1.18 (older Hubbles printed no direction).
    const verdict =
      flow.verdict === 'AUDIT'
        ? 'AUDITED'
        : flow.verdict === 'DROPPED' || flow.verdict === 'ERROR'
          ? 'DENIED'
          : 'ALLOWED';
    return `${toStampMilli(flow.timeMs)}: ${route} policy-verdict:${flow.matchType ?? 'none'} ${flow.trafficDirection} ${paintedVerdict(flow, verdict, paint)}${flags}`;
  }
  if (flow.eventType === 'l7') {
    const proxy = flow.l7?.dns !== undefined ? ' proxy' : '';
    return `${toStampMilli(flow.timeMs)}: ${route} ${flow.l7?.type ?? 'http-request'}${proxy} ${paintedVerdict(flow, flow.verdict, paint)} (${l7Summary(flow)})`;
  }
  if (flow.eventType === 'drop') {
    const reason = flow.dropReason === undefined ? 'Policy denied' : dropReasons[flow.dropReason].text;
    return `${toStampMilli(flow.timeMs)}: ${route} ${reason} ${paint('DROPPED', 'red')}${flags}`;
  }
  return `${toStampMilli(flow.timeMs)}: ${route} to-endpoint ${paintedVerdict(flow, flow.verdict, paint)}${flags}`;
}

function tcpFlagsJson(flags: string): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  for (const flag of flags.split(',')) if (flag.trim() !== '') result[flag.trim()] = true;
  return result;
}

function l7Json(flow: Flow): Record<string, unknown> {
  const l7 = flow.l7;
  if (l7 === undefined) return {};
  const type = l7.type.endsWith('-request') ? 'REQUEST' : 'RESPONSE';
  if (l7.dns !== undefined)
    return {
      type,
      dns: {
        query: l7.dns.query,
        qtypes: l7.dns.qtypes,
        ...(l7.dns.ips !== undefined ? { ips: l7.dns.ips } : {}),
        ...(l7.dns.ttl !== undefined ? { ttl: l7.dns.ttl } : {}),
        ...(l7.dns.rcode !== undefined
          ? { rcode: l7.dns.rcode === 'NOERROR' ? 0 : l7.dns.rcode === 'NXDOMAIN' ? 3 : 5 }
          : {}),
      },
    };
  if (l7.kafka !== undefined)
    return {
      type,
      kafka: {
        api_key: l7.kafka.apiKey,
        api_version: l7.kafka.apiVersion,
        ...(l7.kafka.topic !== undefined ? { topic: l7.kafka.topic } : {}),
        ...(l7.kafka.errorCode !== undefined ? { error_code: l7.kafka.errorCode } : {}),
      },
    };
  return {
    type,
    ...(l7.latencyMs !== undefined ? { latency_ns: String(l7.latencyMs * 1_000_000) } : {}),
    http: {
      ...(l7.code !== undefined ? { code: l7.code } : {}),
      method: l7.method,
      url: l7.url,
      protocol: l7.httpProtocol ?? 'HTTP/1.1',
    },
  };
}

/** One flow as `hubble observe -o json` prints it (the fields the model has, in flow.proto names). */
export function formatFlowJson(flow: Flow): string {
  const side = (endpoint: FlowEndpoint) => ({
    identity: endpoint.identity,
    ...(endpoint.namespace !== undefined ? { namespace: endpoint.namespace } : {}),
    ...(endpoint.podName !== undefined ? { pod_name: endpoint.podName } : {}),
  });
  const ports = {
    source_port: flow.source.port,
    destination_port: flow.destination.port,
  };
  return JSON.stringify({
    flow: {
      time: toTimestamp(flow.timeMs),
      verdict: flow.verdict,
      ...(flow.dropReason !== undefined
        ? { drop_reason: dropReasons[flow.dropReason].code, drop_reason_desc: flow.dropReason }
        : {}),
      IP: { source: flow.source.ip, destination: flow.destination.ip, ipVersion: 'IPv4' },
      l4:
        flow.protocol === 'ICMPv4'
          ? { ICMPv4: { type: flow.icmpType ?? 8 } }
          : flow.protocol === 'UDP'
            ? { UDP: ports }
            : {
                TCP: {
                  ...ports,
                  ...(flow.tcpFlags !== undefined ? { flags: tcpFlagsJson(flow.tcpFlags) } : {}),
                },
              },
      source: side(flow.source),
      destination: side(flow.destination),
      ...(flow.source.names !== undefined ? { source_names: flow.source.names } : {}),
      ...(flow.destination.names !== undefined ? { destination_names: flow.destination.names } : {}),
      Type: flow.eventType === 'l7' ? 'L7' : 'L3_L4',
      ...(flow.isReply !== undefined ? { is_reply: flow.isReply } : {}),
      ...(flow.l7 !== undefined ? { l7: l7Json(flow) } : {}),
      node_name: flow.node,
      event_type: {
        type:
          flow.eventType === 'policy-verdict'
            ? 5
            : flow.eventType === 'drop'
              ? 1
              : flow.eventType === 'l7'
                ? 129
                : 4,
      },
      traffic_direction: flow.trafficDirection,
      ...(flow.matchType !== undefined ? { policy_match_type: flow.matchType } : {}),
      ...(flow.authType !== undefined ? { auth_type: flow.authType } : {}),
      Summary: formatFlowCompact(flow).replace(/^[^:]+:[^:]+:[^:]+: /, ''),
    },
    node_name: flow.node,
    time: flow.timeMs,
  });
}
