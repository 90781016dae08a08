/**
 * Hubble flows (api/v1/flow/flow.proto, FACTS §6): what a node's datapath reports about a
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
  source: FlowEndpoint;
  destination: FlowEndpoint;
  /** For L7 events: what the proxy saw (Hubble prints `http-request`). */
  l7?: { type: 'http-request' | 'http-response'; method: string; url: string };
  /** Human explanation of the decision: which rule, or default deny. */
  explanation: string;
  mistaken?: MistakenIdentity;
}
