/**
 * What each agent made of a Cilium policy, for `kubectl describe`, `-o yaml` and `kubectl logs`:
 * Cilium 1.12 to 1.14 agents write a per-node status into the policy (enforcing, ok, the error that
 * made the agent refuse it) when Helm's `enableCnpStatusUpdates` is true (off by default; see
 * cilium/policy-validator.ts, which also covers 1.16+'s operator condition); every release logs a
 * refused policy. Both come from the same place as enforcement: each agent's own policy repository.
 */
import { agentView } from '../cilium/agent-ipcache';
import { policySecretFailures, refusedPolicies, type SecretFailure } from '../cilium/endpoint-policy-cache';
import { labelSetFromStrings } from '../cilium/labels';
import { indexLabels, selectorMatches } from '../policy/selector-match';
import { toTimestamp } from '../engine/virtual-time';
import { agentImportError } from '../policy/index';
import { agentsWriteNodeStatus } from '../cilium/policy-validator';
import type { ApiKind, ApiObject } from '../k8s/objects';
import { getObject } from '../k8s/api-store';
import { virtualEpochMs } from '../engine/virtual-time';
import { agentLogLine, logsWithSlog } from '../cilium/agent-log';
import type { CiliumConfig } from '../cilium/config';
import type { Cluster } from '../world';
import type { AgentState, LocalEndpoint } from '../cilium/state';

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
    message: agentImportError(refusal.kind, refusal.errors),
  }));
}

/**
 * The object as `kubectl describe` or `get -o yaml` read it back from the API server: on 1.12 to 1.14
 * with `enableCnpStatusUpdates=true`, with `status.nodes` filled in by each agent.
 */
export function withPolicyStatus(cluster: Cluster, object: ApiObject, nowMs: number): ApiObject {
  if (object.kind !== 'CiliumNetworkPolicy' && object.kind !== 'CiliumClusterwideNetworkPolicy')
    return object;
  if (!agentsWriteNodeStatus(cluster.cilium?.config)) return object;
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

/** Go's quoting of a logfmt value. */
const quoted = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Whether a policy whose Secret failed selects one of the agent's endpoints. */
function selectsEndpoint(failure: SecretFailure, endpoint: LocalEndpoint): boolean {
  if (failure.kind === 'CiliumNetworkPolicy' && failure.namespace !== endpoint.namespace) return false;
  const labels = indexLabels(labelSetFromStrings(endpoint.labels));
  return failure.policy.rules.some(
    (rule) => rule.endpointSelector !== undefined && selectorMatches(rule.endpointSelector, labels),
  );
}

/**
 * What the agent logs when it cannot read a policy's TLS Secret (agent-reads mode): getCerts'
 * warning for a failed lookup, then a failed regeneration for each of its endpoints the policy
 * selects (only those make the agent compute the policy).
 */
function secretFailureLines(cluster: Cluster, agent: AgentState): string[] {
  const view = agentView(cluster, agent);
  if (view === undefined) return [];
  const lines: string[] = [];
  for (const failure of policySecretFailures(cluster, view)) {
    const endpoints = Object.values(agent.endpoints)
      .filter((endpoint) => selectsEndpoint(failure, endpoint))
      .sort((a, b) => a.id - b.id);
    if (endpoints.length === 0) continue;
    if (failure.fromLookup)
      lines.push(
        `level=warning msg="policy: Error getting ${failure.use.direction} TLS Context." error=${quoted(failure.error)} subsys=policy`,
      );
    for (const endpoint of endpoints)
      lines.push(
        `level=warning msg="Regeneration of endpoint failed" ciliumEndpointName=${endpoint.namespace}/${endpoint.podName} endpointID=${endpoint.id} error=${quoted(`unable to regenerate policy for '${endpoint.id}': ${failure.error}`)} identity=${endpoint.identity} subsys=endpoint`,
      );
  }
  return lines;
}

/**
 * `kubectl logs` of a cilium-agent pod: the policy import warnings the agent logged, its failures
 * to read policy Secrets, and the warnings of the node's Envoy. From 1.16 the chart runs Envoy in
 * its own DaemonSet (cilium-envoy); the model has no such pods, so its lines appear here, as they
 * do in the agent's log when Envoy runs embedded.
 */
export function agentLogLines(cluster: Cluster, agent: AgentState): string[] {
  const config = cluster.cilium?.config;
  if (config === undefined) return [];
  const refusals = refusalsOf(cluster, agent).map((refusal) =>
    // CiliumClusterwideNetworkPolicies go through the same import path, with an empty namespace.
    agentLogLine(config, {
      atMs: receivedAtMs(cluster, refusal),
      level: 'warning',
      msg: 'Unable to add CiliumNetworkPolicy',
      fields: [
        ...policyWatcherLogger(config),
        ['ciliumNetworkPolicyName', refusal.name],
        ['k8sApiVersion', 'cilium.io/v2'],
        ['k8sNamespace', refusal.namespace ?? ''],
        ['error', refusal.message],
      ],
    }),
  );
  return [
    ...refusals,
    ...secretFailureLines(cluster, agent),
    ...(agent.proxyLog ?? []).map((entry) => entry.text),
  ];
}

/**
 * The logger the policy watcher writes with: the k8s watchers' (`subsys=k8s-watcher`) up to 1.15,
 * its own hive module from 1.16 (pkg/policy/k8s), named by its full module path under slog in 1.18.
 */
function policyWatcherLogger(config: CiliumConfig): [string, string][] {
  if (logsWithSlog(config)) return [['module', 'agent.controlplane.policy-k8s-watcher']];
  return [['subsys', config.versionMinor >= 16 ? 'policy-k8s-watcher' : 'k8s-watcher']];
}

/** When the agent saw the policy: the object's last write, as the API server stamps it. */
function receivedAtMs(cluster: Cluster, refusal: Refusal): number {
  const key = refusal.namespace === undefined ? refusal.name : `${refusal.namespace}/${refusal.name}`;
  const object = getObject(cluster.api, refusal.kind as ApiKind, key);
  return object === undefined ? 0 : Date.parse(object.metadata.creationTimestamp) - virtualEpochMs;
}
