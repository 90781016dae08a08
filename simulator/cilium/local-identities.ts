/**
 * Node-local identities and the policy that sees them. An agent allocates a CIDR identity for every
 * prefix its policies name (toCIDR, toCIDRSet and its `except` entries, fromCIDR, ipBlock) and an
 * FQDN identity for every address its DNS proxy learnt for a name some toFQDNs selector matches.
 * They are numbered from LocalIdentityFlag (1<<24) on that node only, and the ipcache maps their
 * prefixes to them; an address no prefix claims stays `reserved:world`. Pod and node addresses are
 * exact ipcache entries, so a CIDR rule never selects a Cilium-managed pod.
 *
 * A CIDR identity carries `cidr:<prefix>` and `reserved:world`. An FQDN address carries one
 * `fqdn:<selector>` label per toFQDNs selector that matches a name it was learnt for, written as the
 * selector's matchName or matchPattern (not the name looked up: FQDNSelector.IdentityLabel in
 * pkg/policy/api/fqdn.go), `reserved:world`, and no `cidr:` label of its own: it inherits the label
 * of the most specific policy prefix that contains it, if any (IPCache.resolveIdentity in
 * pkg/ipcache/metadata.go, cilium/cilium v1.18.5). Identities are per label set, so addresses with
 * the same selectors share one number, as `cilium-dbg ip list` shows.
 */
import type { Cluster } from '../world';
import type { AgentState, ClusterView, LocalEndpoint } from './state';
import {
  PolicyRepository,
  computeEndpointPolicy,
  type DnsSelector,
  type EndpointPolicy,
  type IdentityDirectory,
  type PolicyEndpoint,
} from '../policy/index';
import { parseStoredPolicy } from './policy-documents';
import { parsePrefix, prefixContains, type Prefix } from '../policy/cidr';
import { labelSetFromStrings, labelSetKey, type LabelSet } from './labels';
import { agentView, lookupIpcache } from './agent-ipcache';
import { pairedViews } from './view-pairs';
import {
  endpointAuditMode,
  endpointPolicyFor,
  engineConfig,
  hostEndpointAuditMode,
  hostEndpointLabels,
  hostEndpointPolicyFor,
} from './endpoint-policy-cache';
import { nodeDatapath, peekNodeDatapath, prefixesOf, type LocalIdentity } from './datapath-state';
import { collectFqdnCache, selectedNamesByAddress } from './fqdn';
import { dnsNameMatches } from '../policy/index';
import { ReservedIdentity } from './reserved-identities';

/** CIDR prefixes and toFQDNs selectors the policies of a view name. */
export interface PolicyPeers {
  prefixes: string[];
  fqdnSelectors: DnsSelector[];
}

const peerCache = new WeakMap<ClusterView, { revision: number; peers: PolicyPeers }>();

function collectPeers(value: unknown, prefixes: Set<string>, selectors: Map<string, DnsSelector>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectPeers(item, prefixes, selectors);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if ((key === 'toCIDR' || key === 'fromCIDR') && Array.isArray(inner)) {
      for (const cidr of inner) if (typeof cidr === 'string') prefixes.add(cidr);
    } else if ((key === 'toCIDRSet' || key === 'fromCIDRSet' || key === 'ipBlock') && inner !== null) {
      for (const rule of Array.isArray(inner) ? inner : [inner]) {
        if (rule === null || typeof rule !== 'object') continue;
        const record = rule as { cidr?: unknown; except?: unknown };
        if (typeof record.cidr === 'string') prefixes.add(record.cidr);
        if (Array.isArray(record.except))
          for (const except of record.except) if (typeof except === 'string') prefixes.add(except);
      }
    } else if (key === 'toFQDNs' && Array.isArray(inner)) {
      for (const selector of inner) {
        if (selector === null || typeof selector !== 'object') continue;
        const record = selector as { matchName?: unknown; matchPattern?: unknown };
        if (typeof record.matchName === 'string')
          selectors.set(`n:${record.matchName}`, { matchName: record.matchName });
        else if (typeof record.matchPattern === 'string')
          selectors.set(`p:${record.matchPattern}`, { matchPattern: record.matchPattern });
      }
    } else collectPeers(inner, prefixes, selectors);
  }
}

/** The prefixes and FQDN selectors of every policy in a view (cached per policy revision). */
function policyPeers(view: ClusterView): PolicyPeers {
  const cached = peerCache.get(view);
  if (cached !== undefined && cached.revision === view.policyRevision) return cached.peers;
  const prefixes = new Set<string>();
  const selectors = new Map<string, DnsSelector>();
  for (const key of Object.keys(view.policies).sort()) collectPeers(view.policies[key], prefixes, selectors);
  const normalized = new Set<string>();
  for (const text of prefixes) {
    const prefix = parsePrefix(text);
    // Only IPv4 is modelled; the whole family is `reserved:world` itself, not a CIDR identity.
    if (prefix === undefined || prefix.family !== 4 || prefix.length === 0) continue;
    normalized.add(prefixText(prefix));
  }
  const peers = {
    prefixes: [...normalized].sort(),
    fqdnSelectors: [...selectors.keys()].sort().map((key) => selectors.get(key) as DnsSelector),
  };
  peerCache.set(view, { revision: view.policyRevision, peers });
  return peers;
}

function prefixText(prefix: Prefix): string {
  const value = Number(prefix.bits);
  const octets = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return `${octets.join('.')}/${prefix.length}`;
}

/**
 * Brings a node's local identities in line with its policies and its DNS proxy's cache: allocates
 * identities for new prefixes and label sets, releases those nothing needs any more.
 */
export function syncLocalIdentities(cluster: Cluster, agent: AgentState, nowMs: number): void {
  const view = agentView(cluster, agent);
  if (view === undefined) return;
  const peers = policyPeers(view);
  const existing = peekNodeDatapath(cluster, agent.node);
  if (existing === undefined && peers.prefixes.length === 0 && peers.fqdnSelectors.length === 0) return;
  collectFqdnCache(cluster, agent.node, nowMs);
  const wanted = wantedLocalIdentities(cluster, agent.node, peers);
  const state = nodeDatapath(cluster, agent.node);
  let changed = false;
  const have = new Map<string, string>();
  for (const [id, identity] of Object.entries(state.localIdentities)) {
    const key = labelSetKey(identity.labels);
    if (!wanted.has(key)) {
      delete state.localIdentities[id];
      changed = true;
    } else have.set(key, id);
  }
  for (const [key, { prefixes, labels }] of [...wanted.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const wantedIdentity = localIdentity(prefixes, labels);
    const id = have.get(key);
    if (id !== undefined) {
      // Same labels, other addresses: the identity keeps its number, the ipcache its prefixes.
      if (prefixesOf(state.localIdentities[id] as LocalIdentity).join() !== prefixes.join()) {
        state.localIdentities[id] = wantedIdentity;
        changed = true;
      }
      continue;
    }
    // The local allocator hands out the next free number in sequence.
    while (state.localIdentities[String(state.nextLocalIdentity)] !== undefined) state.nextLocalIdentity += 1;
    state.localIdentities[String(state.nextLocalIdentity)] = wantedIdentity;
    state.nextLocalIdentity += 1;
    changed = true;
  }
  if (changed) state.localRevision += 1;
}

interface WantedIdentity {
  prefixes: string[];
  labels: Record<string, string>;
}

/** The node's CIDR and FQDN identities as its policies and DNS cache call for them, by label set. */
function wantedLocalIdentities(
  cluster: Cluster,
  node: string,
  peers: PolicyPeers,
): Map<string, WantedIdentity> {
  const wanted = new Map<string, WantedIdentity>();
  const add = (prefix: string, labels: Record<string, string>): void => {
    const key = labelSetKey(labels);
    const entry = wanted.get(key);
    if (entry === undefined) wanted.set(key, { prefixes: [prefix], labels });
    else if (!entry.prefixes.includes(prefix)) entry.prefixes.push(prefix);
  };
  for (const prefix of peers.prefixes) add(prefix, { [`cidr:${prefix}`]: '', 'reserved:world': '' });
  for (const [ip, names] of selectedNamesByAddress(cluster, node, peers.fqdnSelectors)) {
    const labels: Record<string, string> = { 'reserved:world': '' };
    for (const selector of peers.fqdnSelectors)
      if (names.some((name) => dnsNameMatches(selector, name))) labels[`fqdn:${selectorText(selector)}`] = '';
    const parent = closestPolicyPrefix(peers.prefixes, ip);
    if (parent !== undefined) labels[`cidr:${parent}`] = '';
    // The address's own /32, when a policy names it, now resolves to this identity instead.
    const own = `${ip}/32`;
    const plain = wanted.get(labelSetKey({ [`cidr:${own}`]: '', 'reserved:world': '' }));
    if (plain !== undefined) plain.prefixes = plain.prefixes.filter((prefix) => prefix !== own);
    add(own, labels);
  }
  for (const [key, entry] of wanted) {
    if (entry.prefixes.length === 0) wanted.delete(key);
    else entry.prefixes.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }
  return wanted;
}

/** The text a toFQDNs selector labels its addresses with: its matchName, else its matchPattern. */
function selectorText(selector: DnsSelector): string {
  return selector.matchName ?? selector.matchPattern ?? '';
}

/** The most specific prefix the policies name that contains an address (findCIDRParentPrefix). */
function closestPolicyPrefix(prefixes: readonly string[], ip: string): string | undefined {
  const address = parsePrefix(ip);
  if (address === undefined) return undefined;
  let best: { text: string; length: number } | undefined;
  for (const text of prefixes) {
    const prefix = parsePrefix(text);
    if (prefix === undefined || !prefixContains(prefix, address)) continue;
    if (best === undefined || prefix.length > best.length) best = { text, length: prefix.length };
  }
  return best?.text;
}

/**
 * A stored local identity. One prefix stays in `prefix` alone, so the state of worlds with CIDR
 * identities only is what it was before identities could be shared.
 */
function localIdentity(prefixes: readonly string[], labels: Record<string, string>): LocalIdentity {
  const [prefix = '', ...more] = prefixes;
  return more.length > 0 ? { prefix, morePrefixes: more, labels } : { prefix, labels };
}

/** The local identity whose prefix most specifically contains an address, if any. */
function localIdentityFor(cluster: Cluster, node: string, ip: string): number | undefined {
  const state = peekNodeDatapath(cluster, node);
  const address = parsePrefix(ip);
  if (state === undefined || address === undefined) return undefined;
  let best: { id: number; length: number } | undefined;
  for (const [id, identity] of Object.entries(state.localIdentities)) {
    for (const text of prefixesOf(identity)) {
      const prefix = parsePrefix(text);
      if (prefix === undefined || !prefixContains(prefix, address)) continue;
      if (best === undefined || prefix.length > best.length) best = { id: Number(id), length: prefix.length };
    }
  }
  return best?.id;
}

/**
 * The identity an agent's datapath resolves for a remote address: the exact ipcache entry of a pod
 * or node, else the longest CIDR/FQDN prefix of this node, else `reserved:world`.
 */
export function remoteIdentityFor(cluster: Cluster, agent: AgentState, ip: string): number {
  const entry = lookupIpcache(cluster, agent, ip);
  if (entry.identity !== ReservedIdentity.world) return entry.identity;
  return localIdentityFor(cluster, agent.node, ip) ?? ReservedIdentity.world;
}

/** Labels of a node-local identity, for Hubble and explanations. */
export function localIdentityLabels(cluster: Cluster, node: string, id: number): LabelSet | undefined {
  return peekNodeDatapath(cluster, node)?.localIdentities[String(id)]?.labels;
}

interface LocalPolicyCache {
  key: string;
  repository: PolicyRepository;
  byEndpoint: Map<string, EndpointPolicy>;
}
const localCaches = new WeakMap<ClusterView, Map<string, LocalPolicyCache>>();

/**
 * Hands the copy of a world the per-node policy caches of the original's views (see
 * carryPolicyCaches in endpoint-policy-cache.ts); each is keyed by the revisions it was made at,
 * which the copy starts from, and the copy gets its own map of endpoint policies.
 */
export function carryLocalPolicyCaches(original: Cluster, copy: Cluster): void {
  for (const [source, target] of pairedViews(original, copy)) {
    const byNode = localCaches.get(source);
    if (byNode === undefined) continue;
    const carried = new Map<string, LocalPolicyCache>();
    for (const [node, cache] of byNode)
      carried.set(node, { ...cache, byEndpoint: new Map(cache.byEndpoint) });
    localCaches.set(target, carried);
  }
}

function repositoryOf(view: ClusterView, ciliumVersion: string): PolicyRepository {
  const repository = new PolicyRepository();
  for (const key of Object.keys(view.policies).sort()) {
    const stored = view.policies[key];
    if (typeof stored !== 'object' || stored === null) continue;
    for (const object of parseStoredPolicy(stored, { ciliumVersion }).objects) repository.upsert(object);
  }
  return repository;
}

/**
 * The policy an agent enforces for an endpoint, with the node's local identities in its selector
 * cache. Without local identities this is exactly the shared per-view policy.
 */
export function policyForEndpoint(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
): EndpointPolicy | undefined {
  return policyWithLocalIdentities(
    cluster,
    agent,
    `${endpoint.identity}|${endpoint.namespace}|${endpoint.labels.join(',')}`,
    () => ({
      identity: endpoint.identity,
      labels: labelSetFromStrings(endpoint.labels),
      namespace: endpoint.namespace,
    }),
    endpointAuditMode(cluster, endpoint),
    () => endpointPolicyFor(cluster, agent, endpoint),
  );
}

/**
 * The policy of the node's host endpoint, compiled against the same identities as its pods': the
 * agent has one selector cache, so a host policy's toCIDR, fromCIDR and toCIDRSet select the node's
 * CIDR identities, and its toFQDNs select whatever addresses this agent's DNS proxy learnt for the
 * name, whichever local endpoint's lookup taught them (the name cache is per agent, not per endpoint).
 */
export function hostPolicyWithLocalIdentities(
  cluster: Cluster,
  agent: AgentState,
): EndpointPolicy | undefined {
  const labels = hostEndpointLabels(cluster, agent);
  return policyWithLocalIdentities(
    cluster,
    agent,
    `host|${labelSetKey(labels)}`,
    () => ({ identity: ReservedIdentity.host, labels, namespace: '', isHost: true }),
    hostEndpointAuditMode(cluster, agent),
    () => hostEndpointPolicyFor(cluster, agent),
  );
}

/**
 * Compiles a subject's policy over the view's identities plus this node's local ones, cached per
 * node until the policies, the identities or the local identities change; `shared` answers when the
 * node has no local identity (then the per-view cache already holds the same policy). `audit` is
 * the subject's own policy audit mode, part of the compiled policy.
 */
function policyWithLocalIdentities(
  cluster: Cluster,
  agent: AgentState,
  subjectKey: string,
  // Built only when the policy is not cached: the datapath asks for it on every connection.
  subject: () => PolicyEndpoint,
  audit: boolean,
  shared: () => EndpointPolicy | undefined,
): EndpointPolicy | undefined {
  const view = agentView(cluster, agent);
  if (view === undefined) return undefined;
  const state = peekNodeDatapath(cluster, agent.node);
  const locals = state === undefined ? [] : Object.entries(state.localIdentities);
  if (state === undefined || locals.length === 0) return shared();
  const config = engineConfig(cluster, audit);
  const cacheKey = `${view.policyRevision}|${view.identityRevision}|${state.localRevision}|${config.ciliumVersion}`;
  let byNode = localCaches.get(view);
  if (byNode === undefined) {
    byNode = new Map();
    localCaches.set(view, byNode);
  }
  let cache = byNode.get(agent.node);
  if (cache === undefined || cache.key !== cacheKey) {
    cache = {
      key: cacheKey,
      repository:
        cache?.key.split('|')[0] === String(view.policyRevision)
          ? cache.repository
          : repositoryOf(view, config.ciliumVersion),
      byEndpoint: new Map(),
    };
    byNode.set(agent.node, cache);
  }
  const policyKey = audit ? `${subjectKey}|audit` : subjectKey;
  const cached = cache.byEndpoint.get(policyKey);
  if (cached !== undefined) return cached;
  const parsed = new Map<number, LabelSet>();
  for (const [id, labels] of Object.entries(view.identities)) parsed.set(Number(id), labels);
  for (const [id, identity] of locals) parsed.set(Number(id), identity.labels);
  const directory: IdentityDirectory = { labelsOf: (id) => parsed.get(id), entries: () => parsed.entries() };
  const policy = computeEndpointPolicy(cache.repository, subject(), directory, config);
  cache.byEndpoint.set(policyKey, policy);
  return policy;
}
