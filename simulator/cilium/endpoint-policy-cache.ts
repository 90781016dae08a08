/**
 * Connects an agent's view to the policy engine: the view's policy objects become a policy
 * repository, its CiliumIdentities the identity directory, and each local endpoint gets the policy
 * the agent would compute from them. Results are cached per view and invalidated by the view's
 * revision counters; the cache is derived data, never part of the world.
 */
import type { LabelSet } from './labels';
import type { Cluster } from '../world';
import type { AgentState, ClusterView, LocalEndpoint } from './state';
import {
  PolicyRepository,
  computeEndpointPolicy,
  resolveIdentityLabels,
  selectorCache,
  type SelectorCacheEntry,
  type EndpointPolicy,
  type IdentityDirectory,
  type PolicyEndpoint,
  type PolicyEngineConfig,
} from '../policy/index';
import { parseStoredPolicy } from './policy-documents';
import { ReservedIdentity, reservedIdentityNames } from './reserved-identities';
import { identityRelevantLabels, labelSetFromStrings } from './labels';
import { agentView } from './agent-ipcache';
import { pairedViews } from './view-pairs';
import { agentSecretError, secretsFingerprint, tlsSecretUses, type TlsSecretUse } from './policy-secrets';
import { policySecretsMode } from './policy-secrets-mode';
import { effectiveAuditMode } from './endpoint-options';
import { nodeSelectorLabels } from './policy-validator';
import type { CiliumPolicy, ParsedObject } from '../policy/index';
import type { CiliumConfig } from './config';

/**
 * A policy the agent imported but cannot compute because a TLS Secret it names cannot be read
 * (agent-reads mode, cilium/policy-secrets.ts): the endpoints it selects fail to regenerate.
 */
export interface SecretFailure {
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  namespace?: string;
  name: string;
  policy: CiliumPolicy;
  use: TlsSecretUse;
  error: string;
  /** Whether the Secret lookup itself failed (the agent then also logs "Error getting … TLS Context"). */
  fromLookup: boolean;
}

interface ViewPolicyCache {
  /**
   * The configuration the agents run with (replaced, never mutated, when restarted agents adopt a
   * new one): `enable-policy`, the L7 proxy and the version shape every endpoint's policy.
   */
  config: CiliumConfig | undefined;
  policyRevision: number;
  identityRevision: number;
  /** `namespace/name` of every Secret the policies name, read in agent-reads mode, and their state. */
  secretKeys: string[];
  secretsFingerprint: string;
  secretFailures: SecretFailure[];
  repository: PolicyRepository;
  directory: IdentityDirectory;
  byEndpoint: Map<string, EndpointPolicy>;
}

const caches = new WeakMap<ClusterView, ViewPolicyCache>();

/** An identity directory over a view's CiliumIdentity cache. */
function directoryOf(view: ClusterView): IdentityDirectory {
  const parsed = new Map<number, LabelSet>();
  for (const [id, labels] of Object.entries(view.identities)) parsed.set(Number(id), labels);
  return {
    labelsOf: (id) => parsed.get(id),
    entries: () => parsed.entries(),
  };
}

/** The first TLS Secret of parsed policies the agent cannot read, in agent-reads mode. */
function secretFailureOf(
  cluster: Cluster,
  objects: readonly ParsedObject[],
  secretKeys: Set<string>,
): SecretFailure | undefined {
  for (const object of objects) {
    const policy = object.policy;
    if (policy === undefined || policy.kind === 'NetworkPolicy') continue;
    for (const use of tlsSecretUses(policy)) {
      secretKeys.add(`${use.namespace}/${use.name}`);
      const failed = agentSecretError(cluster, use);
      if (failed !== undefined)
        return {
          kind: policy.kind,
          ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
          name: policy.name,
          policy,
          use,
          error: failed.error,
          fromLookup: failed.fromLookup,
        };
    }
  }
  return undefined;
}

/**
 * Imports a view's policy objects into a repository, as the agent's policy watcher does. In
 * agent-reads mode a policy whose TLS Secret cannot be read is left out, with the version the
 * agent computed before in force, since the endpoints it selects keep their last policy.
 */
function repositoryOf(
  cluster: Cluster,
  view: ClusterView,
  ciliumVersion: string,
  l7Proxy: boolean,
): { repository: PolicyRepository; secretKeys: string[]; secretFailures: SecretFailure[] } {
  const repository = new PolicyRepository();
  const config = cluster.cilium?.config;
  const readsSecrets = config !== undefined && policySecretsMode(config).kind === 'agent-reads';
  const selectsNodes = nodeSelectorLabels(config);
  const secretKeys = new Set<string>();
  const secretFailures: SecretFailure[] = [];
  const failureOf = (objects: readonly ParsedObject[]): SecretFailure | undefined =>
    readsSecrets ? secretFailureOf(cluster, objects, secretKeys) : undefined;
  for (const key of Object.keys(view.policies).sort()) {
    const stored = view.policies[key];
    if (typeof stored !== 'object' || stored === null) continue;
    const result = parseStoredPolicy(stored, { ciliumVersion, l7Proxy, nodeSelectorLabels: selectsNodes });
    const refused = result.objects.some((object) => object.agentErrors.length > 0);
    const secretFailure = refused ? undefined : failureOf(result.objects);
    if (refused || secretFailure !== undefined) {
      // A refused update leaves the version the agent imported before in force.
      for (const earlier of [...(view.policyHistory?.[key] ?? [])].reverse()) {
        if (typeof earlier !== 'object' || earlier === null) continue;
        const accepted = parseStoredPolicy(earlier, {
          ciliumVersion,
          l7Proxy,
          nodeSelectorLabels: selectsNodes,
        }).objects;
        if (
          accepted.length > 0 &&
          accepted.every((object) => object.agentErrors.length === 0) &&
          failureOf(accepted) === undefined
        ) {
          for (const object of accepted) repository.upsert(object);
          break;
        }
      }
    }
    if (secretFailure !== undefined) {
      secretFailures.push(secretFailure);
      continue;
    }
    for (const object of result.objects) repository.upsert(object);
  }
  return { repository, secretKeys: [...secretKeys].sort(), secretFailures };
}

function cacheFor(cluster: Cluster, view: ClusterView): ViewPolicyCache {
  const ciliumVersion = engineConfig(cluster).ciliumVersion;
  const l7Proxy = cluster.cilium?.config.l7Proxy ?? true;
  const cached = caches.get(view);
  if (
    cached !== undefined &&
    cached.config === cluster.cilium?.config &&
    cached.policyRevision === view.policyRevision &&
    cached.identityRevision === view.identityRevision &&
    // The agent re-reads the Secrets its policies name; a change in them is a new computation.
    (cached.secretKeys.length === 0 ||
      secretsFingerprint(cluster, cached.secretKeys) === cached.secretsFingerprint)
  )
    return cached;
  const imported = repositoryOf(cluster, view, ciliumVersion, l7Proxy);
  const fresh: ViewPolicyCache = {
    config: cluster.cilium?.config,
    policyRevision: view.policyRevision,
    identityRevision: view.identityRevision,
    secretKeys: imported.secretKeys,
    secretsFingerprint: secretsFingerprint(cluster, imported.secretKeys),
    secretFailures: imported.secretFailures,
    repository: imported.repository,
    directory: directoryOf(view),
    byEndpoint: new Map(),
  };
  caches.set(view, fresh);
  return fresh;
}

/**
 * Hands the copy of a world (cloneWorld: a checkpoint, a seek, an exercise's probe) the policy
 * caches of the original's views, so the copy's first connection does not import every policy
 * again. A cache is carried only while it is current (the original's config is the one it was made
 * with; its revisions are the views', which the copy shares), with the copy's own config and its
 * own map of endpoint policies: what the copy computes later stays with the copy.
 */
export function carryPolicyCaches(original: Cluster, copy: Cluster): void {
  for (const [source, target] of pairedViews(original, copy)) {
    const cached = caches.get(source);
    if (cached === undefined || cached.config !== original.cilium?.config) continue;
    caches.set(target, { ...cached, config: copy.cilium?.config, byEndpoint: new Map(cached.byEndpoint) });
  }
}

/**
 * The policy engine settings of the cluster's Cilium; `auditMode` is one endpoint's own audit mode
 * (`endpoint config ID PolicyAuditMode=…`) where it differs from the agent's.
 */
export function engineConfig(cluster: Cluster, auditMode?: boolean): PolicyEngineConfig {
  const config = cluster.cilium?.config;
  return {
    enforcementMode: config?.policyEnforcementMode ?? 'default',
    auditMode: auditMode ?? config?.policyAuditMode ?? false,
    ciliumVersion: config?.version ?? '1.18.0',
    clusterName: config?.clusterName ?? 'default',
  };
}

/** The last policy computed for an endpoint object, and what it was computed from. */
interface EndpointMemo {
  cache: ViewPolicyCache;
  identity: number;
  audit: boolean;
  policy: EndpointPolicy;
}

/** Whether a pod's endpoint is in policy audit mode: its own option, else the agent's setting. */
export function endpointAuditMode(cluster: Cluster, endpoint: LocalEndpoint): boolean {
  return effectiveAuditMode(cluster.cilium?.config, endpoint.options);
}

/** Whether the node's host endpoint is in policy audit mode (the host firewall guide's first step). */
export function hostEndpointAuditMode(cluster: Cluster, agent: AgentState): boolean {
  return effectiveAuditMode(cluster.cilium?.config, agent.hostEndpointOptions);
}

/** Audit mode is compiled into the policy (its verdicts), so policies differing in it are cached apart. */
function auditKey(audit: boolean): string {
  return audit ? '|audit' : '';
}
const endpointMemos = new WeakMap<LocalEndpoint, EndpointMemo>();

/** The policy an agent enforces for one of its endpoints, computed from the agent's own view. */
export function endpointPolicyFor(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
): EndpointPolicy | undefined {
  const view = agentView(cluster, agent);
  if (view === undefined) return undefined;
  const cache = cacheFor(cluster, view);
  // The datapath asks this per connection: answer from the endpoint's memo while nothing changed.
  const audit = endpointAuditMode(cluster, endpoint);
  const memo = endpointMemos.get(endpoint);
  if (
    memo !== undefined &&
    memo.cache === cache &&
    memo.identity === endpoint.identity &&
    memo.audit === audit
  )
    return memo.policy;
  const policy = policyOfSubject(
    cluster,
    cache,
    `${endpoint.identity}|${endpoint.namespace}|${endpoint.labels.join(',')}${auditKey(audit)}`,
    () => ({
      identity: endpoint.identity,
      labels: labelSetFromStrings(endpoint.labels),
      namespace: endpoint.namespace,
    }),
    audit,
  );
  endpointMemos.set(endpoint, { cache, identity: endpoint.identity, audit, policy });
  return policy;
}

/** The policy of one endpoint subject (a pod's endpoint or the host endpoint), computed once per cache. */
function policyOfSubject(
  cluster: Cluster,
  cache: ViewPolicyCache,
  cacheKey: string,
  // Built only when the policy is not cached yet.
  subject: () => PolicyEndpoint,
  audit: boolean,
): EndpointPolicy {
  let policy = cache.byEndpoint.get(cacheKey);
  if (policy === undefined) {
    policy = computeEndpointPolicy(
      cache.repository,
      subject(),
      cache.directory,
      engineConfig(cluster, audit),
    );
    cache.byEndpoint.set(cacheKey, policy);
  }
  return policy;
}

/**
 * The host endpoint's labels as the agent builds them: `reserved:host` plus its own Node's
 * Kubernetes labels (source `k8s`, from the agent's view of the Node object) that the identity
 * label filter keeps, as for pods (Endpoint.InitWithNodeLabels and the node watcher both filter).
 * A nodeSelector on `kubernetes.io/hostname` or `kubernetes.io/os` therefore selects no host:
 * host policies select nodes by labels such as the docs' `node-access=ssh`.
 */
export function hostEndpointLabels(cluster: Cluster, agent: AgentState): LabelSet {
  const nodeLabels = agentView(cluster, agent)?.nodes[agent.node]?.labels ?? {};
  const labels: Record<string, string> = { 'reserved:host': '' };
  for (const key of Object.keys(nodeLabels).sort()) labels[`k8s:${key}`] = nodeLabels[key] ?? '';
  return identityRelevantLabels(labels);
}

/**
 * The policy the agent enforces for its node's host endpoint (identity reserved:host, selected only
 * by host policies, i.e. CiliumClusterwideNetworkPolicies with a nodeSelector), computed from the
 * agent's own view exactly as for its pod endpoints. Only the host firewall enforces it.
 */
export function hostEndpointPolicyFor(cluster: Cluster, agent: AgentState): EndpointPolicy | undefined {
  const view = agentView(cluster, agent);
  if (view === undefined) return undefined;
  const cache = cacheFor(cluster, view);
  const labels = hostEndpointLabels(cluster, agent);
  const audit = hostEndpointAuditMode(cluster, agent);
  const key = `host|${ReservedIdentity.host}|${Object.entries(labels)
    .map(([name, value]) => `${name}=${value}`)
    .join(',')}${auditKey(audit)}`;
  return policyOfSubject(
    cluster,
    cache,
    key,
    () => ({ identity: ReservedIdentity.host, labels, namespace: '', isHost: true }),
    audit,
  );
}

/** Policies the agent of this view refused, with their errors (for policy status and the agent log). */
export function refusedPolicies(
  cluster: Cluster,
  view: ClusterView,
): ReturnType<PolicyRepository['refusals']> {
  return cacheFor(cluster, view).repository.refusals();
}

/** Policies whose TLS Secrets the agent of this view cannot read (agent-reads mode), for its log. */
export function policySecretFailures(cluster: Cluster, view: ClusterView): readonly SecretFailure[] {
  return cacheFor(cluster, view).secretFailures;
}

/**
 * The agent's selector cache (`cilium-dbg policy selectors`): the peer selectors of the rules that
 * select its pods' endpoints, matched against every identity the agent knows.
 */
export function agentSelectorCache(cluster: Cluster, agent: AgentState): SelectorCacheEntry[] {
  const view = agentView(cluster, agent);
  if (view === undefined) return [];
  const cache = cacheFor(cluster, view);
  const subjects = Object.values(agent.endpoints)
    .filter((endpoint) => endpoint.state !== 'disconnecting' && endpoint.state !== 'disconnected')
    .sort((a, b) => a.id - b.id)
    .map((endpoint) => ({
      identity: endpoint.identity,
      labels: labelSetFromStrings(endpoint.labels),
      namespace: endpoint.namespace,
    }));
  const ids = [...Object.keys(reservedIdentityNames), ...Object.keys(view.identities)].map(Number);
  const identities = [...new Set(ids)].flatMap((id) => {
    const labels = resolveIdentityLabels(cache.directory, id);
    return labels === undefined ? [] : [[id, labels] as const];
  });
  return selectorCache(cache.repository, subjects, identities, engineConfig(cluster));
}
