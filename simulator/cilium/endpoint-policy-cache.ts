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
  parsePolicyDocuments,
  type EndpointPolicy,
  type IdentityDirectory,
  type PolicyEndpoint,
  type PolicyEngineConfig,
} from '../policy/index';
import { ReservedIdentity } from './reserved-identities';
import { labelSetFromStrings } from './labels';
import { agentView } from './agent-ipcache';

interface ViewPolicyCache {
  policyRevision: number;
  identityRevision: number;
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

/** Imports a view's policy objects into a repository, as the agent's policy watcher does. */
function repositoryOf(view: ClusterView, ciliumVersion: string, l7Proxy: boolean): PolicyRepository {
  const repository = new PolicyRepository();
  for (const key of Object.keys(view.policies).sort()) {
    // The watch delivers JSON; JSON is YAML, so the same validator the terminal uses reads it.
    const result = parsePolicyDocuments(JSON.stringify(view.policies[key]), { ciliumVersion, l7Proxy });
    const refused = result.objects.some((object) => object.agentErrors.length > 0);
    if (refused) {
      // A refused update leaves the version the agent imported before in force.
      for (const earlier of [...(view.policyHistory?.[key] ?? [])].reverse()) {
        const accepted = parsePolicyDocuments(JSON.stringify(earlier), { ciliumVersion, l7Proxy }).objects;
        if (accepted.length > 0 && accepted.every((object) => object.agentErrors.length === 0)) {
          for (const object of accepted) repository.upsert(object);
          break;
        }
      }
    }
    for (const object of result.objects) repository.upsert(object);
  }
  return repository;
}

function cacheFor(view: ClusterView, ciliumVersion: string, l7Proxy = true): ViewPolicyCache {
  const cached = caches.get(view);
  if (
    cached !== undefined &&
    cached.policyRevision === view.policyRevision &&
    cached.identityRevision === view.identityRevision
  )
    return cached;
  const fresh: ViewPolicyCache = {
    policyRevision: view.policyRevision,
    identityRevision: view.identityRevision,
    repository: repositoryOf(view, ciliumVersion, l7Proxy),
    directory: directoryOf(view),
    byEndpoint: new Map(),
  };
  caches.set(view, fresh);
  return fresh;
}

/** The policy engine settings of the cluster's Cilium. */
export function engineConfig(cluster: Cluster): PolicyEngineConfig {
  const config = cluster.cilium?.config;
  return {
    enforcementMode: config?.policyEnforcementMode ?? 'default',
    auditMode: config?.policyAuditMode ?? false,
    ciliumVersion: config?.version ?? '1.18.0',
    clusterName: config?.clusterName ?? 'default',
  };
}

/** The last policy computed for an endpoint object, and what it was computed from. */
interface EndpointMemo {
  cache: ViewPolicyCache;
  identity: number;
  policy: EndpointPolicy;
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
  const cache = cacheFor(view, engineConfig(cluster).ciliumVersion, cluster.cilium?.config.l7Proxy ?? true);
  // The datapath asks this per connection: answer from the endpoint's memo while nothing changed.
  const memo = endpointMemos.get(endpoint);
  if (memo !== undefined && memo.cache === cache && memo.identity === endpoint.identity) return memo.policy;
  const policy = policyOfSubject(
    cluster,
    cache,
    `${endpoint.identity}|${endpoint.namespace}|${endpoint.labels.join(',')}`,
    {
      identity: endpoint.identity,
      labels: labelSetFromStrings(endpoint.labels),
      namespace: endpoint.namespace,
    },
  );
  endpointMemos.set(endpoint, { cache, identity: endpoint.identity, policy });
  return policy;
}

/** The policy of one endpoint subject (a pod's endpoint or the host endpoint), computed once per cache. */
function policyOfSubject(
  cluster: Cluster,
  cache: ViewPolicyCache,
  cacheKey: string,
  subject: PolicyEndpoint,
): EndpointPolicy {
  let policy = cache.byEndpoint.get(cacheKey);
  if (policy === undefined) {
    policy = computeEndpointPolicy(cache.repository, subject, cache.directory, engineConfig(cluster));
    cache.byEndpoint.set(cacheKey, policy);
  }
  return policy;
}

/**
 * The host endpoint's labels as the agent builds them: `reserved:host` plus its own Node's
 * Kubernetes labels (source `k8s`), read from the agent's view of the Node object.
 */
export function hostEndpointLabels(cluster: Cluster, agent: AgentState): LabelSet {
  const nodeLabels = agentView(cluster, agent)?.nodes[agent.node]?.labels ?? {};
  const labels: Record<string, string> = { 'reserved:host': '' };
  for (const key of Object.keys(nodeLabels).sort()) labels[`k8s:${key}`] = nodeLabels[key] ?? '';
  return labels;
}

/**
 * The policy the agent enforces for its node's host endpoint (identity reserved:host, selected only
 * by host policies, i.e. CiliumClusterwideNetworkPolicies with a nodeSelector), computed from the
 * agent's own view exactly as for its pod endpoints. Only the host firewall enforces it.
 */
export function hostEndpointPolicyFor(cluster: Cluster, agent: AgentState): EndpointPolicy | undefined {
  const view = agentView(cluster, agent);
  if (view === undefined) return undefined;
  const cache = cacheFor(view, engineConfig(cluster).ciliumVersion, cluster.cilium?.config.l7Proxy ?? true);
  const labels = hostEndpointLabels(cluster, agent);
  const key = `host|${ReservedIdentity.host}|${Object.entries(labels)
    .map(([name, value]) => `${name}=${value}`)
    .join(',')}`;
  return policyOfSubject(cluster, cache, key, {
    identity: ReservedIdentity.host,
    labels,
    namespace: '',
    isHost: true,
  });
}

/** Policies the agent of this view refused, with their errors (for policy status and the agent log). */
export function refusedPolicies(
  cluster: Cluster,
  view: ClusterView,
): ReturnType<PolicyRepository['refusals']> {
  return cacheFor(
    view,
    engineConfig(cluster).ciliumVersion,
    cluster.cilium?.config.l7Proxy ?? true,
  ).repository.refusals();
}
