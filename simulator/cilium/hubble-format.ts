/**
 * Hubble's compact and JSON output for the model's flows (hubble/pkg/printer; FACTS §6): names and
 * identities as the observing node resolved them, the policy-verdict column, and the verdict words
 * ALLOWED, DENIED and AUDITED for policy-verdict events.
 */
import { toStampMilli, toTimestamp } from '../engine/virtual-time';
import { reservedIdentityNames } from './reserved-identities';
import { dropReasons, type Flow, type FlowEndpoint } from './flow';

function identityText(id: number): string {
  const reserved = reservedIdentityNames[id];
  return reserved === undefined ? `ID:${id}` : reserved;
}

function endpointText(endpoint: FlowEndpoint): string {
  const name =
    endpoint.podName === undefined ? endpoint.ip : `${endpoint.namespace ?? 'default'}/${endpoint.podName}`;
  return `${name}:${endpoint.port} (${identityText(endpoint.identity)})`;
}

/** One flow in `hubble observe -o compact` form. */
export function formatFlowCompact(flow: Flow): string {
  const route = `${endpointText(flow.source)} -> ${endpointText(flow.destination)}`;
  const flags = flow.tcpFlags === undefined ? '' : ` (TCP Flags: ${flow.tcpFlags})`;
  if (flow.eventType === 'policy-verdict') {
    const verdict =
      flow.verdict === 'AUDIT'
        ? 'AUDITED'
        : flow.verdict === 'DROPPED' || flow.verdict === 'ERROR'
          ? 'DENIED'
          : 'ALLOWED';
    return `${toStampMilli(flow.timeMs)}: ${route} policy-verdict:${flow.matchType ?? 'none'} ${flow.trafficDirection} ${verdict}${flags}`;
  }
  if (flow.eventType === 'l7') {
    return `${toStampMilli(flow.timeMs)}: ${route} http-request ${flow.verdict} (HTTP/1.1 ${flow.l7?.method ?? 'GET'} ${flow.l7?.url ?? ''})`;
  }
  if (flow.eventType === 'drop') {
    const reason = flow.dropReason === undefined ? 'Policy denied' : dropReasons[flow.dropReason].text;
    return `${toStampMilli(flow.timeMs)}: ${route} ${reason} DROPPED${flags}`;
  }
  return `${toStampMilli(flow.timeMs)}: ${route} to-endpoint ${flow.verdict}${flags}`;
}

/** One flow as `hubble observe -o json` prints it (the fields the model has, in flow.proto names). */
export function formatFlowJson(flow: Flow): string {
  const side = (endpoint: FlowEndpoint) => ({
    identity: endpoint.identity,
    ...(endpoint.namespace !== undefined ? { namespace: endpoint.namespace } : {}),
    ...(endpoint.podName !== undefined ? { pod_name: endpoint.podName } : {}),
  });
  return JSON.stringify({
    flow: {
      time: toTimestamp(flow.timeMs),
      verdict: flow.verdict,
      ...(flow.dropReason !== undefined
        ? { drop_reason: dropReasons[flow.dropReason].code, drop_reason_desc: flow.dropReason }
        : {}),
      IP: { source: flow.source.ip, destination: flow.destination.ip, ipVersion: 'IPv4' },
      l4: {
        TCP: {
          source_port: flow.source.port,
          destination_port: flow.destination.port,
          ...(flow.tcpFlags === 'SYN' ? { flags: { SYN: true } } : {}),
        },
      },
      source: side(flow.source),
      destination: side(flow.destination),
      Type: flow.eventType === 'l7' ? 'L7' : 'L3_L4',
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
      Summary: formatFlowCompact(flow).replace(/^[^:]+:[^:]+:[^:]+: /, ''),
    },
    node_name: flow.node,
    time: flow.timeMs,
  });
}
