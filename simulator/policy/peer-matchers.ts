/**
 * Peers of a rule as predicates over identities. Each element of a peer list becomes one matcher, so a
 * verdict can name the exact selector, entity or CIDR that matched. Wildcard matchers compile to
 * identity 0 in the policy map (any peer).
 */
import { specialLabelKeys } from '../cilium/labels';
import { isWholeFamily, parsePrefix, prefixContains, type Prefix } from './cidr';
import type { CidrRule, DnsSelector, EntityName, LabelSelector, ServiceReference } from './model';
import {
  indexLabels,
  selectorMatches,
  selectorMentions,
  selectorToString,
  type IndexedLabels,
} from './selector-match';
import { dnsNameMatches } from './dns-match';
import { endpointSelectorString, fqdnSelectorString, labelSelectorString } from './selector-names';

/** A predicate over remote identities. */
export interface PeerMatcher {
  /** True when the peer is every identity, which the map stores as identity 0. */
  readonly wildcard: boolean;
  /** How the peer was written, for explanations (`fromEndpoints[0] {app=x}`). */
  readonly description: string;
  /** Equal for matchers that select the same identities, so expansion is shared (the selector cache). */
  readonly cacheKey: string;
  matches(identity: number, labels: IndexedLabels): boolean;
  /** The field the matcher came from, where requirements treat it specially (fromEndpoints, fromNodes). */
  readonly source?: 'endpoints' | 'nodes';
  /** How the agent's selector cache names the selector (`cilium-dbg policy selectors`, selector-names.ts). */
  readonly agentSelector?: string;
}

/** A Kubernetes Service as the policy engine needs it for toServices. */
export interface ServiceInfo {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** The pod selector; a service without one is matched through its endpoint CIDRs. */
  readonly selector?: Readonly<Record<string, string>>;
  readonly endpointCidrs?: readonly string[];
}

const namespaceKey = specialLabelKeys.namespace;

function has(labels: IndexedLabels, sourceKey: string): boolean {
  return labels.bySourceKey.has(sourceKey);
}

/** Whether the identity is a pod managed by Cilium (it carries the pod-namespace label). */
export function isPodIdentity(labels: IndexedLabels): boolean {
  return has(labels, `k8s:${namespaceKey}`);
}

/** Whether the identity is outside the cluster: world itself, a CIDR identity or an FQDN identity. */
function isWorldIdentity(labels: IndexedLabels): boolean {
  if (
    has(labels, 'reserved:world') ||
    has(labels, 'reserved:world-ipv4') ||
    has(labels, 'reserved:world-ipv6')
  )
    return true;
  for (const sourceKey of labels.bySourceKey.keys()) {
    if (sourceKey.startsWith('cidr:') || sourceKey.startsWith('fqdn:')) return true;
  }
  return false;
}

const clusterReserved = ['host', 'remote-node', 'kube-apiserver', 'init', 'health', 'unmanaged', 'ingress'];

function entityMatches(entity: EntityName, labels: IndexedLabels, clusterName: string | undefined): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'world':
      return isWorldIdentity(labels);
    case 'cluster': {
      if (clusterReserved.some((name) => has(labels, `reserved:${name}`))) return true;
      if (!isPodIdentity(labels)) return false;
      const cluster = labels.bySourceKey.get(`k8s:${specialLabelKeys.cluster}`);
      return clusterName === undefined || cluster === undefined || cluster === clusterName;
    }
    default:
      return has(labels, `reserved:${entity}`);
  }
}

/** Matches the entity list element `entity`. */
export function entityMatcher(
  entity: EntityName,
  field: string,
  clusterName: string | undefined,
): PeerMatcher {
  return {
    wildcard: entity === 'all',
    description: `${field}: ${entity}`,
    cacheKey: `entity:${entity}:${clusterName ?? ''}`,
    // An entity is a selector on its reserved label; `all` selects every identity (an empty selector).
    agentSelector: labelSelectorString(entity === 'all' ? [] : [[`reserved:${entity}`, '']]),
    matches: (_identity, labels) => entityMatches(entity, labels, clusterName),
  };
}

/** The namespace scope a selector gets from the policy that holds it. */
export type SelectorScope =
  | { readonly type: 'namespace'; readonly namespace: string }
  | { readonly type: 'clusterwide'; readonly matchesInit: boolean }
  | { readonly type: 'none' };

function namesNamespace(selector: LabelSelector): boolean {
  return selectorMentions(
    selector,
    (key, source) =>
      source === 'reserved' || key === namespaceKey || key.startsWith(specialLabelKeys.namespaceLabelPrefix),
  );
}

/**
 * Matches an endpoint selector used as a peer. In a namespaced policy a selector that names no
 * namespace is limited to the policy's namespace; in a clusterwide policy it is limited to pods
 * (any namespace), so `{}` means every pod but no reserved identity. Selectors on `reserved:` labels
 * are left alone, and so are clusterwide selectors of a rule whose subject is `reserved:init`
 * (initializing endpoints carry no namespace label).
 */
export function endpointMatcher(selector: LabelSelector, field: string, scope: SelectorScope): PeerMatcher {
  const empty = selector.matchLabels.length === 0 && selector.matchExpressions.length === 0;
  const text = selectorToString(selector);
  if (scope.type === 'namespace' && !namesNamespace(selector)) {
    const namespace = scope.namespace;
    return {
      wildcard: false,
      description: `${field} ${text} in namespace ${namespace}`,
      cacheKey: `ep:${namespace}:${text}`,
      agentSelector: endpointSelectorString(selector, namespace),
      matches: (_identity, labels) =>
        labels.bySourceKey.get(`k8s:${namespaceKey}`) === namespace && selectorMatches(selector, labels),
    };
  }
  const mentionsReservedOrNamespace = selectorMentions(
    selector,
    (key, source) => source === 'reserved' || key === namespaceKey,
  );
  if (scope.type === 'clusterwide' && !scope.matchesInit && !mentionsReservedOrNamespace) {
    return {
      wildcard: false,
      description: empty ? `${field} {} (every pod, no reserved identity)` : `${field} ${text} (pods only)`,
      cacheKey: `ep:pods:${text}`,
      // A clusterwide policy's selector gets a requirement that the peer has a namespace (is a pod).
      agentSelector: labelSelectorString(selector.matchLabels, [
        ...selector.matchExpressions,
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists', values: [] },
      ]),
      matches: (_identity, labels) => isPodIdentity(labels) && selectorMatches(selector, labels),
    };
  }
  return {
    wildcard: false,
    description: `${field} ${text}`,
    cacheKey: `ep:*:${text}`,
    agentSelector: endpointSelectorString(selector),
    matches: (_identity, labels) => selectorMatches(selector, labels),
  };
}

/** Matches remote nodes (remote-node and kube-apiserver identities, never the local host) by their labels. */
export function nodeMatcher(selector: LabelSelector, field: string): PeerMatcher {
  const text = selectorToString(selector);
  return {
    wildcard: false,
    description: `${field} ${text}`,
    cacheKey: `node:${text}`,
    matches: (_identity, labels) => has(labels, 'reserved:remote-node') && selectorMatches(selector, labels),
  };
}

const prefixCache = new WeakMap<IndexedLabels, Prefix | null>();

/** The most specific `cidr:` prefix of a CIDR identity (older agents also add every shorter prefix). */
function identityPrefix(labels: IndexedLabels): Prefix | undefined {
  const cached = prefixCache.get(labels);
  if (cached !== undefined) return cached ?? undefined;
  let best: Prefix | undefined;
  for (const sourceKey of labels.bySourceKey.keys()) {
    if (!sourceKey.startsWith('cidr:')) continue;
    // IPv6 prefixes were written with '-' instead of ':' in label keys by older agents.
    const prefix = parsePrefix(sourceKey.slice(5).replaceAll('-', ':'));
    if (prefix && (!best || prefix.length > best.length)) best = prefix;
  }
  prefixCache.set(labels, best ?? null);
  return best;
}

/** Matches a CIDR (with except) — never a cluster pod or node, only world and CIDR identities. */
export function cidrMatcher(rule: CidrRule, field: string): PeerMatcher {
  const outer = parsePrefix(rule.cidr);
  const excepts = rule.except.map(parsePrefix).filter((prefix): prefix is Prefix => prefix !== undefined);
  const text = rule.except.length > 0 ? `${rule.cidr} except ${rule.except.join(', ')}` : rule.cidr;
  return {
    wildcard: false,
    description: `${field} ${text}`,
    cacheKey: `cidr:${text}`,
    agentSelector: labelSelectorString(
      [[`cidr:${rule.cidr}`, '']],
      rule.except.map((except) => ({ key: `cidr:${except}`, operator: 'DoesNotExist' as const, values: [] })),
    ),
    matches: (_identity, labels) => {
      if (!outer || isPodIdentity(labels)) return false;
      const prefix = identityPrefix(labels);
      if (prefix)
        return prefixContains(outer, prefix) && !excepts.some((except) => prefixContains(except, prefix));
      // The world identity stands for every address no more specific prefix claims.
      if (!isWholeFamily(outer)) return false;
      const worldLabel = outer.family === 4 ? 'reserved:world-ipv4' : 'reserved:world-ipv6';
      return has(labels, 'reserved:world') || has(labels, worldLabel);
    },
  };
}

/**
 * Matches FQDN identities by matchName or matchPattern. An agent labels each learnt address with
 * the selectors that match its names, `fqdn:<matchName or matchPattern>` as written
 * (FQDNSelector.IdentityLabel, pkg/policy/api/fqdn.go at v1.18.5), and a selector selects the
 * identities with its own label; an identity labelled with a name (`fqdn:<name>`, as tables of
 * identities written by hand have it) matches when the selector matches that name.
 */
export function fqdnMatcher(selector: DnsSelector, field: string): PeerMatcher {
  const text =
    selector.matchName !== undefined
      ? `matchName ${selector.matchName}`
      : `matchPattern ${selector.matchPattern ?? ''}`;
  const ownLabel = `fqdn:${selector.matchName ?? selector.matchPattern ?? ''}`;
  return {
    wildcard: false,
    description: `${field} ${text}`,
    cacheKey: `fqdn:${text}`,
    agentSelector: fqdnSelectorString(selector),
    matches: (_identity, labels) => {
      for (const sourceKey of labels.bySourceKey.keys()) {
        if (!sourceKey.startsWith('fqdn:')) continue;
        if (sourceKey === ownLabel || dnsNameMatches(selector, sourceKey.slice(5))) return true;
      }
      return false;
    },
  };
}

/** Matches the backends of the referenced Services (their selector's pods, or their endpoint CIDRs). */
export function serviceMatcher(
  reference: ServiceReference,
  field: string,
  policyNamespace: string | undefined,
  services: readonly ServiceInfo[],
): PeerMatcher {
  const namespace = reference.namespace ?? policyNamespace;
  const chosen = services.filter((service) => {
    if (namespace !== undefined && service.namespace !== namespace) return false;
    if (reference.serviceName !== undefined) return service.name === reference.serviceName;
    if (reference.selector)
      return selectorMatches(reference.selector, indexLabels(prefixed(service.labels ?? {})));
    return false;
  });
  const podSelectors = chosen.flatMap((service) =>
    service.selector ? [{ namespace: service.namespace, selector: service.selector }] : [],
  );
  const cidrs = chosen.flatMap((service) => (service.selector ? [] : (service.endpointCidrs ?? [])));
  const cidrMatchers = cidrs.map((cidr) => cidrMatcher({ cidr, except: [] }, field));
  const names = chosen.map((service) => `${service.namespace}/${service.name}`).join(', ');
  return {
    wildcard: false,
    description: `${field} ${names === '' ? '(no matching service)' : names}`,
    cacheKey: `svc:${names}`,
    matches: (identity, labels) =>
      podSelectors.some(
        ({ namespace: serviceNamespace, selector }) =>
          labels.bySourceKey.get(`k8s:${namespaceKey}`) === serviceNamespace &&
          Object.entries(selector).every(([key, value]) => labels.bySourceKey.get(`k8s:${key}`) === value),
      ) || cidrMatchers.some((matcher) => matcher.matches(identity, labels)),
  };
}

function prefixed(labels: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) result[`k8s:${key}`] = value;
  return result;
}

/** A matcher that selects nothing (an empty peer list, or a rule with neither peers nor ports). */
export function nothingMatcher(description: string): PeerMatcher {
  return { wildcard: false, description, cacheKey: 'none', matches: () => false };
}

/** The wildcard peer (no L3 restriction), stored as identity 0. */
export function anyPeerMatcher(description: string): PeerMatcher {
  return { wildcard: true, description, cacheKey: 'any', matches: () => true };
}
