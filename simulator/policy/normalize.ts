/**
 * Flattens the three policy kinds into one list of NormalizedRules: who the rule applies to
 * (subject), which direction, allow or deny, which peers, which ports and which L7 rules. Both
 * evaluators (the map compiler and the oracle) start from this list, as the agent's repository
 * starts from its parsed rules.
 */
import { specialLabelKeys } from '../cilium/labels';
import type {
  CiliumPolicy,
  CiliumRule,
  KubernetesNetworkPolicy,
  KubernetesPeer,
  L7Rules,
  LabelSelector,
  NetworkPolicyObject,
  PolicyKind,
  RuleSection,
  RuleSectionName,
  TlsSecretRef,
} from './model';
import {
  anyPeerMatcher,
  cidrMatcher,
  endpointMatcher,
  entityMatcher,
  fqdnMatcher,
  isPodIdentity,
  nodeMatcher,
  nothingMatcher,
  serviceMatcher,
  type PeerMatcher,
  type SelectorScope,
  type ServiceInfo,
} from './peer-matchers';
import { selectorMatches, selectorMentions, type IndexedLabels } from './selector-match';

/** Traffic direction as seen from the endpoint the policy protects. */
export type Direction = 'ingress' | 'egress';

/** Protocols of a flow. */
export type FlowProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** IP protocol numbers as the policy map stores them. */
export const protocolNumbers: Readonly<Record<FlowProtocol, number>> = {
  TCP: 6,
  UDP: 17,
  SCTP: 132,
  ICMP: 1,
  ICMPv6: 58,
};

/** Where a rule came from, precise enough to quote in an explanation. */
export interface RuleOrigin {
  readonly kind: PolicyKind | 'agent';
  readonly namespace?: string;
  readonly name: string;
  readonly section: RuleSectionName | 'agent';
  /** Which rule of the policy: `spec` or `specs[i]`. */
  readonly specPath: string;
  /** Index of the element in the ingress/egress(Deny) list. */
  readonly ruleIndex: number;
}

/** A port selector before named ports are resolved; ICMP types travel in `port`. */
export interface PortSpec {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'VRRP' | 'IGMP' | 'ANY' | 'ICMP' | 'ICMPv6';
  readonly port: number | string;
  readonly endPort?: number;
  /** How it was written, for explanations. */
  readonly text: string;
}

/** Mutual-authentication type carried by map entries (0 none, 1 spire, 2 test-always-fail). */
export type AuthType = 0 | 1 | 2;

/** The endpoint a rule may select. */
export interface EndpointSubject {
  readonly labels: IndexedLabels;
  readonly isHost: boolean;
}

/** One allow or deny statement: subject, direction, peers, ports, L7. */
export interface NormalizedRule {
  readonly origin: RuleOrigin;
  readonly direction: Direction;
  readonly deny: boolean;
  readonly peers: readonly PeerMatcher[];
  /** Undefined means every port and protocol (an L3-only rule). */
  readonly ports?: readonly PortSpec[];
  readonly l7?: L7Rules;
  readonly serverNames: readonly string[];
  /** The toPorts entry's `terminatingTLS` / `originatingTLS` secrets (TLS interception by Envoy). */
  readonly terminatingTLS?: TlsSecretRef;
  readonly originatingTLS?: TlsSecretRef;
  readonly authType: AuthType;
  /**
   * The section's fromRequires/toRequires, as matchers scoped like its fromEndpoints. They restrict
   * the endpoint peers of every rule that selects the same endpoint (policy/requirements.ts).
   */
  readonly requires?: readonly PeerMatcher[];
}

/** A policy rule's effect on enforcement: whom it selects and which directions it puts in default deny. */
export interface SubjectRule {
  readonly origin: RuleOrigin;
  readonly selects: (endpoint: EndpointSubject) => boolean;
  /** Directions with a non-empty section (allow or deny). */
  readonly directions: readonly Direction[];
  /** Directions where this rule turns on default deny (all of `directions` unless enableDefaultDeny is false). */
  readonly defaultDeny: readonly Direction[];
  readonly statements: readonly NormalizedRule[];
}

/** Context a normalization needs beyond the policy itself. */
export interface NormalizeOptions {
  readonly services: readonly ServiceInfo[];
  readonly clusterName?: string;
}

const namespaceLabel = `k8s:${specialLabelKeys.namespace}`;

function inNamespace(labels: IndexedLabels, namespace: string): boolean {
  return labels.bySourceKey.get(namespaceLabel) === namespace;
}

function peerMatchers(
  section: RuleSection,
  direction: Direction,
  scope: SelectorScope,
  policyNamespace: string | undefined,
  options: NormalizeOptions,
): PeerMatcher[] {
  const prefix = direction === 'ingress' ? 'from' : 'to';
  const { peers } = section;
  const written = [
    peers.endpoints,
    peers.entities,
    peers.cidrs,
    peers.nodes,
    peers.services,
    peers.fqdns,
  ].some((list) => list !== undefined);
  if (!written) {
    // No L3 peer: with ports (or ICMP types) the rule applies to every peer; with nothing at all it allows nothing.
    if (section.toPorts !== undefined || section.icmps !== undefined)
      return [anyPeerMatcher(`any peer (no ${prefix}* field)`)];
    return [nothingMatcher(`no peer and no port: allows nothing`)];
  }
  const matchers: PeerMatcher[] = [];
  peers.endpoints?.forEach((selector, index) =>
    matchers.push({
      ...endpointMatcher(selector, `${prefix}Endpoints[${index}]`, scope),
      source: 'endpoints',
    }),
  );
  peers.entities?.forEach((entity, index) =>
    matchers.push(entityMatcher(entity, `${prefix}Entities[${index}]`, options.clusterName)),
  );
  peers.cidrs?.forEach((cidr, index) => matchers.push(cidrMatcher(cidr, `${prefix}CIDRSet[${index}]`)));
  peers.nodes?.forEach((selector, index) =>
    matchers.push({ ...nodeMatcher(selector, `${prefix}Nodes[${index}]`), source: 'nodes' }),
  );
  peers.services?.forEach((service, index) =>
    matchers.push(serviceMatcher(service, `toServices[${index}]`, policyNamespace, options.services)),
  );
  peers.fqdns?.forEach((fqdn, index) => matchers.push(fqdnMatcher(fqdn, `toFQDNs[${index}]`)));
  return matchers;
}

function authTypeOf(section: RuleSection, features: VersionFeatures): AuthType {
  if (!features.authentication) return 0;
  if (section.authentication === 'required') return 1;
  if (section.authentication === 'test-always-fail') return 2;
  return 0;
}

function portText(protocol: string, port: number | string, endPort?: number): string {
  if (port === 0 && endPort === undefined) return protocol === 'ANY' ? 'all ports' : `all ${protocol} ports`;
  return `${port}${endPort !== undefined ? `-${endPort}` : ''}/${protocol}`;
}

function sectionStatements(
  section: RuleSection,
  sectionName: RuleSectionName,
  origin: RuleOrigin,
  scope: SelectorScope,
  policyNamespace: string | undefined,
  options: NormalizeOptions,
  features: VersionFeatures,
): NormalizedRule[] {
  const direction: Direction = sectionName.startsWith('ingress') ? 'ingress' : 'egress';
  const deny = sectionName.endsWith('Deny');
  const peers = peerMatchers(section, direction, scope, policyNamespace, options);
  const authType = authTypeOf(section, features);
  const prefix = direction === 'ingress' ? 'from' : 'to';
  const requires = section.peers.requires?.map((selector, index) =>
    endpointMatcher(selector, `${prefix}Requires[${index}]`, scope),
  );
  const base = { origin, direction, deny, peers, authType, ...(requires?.length ? { requires } : {}) };
  const statements: NormalizedRule[] = [];
  for (const portRule of section.toPorts ?? []) {
    const ports: PortSpec[] = portRule.ports.map((port) => ({
      protocol: port.protocol,
      port: port.port,
      ...(port.endPort !== undefined ? { endPort: port.endPort } : {}),
      text: portText(port.protocol, port.port, port.endPort),
    }));
    // A toPorts entry without ports applies to every port.
    const effective = ports.length > 0 ? ports : [{ protocol: 'ANY' as const, port: 0, text: 'all ports' }];
    statements.push({
      ...base,
      ports: effective,
      serverNames: portRule.serverNames,
      ...(portRule.rules ? { l7: portRule.rules } : {}),
      ...(portRule.terminatingTLS ? { terminatingTLS: portRule.terminatingTLS } : {}),
      ...(portRule.originatingTLS ? { originatingTLS: portRule.originatingTLS } : {}),
    });
  }
  if (section.icmps !== undefined) {
    const ports: PortSpec[] = section.icmps.map((field) => ({
      protocol: field.family === 'IPv4' ? 'ICMP' : 'ICMPv6',
      port: field.type,
      text: `${field.family === 'IPv4' ? 'ICMP' : 'ICMPv6'} type ${field.type}`,
    }));
    statements.push({ ...base, ports, serverNames: [] });
  }
  if (section.toPorts === undefined && section.icmps === undefined)
    statements.push({ ...base, serverNames: [] });
  return statements;
}

function ciliumSubject(
  policy: CiliumPolicy,
  rule: CiliumRule,
  features: VersionFeatures,
): (endpoint: EndpointSubject) => boolean {
  if (rule.nodeSelector) {
    const selector = rule.nodeSelector;
    return (endpoint) => endpoint.isHost && selectorMatches(selector, endpoint.labels);
  }
  const selector = rule.endpointSelector ?? { matchLabels: [], matchExpressions: [] };
  const namespace = policy.namespace;
  // Before 1.15 a namespaced policy whose subject names `reserved:init` was not limited to its namespace.
  const initAnywhere = features.namespacedInitPolicies && matchesInit(rule);
  if (policy.kind === 'CiliumNetworkPolicy' && namespace !== undefined && !initAnywhere) {
    return (endpoint) =>
      !endpoint.isHost &&
      inNamespace(endpoint.labels, namespace) &&
      selectorMatches(selector, endpoint.labels);
  }
  return (endpoint) => !endpoint.isHost && selectorMatches(selector, endpoint.labels);
}

function matchesInit(rule: CiliumRule): boolean {
  const selector = rule.endpointSelector;
  return (
    selector !== undefined &&
    selectorMentions(selector, (key, source) => key === 'init' && source === 'reserved')
  );
}

function ciliumSubjectRules(
  policy: CiliumPolicy,
  options: NormalizeOptions,
  features: VersionFeatures,
): SubjectRule[] {
  return policy.rules.map((rule) => {
    const scope: SelectorScope =
      policy.kind === 'CiliumNetworkPolicy' && policy.namespace !== undefined
        ? { type: 'namespace', namespace: policy.namespace }
        : { type: 'clusterwide', matchesInit: matchesInit(rule) };
    const statements: NormalizedRule[] = [];
    const directions = new Set<Direction>();
    for (const sectionName of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
      const sections = rule[sectionName] ?? [];
      // Only a non-empty list counts: `ingress: []` does not put the endpoint in default deny.
      if (sections.length > 0) directions.add(sectionName.startsWith('ingress') ? 'ingress' : 'egress');
      sections.forEach((section, ruleIndex) => {
        const origin: RuleOrigin = {
          kind: policy.kind,
          name: policy.name,
          section: sectionName,
          specPath: rule.path,
          ruleIndex,
          ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
        };
        statements.push(
          ...sectionStatements(section, sectionName, origin, scope, policy.namespace, options, features),
        );
      });
    }
    const optOut = (direction: Direction): boolean =>
      features.enableDefaultDeny && rule.enableDefaultDeny[direction] === false;
    // Since 1.17 an explicit `enableDefaultDeny: true` enforces that direction even without rules in it.
    for (const direction of ['ingress', 'egress'] as const) {
      if (features.explicitDefaultDeny && rule.enableDefaultDeny[direction] === true)
        directions.add(direction);
    }
    return {
      origin: {
        kind: policy.kind,
        name: policy.name,
        section: 'agent',
        specPath: rule.path,
        ruleIndex: 0,
        ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
      },
      selects: ciliumSubject(policy, rule, features),
      directions: [...directions],
      defaultDeny: [...directions].filter((direction) => !optOut(direction)),
      statements,
    };
  });
}

function namespaceLabelSelector(selector: LabelSelector): LabelSelector {
  const prefix = `k8s:${specialLabelKeys.namespaceLabelPrefix}`;
  return {
    matchLabels: selector.matchLabels.map(([key, value]) => [`${prefix}${key}`, value] as const),
    matchExpressions: selector.matchExpressions.map((requirement) => ({
      ...requirement,
      key: `${prefix}${requirement.key}`,
    })),
  };
}

function kubernetesPeerMatcher(peer: KubernetesPeer, field: string, namespace: string): PeerMatcher {
  if (peer.ipBlock) return cidrMatcher(peer.ipBlock, `${field}.ipBlock`);
  const podSelector = peer.podSelector ?? { matchLabels: [], matchExpressions: [] };
  if (!peer.namespaceSelector)
    return endpointMatcher(podSelector, `${field}.podSelector`, { type: 'namespace', namespace });
  const namespaces = namespaceLabelSelector(peer.namespaceSelector);
  const combined: LabelSelector = {
    matchLabels: [...namespaces.matchLabels, ...podSelector.matchLabels],
    matchExpressions: [...namespaces.matchExpressions, ...podSelector.matchExpressions],
  };
  const inner = endpointMatcher(combined, `${field}.namespaceSelector`, { type: 'none' });
  // A namespace selector only ever selects pods, never reserved identities.
  return {
    ...inner,
    cacheKey: `knp:${inner.cacheKey}`,
    matches: (identity, labels) => isPodIdentity(labels) && inner.matches(identity, labels),
  };
}

function kubernetesSubjectRule(policy: KubernetesNetworkPolicy): SubjectRule {
  const directions: Direction[] = policy.policyTypes.map((type) =>
    type === 'Ingress' ? 'ingress' : 'egress',
  );
  const statements: NormalizedRule[] = [];
  for (const direction of directions) {
    const rules = direction === 'ingress' ? policy.ingress : policy.egress;
    const field = direction === 'ingress' ? 'from' : 'to';
    rules.forEach((rule, ruleIndex) => {
      const origin: RuleOrigin = {
        kind: 'NetworkPolicy',
        namespace: policy.namespace,
        name: policy.name,
        section: direction,
        specPath: 'spec',
        ruleIndex,
      };
      const peers = rule.peers
        ? rule.peers.map((peer, index) => kubernetesPeerMatcher(peer, `${field}[${index}]`, policy.namespace))
        : [anyPeerMatcher(`any peer (no ${field})`)];
      const ports = rule.ports?.map((port): PortSpec => {
        const value = port.port ?? 0;
        return {
          protocol: port.protocol,
          port: value,
          ...(port.endPort !== undefined ? { endPort: port.endPort } : {}),
          text: portText(port.protocol, value, port.endPort),
        };
      });
      statements.push({
        origin,
        direction,
        deny: false,
        peers,
        serverNames: [],
        authType: 0,
        ...(ports ? { ports } : {}),
      });
    });
  }
  const selector = policy.podSelector;
  return {
    origin: {
      kind: 'NetworkPolicy',
      namespace: policy.namespace,
      name: policy.name,
      section: 'agent',
      specPath: 'spec',
      ruleIndex: 0,
    },
    selects: (endpoint) =>
      !endpoint.isHost &&
      inNamespace(endpoint.labels, policy.namespace) &&
      selectorMatches(selector, endpoint.labels),
    directions,
    defaultDeny: directions,
    statements,
  };
}

/** Policy-language features that depend on the agent version. */
export interface VersionFeatures {
  /** `enableDefaultDeny: false` is honoured (1.16+; older agents do not know the field). */
  readonly enableDefaultDeny: boolean;
  /** `enableDefaultDeny: true` enforces a direction that has no rules (1.17+). */
  readonly explicitDefaultDeny: boolean;
  /** `authentication` sets the entries' auth type (1.14+; older agents never require auth). */
  readonly authentication: boolean;
  /** A CiliumNetworkPolicy may select `reserved:init` endpoints (before 1.15; later only clusterwide ones). */
  readonly namespacedInitPolicies: boolean;
}

/** Normalizes one policy object into its subject rules and statements. */
export function normalizePolicy(
  policy: NetworkPolicyObject,
  options: NormalizeOptions,
  features: VersionFeatures,
): SubjectRule[] {
  if (policy.kind === 'NetworkPolicy') return [kubernetesSubjectRule(policy)];
  return ciliumSubjectRules(policy, options, features);
}

const originText = new WeakMap<RuleOrigin, string>();

/** Formats an origin the way explanations and `cilium policy get` name a rule (memoized per origin). */
export function originToString(origin: RuleOrigin): string {
  let text = originText.get(origin);
  if (text === undefined) {
    text = formatOrigin(origin);
    originText.set(origin, text);
  }
  return text;
}

function formatOrigin(origin: RuleOrigin): string {
  if (origin.kind === 'agent') return `agent: ${origin.name}`;
  const where = origin.namespace !== undefined ? `${origin.namespace}/${origin.name}` : origin.name;
  const spec = origin.specPath;
  return origin.section === 'agent'
    ? `${origin.kind} ${where}`
    : `${origin.kind} ${where} ${spec}.${origin.section}[${origin.ruleIndex}]`;
}
