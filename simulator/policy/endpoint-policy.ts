/**
 * Types shared by the compiler, the datapath lookup and the oracle: the engine configuration, the
 * identity directory the caller supplies, the compiled per-endpoint policy map and the verdict.
 */
import type { LabelSet } from '../cilium/labels';
import { isReservedIdentity, reservedIdentityLabels } from '../cilium/reserved-identities';
import type { L7Rules, TlsSecretRef } from './model';
import type { AuthType, Direction, FlowProtocol, RuleOrigin } from './normalize';
import type { ServiceInfo } from './peer-matchers';
import type { MapLayout, MatchType, NamedPortValue, PortKey } from './policy-key';

/** An agent's view of identities (possibly stale): what it would find in its identity cache. */
export interface IdentityDirectory {
  labelsOf(id: number): LabelSet | undefined;
  entries(): Iterable<readonly [number, LabelSet]>;
}

/** Agent settings that change policy results. */
export interface PolicyEngineConfig {
  readonly enforcementMode: 'default' | 'always' | 'never';
  readonly auditMode: boolean;
  /** e.g. '1.12.0' or '1.18.5'; selects the map layout and lookup order. */
  readonly ciliumVersion: string;
  /** `always` (the Kubernetes default) lets the local host reach every endpoint; `policy` leaves it to rules. */
  readonly allowLocalhost?: 'always' | 'policy';
  readonly services?: readonly ServiceInfo[];
  readonly clusterName?: string;
  /** Named ports of all pods, by name, for egress rules that name a port. */
  readonly egressNamedPorts?: Readonly<Record<string, readonly NamedPortValue[]>>;
  /** `tofqdns-dns-reject-response-code`: REFUSED (default) or NXDOMAIN. */
  readonly dnsRejectResponseCode?: 'refused' | 'nameError';
}

/** The endpoint whose policy is computed. */
export interface PolicyEndpoint {
  readonly identity: number;
  readonly labels: LabelSet;
  readonly namespace: string;
  /** Container ports by name, used to resolve named ports of ingress rules. */
  readonly namedPorts?: Readonly<Record<string, NamedPortValue>>;
  /** True for the host endpoint, which only nodeSelector (host) policies select. */
  readonly isHost?: boolean;
}

/** One rule's share in a map entry: which rule, which of its peers, which of its ports. */
export interface RuleReference {
  readonly origin: RuleOrigin;
  /** `CiliumNetworkPolicy default/rule1 spec.ingress[0]`. */
  readonly rule: string;
  readonly peer: string;
  /** The peer's selector-cache key: rules that write the same selector share one cached selector. */
  readonly selectorKey?: string;
  readonly port: string;
  readonly deny: boolean;
  readonly l7?: L7Rules;
  readonly authType: AuthType;
  /** The rule's `toPorts[].serverNames`: the TLS SNIs it admits (absent when it admits any). */
  readonly serverNames?: readonly string[];
  /** The rule's `toPorts[].terminatingTLS` / `originatingTLS` secrets: Envoy intercepts TLS with them. */
  readonly terminatingTLS?: TlsSecretRef;
  readonly originatingTLS?: TlsSecretRef;
}

/** The L7 policy the proxy enforces for a redirected entry: the union of every rule on that peer and port. */
export interface L7Policy {
  readonly parser: L7Rules['type'];
  /** True when an L4-only allow on the same peer and port widens the L7 rules to "allow everything". */
  readonly allowAll: boolean;
  readonly rules: readonly { readonly reference: RuleReference; readonly rules: L7Rules }[];
  readonly serverNames: readonly string[];
}

/** One policy-map entry (key and value), with the rules that produced it. */
export interface PolicyMapEntry {
  readonly direction: Direction;
  readonly identity: number;
  readonly key: PortKey;
  readonly deny: boolean;
  /** 0 when traffic is not redirected to a proxy. */
  readonly proxyPort: number;
  readonly l7?: L7Policy | undefined;
  readonly authType: AuthType;
  readonly derivedFrom: readonly RuleReference[];
  /** Allow rules a deny entry displaced (deny precedence is resolved when the map is built). */
  readonly overriddenAllows: readonly RuleReference[];
}

/** The map and flags of one direction. */
export interface DirectionPolicy {
  /** Whether the datapath enforces policy in this direction. */
  readonly enforced: boolean;
  /** Whether traffic no entry allows is dropped (false with enableDefaultDeny: false or no enforcement). */
  readonly defaultDeny: boolean;
  /** Rules that select the endpoint and have a section in this direction. */
  readonly selectedBy: readonly string[];
  readonly entries: ReadonlyMap<number, ReadonlyMap<number, PolicyMapEntry>>;
  /** Port prefix lengths other than 0 and 16 present, longest first (LPM probes only these). */
  readonly rangePrefixes: readonly number[];
}

/** The compiled policy of one endpoint. */
export interface EndpointPolicy {
  readonly endpointIdentity: number;
  readonly layout: MapLayout;
  readonly ciliumVersion: string;
  readonly auditMode: boolean;
  readonly dnsRejectResponseCode: 'refused' | 'nameError';
  readonly ingress: DirectionPolicy;
  readonly egress: DirectionPolicy;
  /** Problems the agent would log while computing this policy (e.g. conflicting L7 parsers). */
  readonly warnings: readonly string[];
  /** Identities the agent knew when the map was built (others can only hit wildcard entries). */
  readonly knownIdentities: ReadonlySet<number>;
}

/** A connection as the datapath asks about it. */
export interface PolicyQuery {
  readonly direction: Direction;
  readonly remoteIdentity: number;
  readonly port: number;
  readonly protocol: FlowProtocol;
  readonly icmpType?: number;
}

/** Where a decision was made. */
export type DecisionLayer = 'enforcement' | 'identity' | 'deny' | 'l3-l4' | 'default-deny' | 'l7';

/** Why a verdict came out as it did. */
export interface PolicyExplanation {
  readonly layer: DecisionLayer;
  readonly summary: string;
  readonly rules: readonly RuleReference[];
  /** The map key that was hit, e.g. `identity 12345, 80/TCP`. */
  readonly matchedKey?: string;
  /** False when the remote identity is unknown to this agent, so only wildcard entries could match. */
  readonly identityKnown: boolean;
}

/** The datapath's answer for a new connection. */
export interface PolicyVerdict {
  readonly decision: 'allowed' | 'denied' | 'audit';
  readonly matchType: MatchType;
  /** 133 "Policy denied" (no entry) or 181 "Policy denied by denylist"; with audit, what would have been. */
  readonly dropReason?: 133 | 181;
  readonly proxyPort?: number;
  readonly l7?: L7Policy;
  readonly authType: AuthType;
  readonly explanation: PolicyExplanation;
  /** The policy-map entry the lookup hit (its identity and port key as `bpf policy get` prints them). */
  readonly mapKey?: { readonly identity: number; readonly port: string };
}

/** Drop reason names as Hubble prints them. */
export const dropReasonText: Readonly<Record<133 | 181, string>> = {
  133: 'Policy denied',
  181: 'Policy denied by denylist',
};

/** Simulated proxy listener ports (the real ones come from proxy-port-range 10000-20000). */
export const proxyPorts: Readonly<Record<string, number>> = {
  'http-ingress': 10001,
  'http-egress': 10002,
  'dns-egress': 10003,
  'kafka-ingress': 10004,
  'kafka-egress': 10005,
  'dns-ingress': 10006,
};

/** Labels of an identity as the agent sees them; reserved identities are known without a directory entry. */
export function resolveIdentityLabels(identities: IdentityDirectory, id: number): LabelSet | undefined {
  const labels = identities.labelsOf(id);
  if (labels !== undefined) return labels;
  if (isReservedIdentity(id)) {
    const reserved = reservedIdentityLabels(id);
    return Object.keys(reserved).length > 0 ? reserved : undefined;
  }
  return undefined;
}
