/**
 * Hubble flows (api/v1/flow/flow.proto): what a node's datapath reports about a
 * connection. Names and identities come from the observing node's ipcache, so a stale node names
 * the old pod, exactly as real Hubble does.
 */

export type Verdict = 'FORWARDED' | 'DROPPED' | 'ERROR' | 'AUDIT' | 'REDIRECTED';

/** Policy-verdict match types, printed as `policy-verdict:<match>`. */
export type PolicyMatchType = 'none' | 'L3-Only' | 'L3-L4' | 'L4-Only' | 'all' | 'L3-Proto' | 'Proto-only';

/** Drop reasons the model produces, with their flow.proto numbers and the printed text. */
export const dropReasons = {
  POLICY_DENIED: { code: 133, text: 'Policy denied' },
  POLICY_DENY: { code: 181, text: 'Policy denied by denylist' },
  AUTH_REQUIRED: { code: 189, text: 'Authentication required' },
  INVALID_IDENTITY: { code: 171, text: 'Invalid identity' },
  NO_SERVICE: { code: 158, text: 'Service backend not found' },
  NO_NODE_ID: { code: 197, text: 'No node ID found' },
} as const;
export type DropReasonName = keyof typeof dropReasons;

/** One end of a flow as the observing node resolves it. */
export interface FlowEndpoint {
  ip: string;
  port: number;
  identity: number;
  namespace?: string;
  podName?: string;
  labels?: string[];
  /** DNS names the observing node's DNS proxy learnt for the address (Hubble's source/destination_names). */
  names?: string[];
}

/** Why the model knows this flow's verdict is wrong: the ground truth beside the node's belief. */
export interface MistakenIdentity {
  /** Identity the observing node believed the source had. */
  believedIdentity: number;
  /** Identity the real sender has. */
  actualIdentity: number;
  actualPod: string;
  believedPod?: string;
  sentence: string;
}

/** What an L7 proxy logged for one request or response. */
export interface L7FlowRecord {
  type:
    'http-request' | 'http-response' | 'dns-request' | 'dns-response' | 'kafka-request' | 'kafka-response';
  /** HTTP method and URL; empty for DNS and Kafka. */
  method: string;
  url: string;
  /** `HTTP/1.1`, or `HTTP/2` for gRPC. */
  httpProtocol?: 'HTTP/1.1' | 'HTTP/2';
  /** HTTP status of a response. */
  code?: number;
  /** How long the response took, as the proxy measured it (Hubble's latency_ns). */
  latencyMs?: number;
  dns?: { query: string; qtypes: string[]; rcode?: string; ips?: string[]; ttl?: number };
  kafka?: { apiKey: string; apiVersion: number; clientID?: string; topic?: string; errorCode?: number };
}

/** One Hubble flow event. */
export interface Flow {
  number: number;
  timeMs: number;
  node: string;
  eventType: 'policy-verdict' | 'drop' | 'trace' | 'l7';
  verdict: Verdict;
  dropReason?: DropReasonName;
  trafficDirection: 'INGRESS' | 'EGRESS';
  matchType?: PolicyMatchType;
  protocol: 'TCP' | 'UDP' | 'ICMPv4';
  tcpFlags?: string;
  /** ICMPv4 only: the message type (8 EchoRequest, 0 EchoReply), which Hubble prints in the summary. */
  icmpType?: number;
  /**
   * Hubble's is_reply: true for a packet of the reply direction (CT_REPLY), false for the original
   * direction, unset when the datapath could not tell (drops, policy verdicts). On a reply the
   * traffic direction stays the connection's, and source and destination are the packet's own.
   */
  isReply?: boolean;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  /** For L7 events: what the proxy saw (Hubble prints `http-request`, `dns-request`, `kafka-request`). */
  l7?: L7FlowRecord;
  /** Human explanation of the decision: which rule, or default deny. */
  explanation: string;
  mistaken?: MistakenIdentity;
  /** The policy entry's auth type on policy-verdict events (flow.proto AuthType; absent = DISABLED). */
  authType?: 'SPIRE' | 'TEST_ALWAYS_FAIL';
}

/** ICMPv4 message types by number, as gopacket names them (Hubble's summary, the monitor's). */
const icmpv4TypeNames: Readonly<Record<number, string>> = {
  0: 'EchoReply',
  3: 'DestinationUnreachable',
  8: 'EchoRequest',
  11: 'TimeExceeded',
};

/** The name of an ICMPv4 flow's message type (an echo request when the flow does not say). */
export function icmpv4TypeName(flow: Pick<Flow, 'icmpType'>): string {
  const type = flow.icmpType ?? 8;
  return icmpv4TypeNames[type] ?? `${type}(0)`;
}
