/**
 * What each agent made of a Cilium policy, for `kubectl describe` and `kubectl logs`: Cilium up to
 * 1.12 writes a per-node status into the CiliumNetworkPolicy (enforcing, ok, the error that made the
 * agent refuse it); every release logs a refused policy. Both come from the same place as
 * enforcement: the policy repository each agent builds from its own view.
 */
import { agentView } from '../cilium/agent-ipcache';
import { refusedPolicies } from '../cilium/endpoint-policy-cache';
import { toTimestamp } from '../engine/virtual-time';
import type { ApiObject } from '../k8s/objects';
import type { Cluster } from '../world';
import type { AgentState } from '../cilium/state';

/** One agent's refusal of one policy. */
interface Refusal {
  kind: string;
  namespace?: string;
  name: string;
  message: string;
}

function refusalsOf(cluster: Cluster, agent: AgentState): Refusal[] {
  const view = agentView(cluster, agent);
  if (view === undefined) return [];
  return refusedPolicies(cluster, view).map((refusal) => ({
    kind: refusal.kind,
    ...(refusal.namespace !== undefined ? { namespace: refusal.namespace } : {}),
    name: refusal.name,
    message: refusal.errors.map((error) => error.message).join('; '),
  }));
}

/** Whether this Cilium writes policy status into the object (CNP node status, up to 1.12). */
function writesNodeStatus(cluster: Cluster): boolean {
  const config = cluster.cilium?.config;
  return config !== undefined && config.versionMinor <= 12;
}

/**
 * The object as `kubectl describe` would read it back from the API server: for Cilium ≤ 1.12, with
 * `status.nodes` filled in by each agent.
 */
export function withPolicyStatus(cluster: Cluster, object: ApiObject, nowMs: number): ApiObject {
  if (object.kind !== 'CiliumNetworkPolicy' && object.kind !== 'CiliumClusterwideNetworkPolicy')
    return object;
  if (!writesNodeStatus(cluster)) return object;
  const nodes: Record<string, Record<string, unknown>> = {};
  for (const agent of Object.values(cluster.cilium?.agents ?? {}).sort((a, b) =>
    a.node.localeCompare(b.node),
  )) {
    const view = agentView(cluster, agent);
    if (view === undefined) continue;
    const refusal = refusalsOf(cluster, agent).find(
      (candidate) =>
        candidate.kind === object.kind &&
        candidate.name === object.metadata.name &&
        (object.kind === 'CiliumClusterwideNetworkPolicy' ||
          candidate.namespace === object.metadata.namespace),
    );
    nodes[agent.node] =
      refusal === undefined
        ? {
            enforcing: true,
            lastUpdated: toTimestamp(nowMs),
            localPolicyRevision: view.policyRevision,
            ok: true,
          }
        : { enforcing: false, error: refusal.message, lastUpdated: toTimestamp(nowMs), ok: false };
  }
  return { ...object, status: { nodes } };
}

/** `kubectl logs` of a cilium-agent pod: the policy import warnings the agent logged. */
export function agentLogLines(cluster: Cluster, agent: AgentState): string[] {
  return refusalsOf(cluster, agent).map((refusal) => {
    const what =
      refusal.kind === 'CiliumClusterwideNetworkPolicy'
        ? 'CiliumClusterwideNetworkPolicy'
        : 'CiliumNetworkPolicy';
    const fields =
      refusal.kind === 'CiliumClusterwideNetworkPolicy'
        ? `ciliumClusterwideNetworkPolicyName=${refusal.name}`
        : `ciliumNetworkPolicyName=${refusal.name} k8sNamespace=${refusal.namespace ?? 'default'}`;
    return `level=warning msg="Unable to add ${what}" ${fields} error="Invalid ${what} spec: ${refusal.message}" subsys=k8s-watcher`;
  });
}
