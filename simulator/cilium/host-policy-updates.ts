/**
 * When a policy change regenerates an agent's host endpoint. Cilium regenerates, after a policy
 * change, the endpoints whose identity the changed rules' subjects select, and only bumps the
 * policy revision of the others (`UpdatePolicy` in pkg/endpoint/policy.go, with the reason "policy
 * rules updated"). The host endpoint's subject selectors are the host policies' `nodeSelector`s
 * (CiliumClusterwideNetworkPolicies, pkg/policy/api/rule.go), matched against its labels:
 * reserved:host and the node's labels (`hostEndpointLabels`). Each agent that receives such a change
 * through its watch notes the time; the host endpoint's log is derived from these times
 * (cilium/infra-endpoints.ts). A change that only a re-list brings (an agent that was cut off) is
 * not noted.
 */
import type { ApiObject } from '../k8s/objects';
import type { LabelSelector, SelectorRequirement } from '../policy/model';
import { indexLabels, selectorMatches } from '../policy/selector-match';
import type { Cluster } from '../world';
import { hostEndpointLabels } from './endpoint-policy-cache';
import type { AgentState, ClusterView } from './state';

/** How many policy-update times an agent keeps for its host endpoint (its status log keeps 256 entries). */
const keptUpdates = 32;

interface RawSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/** The `nodeSelector`s of a clusterwide policy's rules (`spec` and `specs`). */
function nodeSelectors(object: unknown): LabelSelector[] {
  const policy = object as { kind?: string; spec?: unknown; specs?: unknown } | undefined;
  if (policy?.kind !== 'CiliumClusterwideNetworkPolicy') return [];
  const rules: unknown[] = [policy.spec, ...(Array.isArray(policy.specs) ? (policy.specs as unknown[]) : [])];
  const selectors: LabelSelector[] = [];
  for (const rule of rules) {
    const raw = (rule as { nodeSelector?: RawSelector } | undefined)?.nodeSelector;
    if (raw === undefined || raw === null || typeof raw !== 'object') continue;
    const expressions: SelectorRequirement[] = (raw.matchExpressions ?? []).flatMap((expression) =>
      typeof expression.key === 'string' &&
      ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(expression.operator ?? '')
        ? [
            {
              key: expression.key,
              operator: expression.operator as SelectorRequirement['operator'],
              values: expression.values ?? [],
            },
          ]
        : [],
    );
    selectors.push({ matchLabels: Object.entries(raw.matchLabels ?? {}), matchExpressions: expressions });
  }
  return selectors;
}

/**
 * A policy object changed in a view (`previous` before, `next` after, either absent): every member
 * agent whose host endpoint one of the two versions selects notes the time.
 */
export function noteHostPolicyUpdate(
  cluster: Cluster,
  view: ClusterView,
  previous: ApiObject | undefined,
  next: ApiObject | undefined,
  atMs: number,
): void {
  const selectors = [...nodeSelectors(previous), ...nodeSelectors(next)];
  if (selectors.length === 0) return;
  for (const name of view.members) {
    const agent = cluster.cilium?.agents[name];
    if (agent?.running !== true) continue;
    const labels = indexLabels(hostEndpointLabels(cluster, agent));
    if (!selectors.some((selector) => selectorMatches(selector, labels))) continue;
    noteUpdate(agent, atMs);
  }
}

function noteUpdate(agent: AgentState, atMs: number): void {
  const times = (agent.hostPolicyUpdatesMs ??= []);
  if (times.at(-1) === atMs) return;
  times.push(atMs);
  if (times.length > keptUpdates) times.splice(0, times.length - keptUpdates);
}
