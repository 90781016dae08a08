/**
 * Goals over Cilium policies and other objects: a policy passes both stages (the API server's CRD
 * schema stored it; the agent's sanitising finds no error, judged as the operator's validator does
 * with the agents' flags) and its rules select the pods the exercise names.
 */
import { getObject } from '../../k8s/api-store';
import { canonicalJson } from '../../engine/state-hash';
import type { ApiKind, ApiObject } from '../../k8s/objects';
import { parseStoredPolicy } from '../../cilium/policy-documents';
import type { CiliumPolicy, CiliumRule } from '../../policy/model';
import { indexLabels, selectorMatches } from '../../policy/selector-match';
import type { Cluster, World } from '../../world';
import { identityLabels, runningPodsMatching } from '../pods';
import type { GoalCheck } from '../types';
import type { GoalContext } from './context';

type PolicyCheck = Extract<GoalCheck, { kind: 'policy-valid' }>;

/** The stored object's key: `namespace/name`, or the name of a cluster-scoped object. */
function storeKey(name: string, namespace: string | undefined, clusterScoped: boolean): string {
  return clusterScoped ? name : `${namespace ?? 'default'}/${name}`;
}

/** The policy as the agents read it, or undefined when it is missing or the agent refuses it. */
function enforceablePolicy(cluster: Cluster, check: PolicyCheck): CiliumPolicy | undefined {
  const clusterScoped = check.policyKind === 'CiliumClusterwideNetworkPolicy';
  const stored = getObject(
    cluster.api,
    check.policyKind,
    storeKey(check.name, check.namespace, clusterScoped),
  );
  const config = cluster.cilium?.config;
  if (stored === undefined || config === undefined) return undefined;
  // Parsed once per stored object, as the agents' own policy caches do.
  const object = parseStoredPolicy(stored, {
    ciliumVersion: config.version,
    l7Proxy: config.l7Proxy,
    nodeSelectorLabels: config.values.nodeSelectorLabels === 'true',
  }).objects[0];
  if (object === undefined || object.agentErrors.some((error) => error.complete !== true)) return undefined;
  const policy = object.policy;
  return policy?.kind === check.policyKind ? policy : undefined;
}

/** Whether a rule's subject selector picks a pod with these identity labels. */
function ruleSelects(
  policy: CiliumPolicy,
  rule: CiliumRule,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (rule.endpointSelector === undefined) return false;
  if (policy.namespace !== undefined && labels['k8s:io.kubernetes.pod.namespace'] !== policy.namespace)
    return false;
  return selectorMatches(rule.endpointSelector, indexLabels(labels));
}

function hasL7(rule: CiliumRule, protocol: NonNullable<PolicyCheck['l7']>): boolean {
  const sections = [...(rule.ingress ?? []), ...(rule.egress ?? [])];
  return sections.some((section) => (section.toPorts ?? []).some((ports) => ports.rules?.type === protocol));
}

/** Evaluates a `policy-valid` goal. */
export function checkPolicyValid(context: GoalContext, check: PolicyCheck): boolean {
  const cluster = context.world.cluster;
  if (cluster === undefined) return false;
  const policy = enforceablePolicy(cluster, check);
  if (policy === undefined) return false;
  if (check.l7 !== undefined && !policy.rules.some((rule) => hasL7(rule, check.l7 ?? 'http'))) return false;
  if (check.selects === undefined) return true;
  return runningPodsMatching(context.world, check.selects).some((pod) => {
    const endpoint = getObject(
      cluster.api,
      'CiliumEndpoint',
      `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`,
    );
    const identity = endpoint?.status?.identity?.id;
    const labels = identity === undefined ? undefined : identityLabels(cluster, identity);
    return labels !== undefined && policy.rules.some((rule) => ruleSelects(policy, rule, labels));
  });
}

type ObjectCheck = Extract<GoalCheck, { kind: 'object' }>;

/** The object an `object` goal names, looked up as a namespaced or a cluster-scoped one. */
export function objectNamed(world: Readonly<World>, check: ObjectCheck): ApiObject | undefined {
  const cluster = world.cluster;
  if (cluster === undefined) return undefined;
  const kind = check.objectKind as ApiKind;
  return (
    getObject(cluster.api, kind, `${check.namespace ?? 'default'}/${check.name}`) ??
    getObject(cluster.api, kind, check.name)
  );
}

/** What a writer decides in an object: everything but the server's metadata and the status. */
function content(object: ApiObject): string {
  return canonicalJson(
    Object.fromEntries(Object.entries(object).filter(([key]) => key !== 'metadata' && key !== 'status')),
  );
}

/** Evaluates an `object` goal: the object exists (or is absent) and, if asked, is as it was at the start. */
export function checkObject(context: GoalContext, check: ObjectCheck): boolean {
  const object = objectNamed(context.world, check);
  if (check.absent === true) return object === undefined;
  if (object === undefined) return false;
  if (check.unchanged !== true) return true;
  const before = context.atStart.get(check);
  return before !== undefined && content(before) === content(object);
}
