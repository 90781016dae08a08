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

/** Whether a policy whose Secret failed selects one of the agent's endpoints. */
function selectsEndpoint(failure: SecretFailure, endpoint: LocalEndpoint): boolean {
  if (failure.kind === 'CiliumNetworkPolicy' && failure.namespace !== endpoint.namespace) return false;
  const labels = indexLabels(labelSetFromStrings(endpoint.labels));
  return failure.policy.rules.some(
    (rule) => rule.endpointSelector !== undefined && selectorMatches(rule.endpointSelector, labels),
  );
}

/**
 * getCerts' warning for a failed Secret lookup (pkg/policy/l4.go). Up to 1.17 the direction is in
 * the message (`policy: Error getting terminating TLS Context.`, subsys=policy); 1.18 logs through
 * the policy repository's slog logger (module agent.controlplane.policy, with the identity whose
 * policy is computed) and puts the direction in `trafficDirection` (v1.18 branch, pkg/policy/l4.go
 * and repository.go's resolvePolicyLocked).
 */
function tlsContextWarning(
  config: CiliumConfig,
  failure: SecretFailure,
  endpoint: LocalEndpoint,
  atMs: number,
) {
  const direction = failure.use.direction;
  if (!logsWithSlog(config))
    return agentLogLine(config, {
      atMs,
      level: 'warning',
      msg: `policy: Error getting ${direction} TLS Context.`,
      fields: [
        ['error', failure.error],
        ['subsys', 'policy'],
      ],
    });
  return agentLogLine(config, {
    atMs,
    level: 'warning',
    msg: 'policy: Error getting TLS Context',
    fields: [
      ['module', 'agent.controlplane.policy'],
      ['identity', String(endpoint.identity)],
      ['error', failure.error],
      ['trafficDirection', direction],
    ],
  });
}

/**
 * The endpoint's failed regeneration (updateRegenerationStatistics in pkg/endpoint/policy.go). In
 * 1.18 the endpoint's logger carries its attributes (pkg/endpoint/log.go: UpdateLogger), then come
 * the regeneration's reason, its statistics and the error. The real agent keeps those attributes
 * in a sync.Map and the statistics in a Go map, so their order changes from line to line; the
 * model prints them in the order the code stores them and leaves the timing statistics out.
 */
function regenerationFailure(
  config: CiliumConfig,
  failure: SecretFailure,
  endpoint: LocalEndpoint,
  revision: number,
  atMs: number,
) {
  const name = `${endpoint.namespace}/${endpoint.podName}`;
  const error = `unable to regenerate policy for '${endpoint.id}': ${failure.error}`;
  if (!logsWithSlog(config))
    return agentLogLine(config, {
      atMs,
      level: 'warning',
      msg: 'Regeneration of endpoint failed',
      fields: [
        ['ciliumEndpointName', name],
        ['endpointID', String(endpoint.id)],
        ['error', error],
        ['identity', String(endpoint.identity)],
        ['subsys', 'endpoint'],
      ],
    });
  return agentLogLine(config, {
    atMs,
    level: 'warning',
    msg: 'Regeneration of endpoint failed',
    fields: [
      ['endpointID', String(endpoint.id)],
      ['containerID', endpoint.containerId.slice(0, 10)],
      ['containerInterface', 'eth0'],
      ['datapathPolicyRevision', String(Math.max(0, revision - 1))],
      ['desiredPolicyRevision', String(revision)],
      ['ipv4', endpoint.ip],
      ['ipv6', ''],
      ['k8sPodName', name],
      ['ciliumEndpointName', name],
      ['identity', String(endpoint.identity)],
      ['subsys', 'endpoint'],
      ['reason', 'policy rules updated'],
      ['error', error],
    ],
  });
}

/**
 * What the agent logs when it cannot read a policy's TLS Secret (agent-reads mode): getCerts'
 * warning for a failed lookup, then a failed regeneration for each of its endpoints the policy
 * selects (only those make the agent compute the policy), when the policy arrived.
 */
function secretFailureLines(cluster: Cluster, agent: AgentState): string[] {
  const view = agentView(cluster, agent);
  const config = cluster.cilium?.config;
  if (view === undefined || config === undefined) return [];
  const lines: string[] = [];
  for (const failure of policySecretFailures(cluster, view)) {
    const endpoints = Object.values(agent.endpoints)
      .filter((endpoint) => selectsEndpoint(failure, endpoint))
      .sort((a, b) => a.id - b.id);
    const first = endpoints[0];
    if (first === undefined) continue;
    const atMs = receivedAtMs(cluster, {
      kind: failure.kind,
      name: failure.name,
      ...(failure.namespace !== undefined ? { namespace: failure.namespace } : {}),
    });
    if (failure.fromLookup) lines.push(tlsContextWarning(config, failure, first, atMs));
    for (const endpoint of endpoints)
      lines.push(regenerationFailure(config, failure, endpoint, view.policyRevision, atMs));
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
function receivedAtMs(cluster: Cluster, refusal: Pick<Refusal, 'kind' | 'namespace' | 'name'>): number {
  const key = refusal.namespace === undefined ? refusal.name : `${refusal.namespace}/${refusal.name}`;
  const object = getObject(cluster.api, refusal.kind as ApiKind, key);
  return object === undefined ? 0 : Date.parse(object.metadata.creationTimestamp) - virtualEpochMs;
}
