/**
 * The typed policy model: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes
 * NetworkPolicy after validation. Field names follow the CRDs so explanations can quote them.
 */

/** Operators of a matchExpressions requirement. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One matchExpressions requirement. */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A Kubernetes label selector as written (keys may carry a Cilium source such as `k8s:`). */
export interface LabelSelector {
  readonly matchLabels: readonly (readonly [string, string])[];
  readonly matchExpressions: readonly SelectorRequirement[];
}

/** L4 protocols a toPorts entry may name; ANY means TCP, UDP and SCTP, never ICMP (VRRP and IGMP only after 1.18). */
export type PortProtocolName = 'TCP' | 'UDP' | 'SCTP' | 'VRRP' | 'IGMP' | 'ANY';

/** One port of a toPorts entry: a number, a name resolved on the pod, or 0 for every port. */
export interface PortProtocol {
  readonly port: number | string;
  readonly endPort?: number;
  readonly protocol: PortProtocolName;
}

/** HTTP header match with an action taken on mismatch instead of a 403. */
export interface HeaderMatch {
  readonly name: string;
  readonly value?: string;
  readonly mismatch?: 'LOG' | 'ADD' | 'DELETE' | 'REPLACE';
}

/** One HTTP rule; every field present must match (method, path and host are full-string regexes). */
export interface HttpRule {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers: readonly string[];
  readonly headerMatches: readonly HeaderMatch[];
}

/** One Kafka rule; `role` is shorthand for a set of apiKeys. */
export interface KafkaRule {
  readonly role?: 'produce' | 'consume';
  readonly apiKey?: string;
  readonly apiVersion?: string;
  readonly clientID?: string;
  readonly topic?: string;
}

/** A DNS name or pattern, used both by toFQDNs and by L7 DNS rules. */
export interface DnsSelector {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/** The L7 rules of one toPorts entry; only one protocol may be set. */
export type L7Rules =
  | { readonly type: 'http'; readonly http: readonly HttpRule[] }
  | { readonly type: 'kafka'; readonly kafka: readonly KafkaRule[] }
  | { readonly type: 'dns'; readonly dns: readonly DnsSelector[] };

/** The Kubernetes Secret a `terminatingTLS` / `originatingTLS` stanza names (`secret: {namespace, name}`). */
export interface TlsSecretRef {
  readonly namespace?: string;
  readonly name: string;
}

/** A toPorts entry. */
export interface PortRule {
  readonly ports: readonly PortProtocol[];
  readonly rules?: L7Rules;
  readonly serverNames: readonly string[];
  /** The certificate Envoy presents to the client when it intercepts TLS. */
  readonly terminatingTLS?: TlsSecretRef;
  /** The CA bundle (and client certificate) Envoy uses for its own TLS connection to the server. */
  readonly originatingTLS?: TlsSecretRef;
}

/** An ICMP type to allow, already resolved from its name. */
export interface IcmpField {
  readonly family: 'IPv4' | 'IPv6';
  readonly type: number;
}

/** Entities Cilium knows (api/v1 entity names). */
export const entityNames = [
  'all',
  'world',
  'cluster',
  'host',
  'init',
  'ingress',
  'unmanaged',
  'remote-node',
  'health',
  'none',
  'kube-apiserver',
] as const;

/** One entity name. */
export type EntityName = (typeof entityNames)[number];

/** A CIDR with prefixes carved out of it. */
export interface CidrRule {
  readonly cidr: string;
  readonly except: readonly string[];
}

/** A reference to a Kubernetes Service in toServices. */
export interface ServiceReference {
  readonly serviceName?: string;
  readonly namespace?: string;
  readonly selector?: LabelSelector;
}

/** The peer part of one ingress or egress rule; at most one kind of L3 peer is set. */
export interface PeerSpec {
  readonly endpoints?: readonly LabelSelector[];
  readonly entities?: readonly EntityName[];
  readonly cidrs?: readonly CidrRule[];
  readonly nodes?: readonly LabelSelector[];
  readonly services?: readonly ServiceReference[];
  readonly fqdns?: readonly DnsSelector[];
  /** fromRequires/toRequires (removed in 1.19): requirements added to every rule's endpoint peers. */
  readonly requires?: readonly LabelSelector[];
}

/** The directions and kinds of rule sections a Cilium rule has. */
export type RuleSectionName = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/** One element of an ingress/egress(Deny) list. */
export interface RuleSection {
  readonly peers: PeerSpec;
  readonly toPorts?: readonly PortRule[];
  readonly icmps?: readonly IcmpField[];
  readonly authentication?: 'disabled' | 'required' | 'test-always-fail';
}

/** One Cilium rule: a subject selector and up to four sections. */
export interface CiliumRule {
  /** Where the rule was written: `spec` or `specs[i]`. */
  readonly path: string;
  readonly endpointSelector?: LabelSelector;
  readonly nodeSelector?: LabelSelector;
  readonly ingress?: readonly RuleSection[];
  readonly ingressDeny?: readonly RuleSection[];
  readonly egress?: readonly RuleSection[];
  readonly egressDeny?: readonly RuleSection[];
  readonly enableDefaultDeny: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly description?: string;
}

/** A validated CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (`spec` then `specs`). */
export interface CiliumPolicy {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly name: string;
  readonly namespace?: string;
  readonly rules: readonly CiliumRule[];
}

/** A Kubernetes NetworkPolicy peer. */
export interface KubernetesPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: CidrRule;
}

/** A Kubernetes NetworkPolicy port; protocol defaults to TCP. */
export interface KubernetesPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** One ingress or egress rule of a Kubernetes NetworkPolicy; an omitted peer list means everyone. */
export interface KubernetesRule {
  readonly peers?: readonly KubernetesPeer[];
  readonly ports?: readonly KubernetesPort[];
}

/** A validated networking.k8s.io/v1 NetworkPolicy. */
export interface KubernetesNetworkPolicy {
  readonly kind: 'NetworkPolicy';
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly policyTypes: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly KubernetesRule[];
  readonly egress: readonly KubernetesRule[];
}

/** Any policy the repository can hold. */
export type NetworkPolicyObject = CiliumPolicy | KubernetesNetworkPolicy;

/** The kinds of policy objects. */
export type PolicyKind = NetworkPolicyObject['kind'];

/** The empty selector (`{}`), which selects everything in its scope. */
export const emptySelector: LabelSelector = { matchLabels: [], matchExpressions: [] };
