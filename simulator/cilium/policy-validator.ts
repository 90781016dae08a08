/**
 * Where a Cilium policy the agent refuses shows outside the agent's log, by release:
 * - 1.12 to 1.14: each agent writes its own verdict into `status.nodes.<node>` (ok, error,
 *   enforcing, …), but only with Helm `enableCnpStatusUpdates=true`; the chart's default
 *   (`disable-cnp-status-updates: "true"`, install/kubernetes/cilium/templates/cilium-configmap.yaml)
 *   leaves the status empty. 1.15 removed the updater (pkg/k8s/watchers/cilium_network_policy.go).
 * - 1.16+: the operator's network-policy validator (operator/pkg/networkpolicy/cell.go) runs the same
 *   sanitising on every CNP and CCNP it sees and writes a `Valid` condition through the status
 *   subresource: "True" with "Policy validation succeeded", or "False" with the sanitize error.
 *   `kubectl get cnp` shows it in the VALID column from 1.17's CRD on.
 */
import { getObject } from '../k8s/api-store';
import { apiPut, enqueueSync } from '../k8s/api-writes';
import type { ApiKind, ApiObject } from '../k8s/objects';
import type { PolicyObject } from './objects';
import { type PolicyError } from '../policy/index';
import { parsePolicyDocuments } from './policy-documents';
import { toTimestamp } from '../engine/virtual-time';
import type { World } from '../world';
import { parseCiliumVersion, type CiliumConfig } from './config';

/** A `Valid` condition as the operator writes it (NetworkPolicyCondition in cnp_types.go). */
export interface PolicyCondition {
  type: 'Valid';
  status: 'True' | 'False';
  lastTransitionTime: string;
  message: string;
}

/** Helm `nodeSelectorLabels` (enable-node-selector-labels), off by default. */
export function nodeSelectorLabels(config: CiliumConfig | undefined): boolean {
  return config?.values.nodeSelectorLabels === 'true';
}

/** Whether 1.12–1.14 agents write per-node status (Helm `enableCnpStatusUpdates`, off by default). */
export function agentsWriteNodeStatus(config: CiliumConfig | undefined): boolean {
  return config !== undefined && config.versionMinor <= 14 && config.values.enableCnpStatusUpdates === 'true';
}

/** Whether the operator validates policies and writes their `Valid` condition (1.16+). */
function operatorValidatesPolicies(config: CiliumConfig | undefined): boolean {
  return config !== undefined && config.versionMinor >= 16;
}

const policyKinds = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** Queues the operator's validation of a policy it saw written (its informer's upsert). */
export function notifyPolicyValidator(world: World, kind: ApiKind, object: ApiObject, key: string): void {
  // Every change the API server makes comes here: two comparisons of interned names, not a hash.
  if (kind !== 'CiliumNetworkPolicy' && kind !== 'CiliumClusterwideNetworkPolicy') return;
  if (!operatorValidatesPolicies(world.cluster?.cilium?.config)) return;
  enqueueSync(world, 'operator.policyvalidation.sync', `${object.kind}|${key}`);
}

/**
 * The operator's verdict: the sanitize errors of every rule, joined (1.17+) or, in 1.16, only those
 * of the last rule it checked (its loop overwrote the joined error). Before 1.16.4 the operator did
 * not bind the agent's flags and judged with their defaults (L7 proxy on, node selector labels off).
 */
function operatorVerdict(config: CiliumConfig, policy: PolicyObject): string | undefined {
  const patch = parseCiliumVersion(config.version)?.patch ?? 0;
  const boundFlags = config.versionMinor > 16 || patch >= 4;
  const parsed = parsePolicyDocuments(JSON.stringify(policy), {
    ciliumVersion: config.version,
    l7Proxy: boundFlags ? config.l7Proxy : true,
    nodeSelectorLabels: boundFlags ? config.values.nodeSelectorLabels === 'true' : false,
  });
  const errors: PolicyError[] = (parsed.objects[0]?.agentErrors ?? []).filter(
    (error) => error.complete !== true,
  );
  if (errors.length === 0) return undefined;
  if (config.versionMinor === 16) {
    const specs = Array.isArray(policy.specs) ? policy.specs : [];
    const last = specs.length > 0 ? `specs[${specs.length - 1}]` : 'spec';
    const lastErrors = errors.filter((error) => error.path === last || error.path.startsWith(`${last}.`));
    return lastErrors[0]?.message;
  }
  return errors.map((error) => error.message).join('\n');
}

/** The conditions after a validation, keeping the transition time when the status did not change. */
function nextConditions(
  previous: readonly PolicyCondition[],
  error: string | undefined,
  nowMs: number,
): PolicyCondition[] {
  const status = error === undefined ? 'True' : 'False';
  const message = error ?? 'Policy validation succeeded';
  const found = previous.find((condition) => condition.type === 'Valid');
  if (found !== undefined && found.status === status && found.message === message) return [...previous];
  const condition: PolicyCondition = {
    type: 'Valid',
    status,
    lastTransitionTime:
      found !== undefined && found.status === status ? found.lastTransitionTime : toTimestamp(nowMs),
    message,
  };
  return found === undefined
    ? [...previous, condition]
    : previous.map((each) => (each === found ? condition : each));
}

/** Handles `operator.policyvalidation.sync`: validates the policy and updates its status if needed. */
export function validatePolicyStatus(world: World, queueKey: string): void {
  const cluster = world.cluster;
  const config = cluster?.cilium?.config;
  if (cluster === undefined || config === undefined) return;
  const separator = queueKey.indexOf('|');
  const kind = queueKey.slice(0, separator) as PolicyObject['kind'];
  const object = getObject(cluster.api, kind, queueKey.slice(separator + 1));
  if (object === undefined || !policyKinds.has(object.kind)) return;
  const policy = object;
  const status = (policy.status ?? {}) as { conditions?: PolicyCondition[] };
  const previous = status.conditions ?? [];
  const conditions = nextConditions(previous, operatorVerdict(config, policy), world.timeMs);
  if (JSON.stringify(conditions) === JSON.stringify(previous)) return;
  // UpdateStatus: the status subresource leaves the spec and the generation alone.
  apiPut(world, { ...policy, status: { ...status, conditions } });
}
