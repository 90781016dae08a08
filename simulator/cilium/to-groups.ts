/**
 * The operator's `toGroups` handling (pkg/policy/groups and operator/cmd/cnp_event.go at v1.18.5):
 * for a CiliumNetworkPolicy (or clusterwide one) whose egress names `toGroups: [{aws: …}]` (or whose
 * ingress names `fromGroups`, the same derivation with `fromCIDRSet`), the
 * operator asks the cloud provider for the group's addresses and writes a derivative policy beside
 * it, named `<name>-groups-<uid>`, labelled `io.cilium.network.policy.kind: derivative` and
 * `io.cilium.network.policy.parent.uuid: <uid>`, owned by the parent (so it goes with it), whose
 * `specs` are the parent's rules as the agent parses them with each `toGroups` replaced by a
 * `toCIDRSet` of /32s. The parent's `status.derivativePolicies` records the outcome. Every 5 minutes
 * (the `cnp-to-groups` controller's RunInterval) it asks again, so instances that join or leave the
 * group change the derivative.
 *
 * The AWS provider is only compiled into the operator-aws image (operator/cmd/provider_aws_register.go,
 * build tag ipam_provider_aws): the chart's default operator-generic answers
 * `Provider aws is not registered`, and no derivative is written. The AWS SDK finds its credentials
 * in the operator's environment (the Secret `cilium-aws`, through env `valueFrom` as the chart writes
 * them for ENI mode, or the reader's `operator.extraEnv`), read when the container starts.
 */
import { getObject, listObjects, sortedKeysOf } from '../k8s/api-store';
import { apiPut, enqueueSync } from '../k8s/api-writes';
import type { ApiKind, ApiObject, Pod } from '../k8s/objects';
import type { PolicyObject } from './objects';
import { controlPlaneMetadata } from '../k8s/metadata';
import { toTimestamp } from '../engine/virtual-time';
import { schedule, type World } from '../world';
import { awsAccount, securityGroupAddresses } from './aws-ec2';

/** The `cnp-to-groups` controller's RunInterval. */
export const toGroupsPollMs = 5 * 60_000;

type Rule = Record<string, unknown>;
type PolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
const policyKinds: readonly PolicyKind[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** The rules of a Cilium policy: `spec` and the items of `specs`. */
function rulesOf(policy: PolicyObject): Rule[] {
  const rules: Rule[] = [];
  if (typeof policy.spec === 'object' && policy.spec !== null) rules.push(policy.spec as Rule);
  if (Array.isArray(policy.specs)) rules.push(...(policy.specs as Rule[]));
  return rules;
}

/**
 * The rule sections that may name groups, with the field that names them and the CIDR set that
 * replaces it: `toGroups` in egress (EgressCommonRule.CreateDerivative) and `fromGroups` in ingress
 * (IngressCommonRule.CreateDerivative, pkg/policy/api/ingress.go: FromGroups become FromCIDRSet).
 */
const groupSections = [
  { section: 'egress', groups: 'toGroups', cidrSet: 'toCIDRSet' },
  { section: 'egressDeny', groups: 'toGroups', cidrSet: 'toCIDRSet' },
  { section: 'ingress', groups: 'fromGroups', cidrSet: 'fromCIDRSet' },
  { section: 'ingressDeny', groups: 'fromGroups', cidrSet: 'fromCIDRSet' },
] as const;

/** The security groups an item's `toGroups`/`fromGroups` names (AWS is the only provider). */
function groupIds(item: Rule, field: 'toGroups' | 'fromGroups'): string[] | undefined {
  const groups = item[field];
  if (!Array.isArray(groups)) return undefined;
  return (groups as { aws?: { securityGroupsIds?: string[] } }[]).flatMap(
    (group) => group.aws?.securityGroupsIds ?? [],
  );
}

/** Whether a policy needs a derivative (api.Rule.RequiresDerivative). */
function requiresDerivative(object: ApiObject): boolean {
  const policy = object as PolicyObject;
  if (object.kind !== 'CiliumNetworkPolicy' && object.kind !== 'CiliumClusterwideNetworkPolicy') return false;
  if (policy.metadata.labels?.['io.cilium.network.policy.kind'] === 'derivative') return false;
  return rulesOf(policy).some((rule) =>
    groupSections.some(
      ({ section, groups }) =>
        Array.isArray(rule[section]) &&
        (rule[section] as Rule[]).some((item) => groupIds(item, groups) !== undefined),
    ),
  );
}

/** The derivative's name (getDerivativeName). */
function derivativeName(policy: PolicyObject): string {
  return `${policy.metadata.name}-groups-${policy.metadata.uid}`;
}

/** A selector as the agent's parser leaves it: `any:` before a key without a source, the namespace added. */
function parsedSelector(selector: unknown, namespace: string | undefined): Rule {
  const { matchLabels = {}, ...rest } = (selector ?? {}) as { matchLabels?: Record<string, string> };
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(matchLabels))
    labels[key.includes(':') ? key : `any:${key}`] = value;
  if (namespace !== undefined) labels['k8s:io.kubernetes.pod.namespace'] = namespace;
  return { ...rest, matchLabels: labels };
}

/** The rule labels the parser gives every rule of a policy (utils.GetPolicyLabels). */
function policyLabels(policy: PolicyObject): { key: string; source: string; value: string }[] {
  const label = (key: string, value: string) => ({
    key: `io.cilium.k8s.policy.${key}`,
    source: 'k8s',
    value,
  });
  return [
    label('name', policy.metadata.name),
    label('uid', policy.metadata.uid),
    ...(policy.metadata.namespace !== undefined ? [label('namespace', policy.metadata.namespace)] : []),
    label('derived-from', policy.kind),
  ];
}

/** One rule with its `toGroups`/`fromGroups` replaced by the groups' addresses (Rule.CreateDerivative). */
function derivedRule(rule: Rule, policy: PolicyObject, addressesOf: (groups: string[]) => string[]): Rule {
  const derived: Rule = { ...rule };
  if (rule.endpointSelector !== undefined)
    derived.endpointSelector = parsedSelector(rule.endpointSelector, policy.metadata.namespace);
  for (const { section, groups: field, cidrSet } of groupSections) {
    if (!Array.isArray(rule[section])) continue;
    derived[section] = (rule[section] as Rule[]).map((item) => {
      const groups = groupIds(item, field);
      if (groups === undefined) return item;
      const rest = { ...item };
      delete rest[field];
      const cidrs = addressesOf(groups).map((ip) => ({ cidr: `${ip}/32` }));
      return { ...rest, [cidrSet]: [...((item[cidrSet] as Rule[] | undefined) ?? []), ...cidrs] };
    });
  }
  derived.labels = policyLabels(policy);
  return derived;
}

/** Why the operator cannot ask AWS, or undefined when it can. */
function providerError(world: World): string | undefined {
  const cluster = world.cluster;
  if (cluster === undefined) return 'no cluster';
  const operator = listObjects(cluster.api, 'Pod').find(
    (pod) =>
      pod.metadata.namespace === 'kube-system' &&
      pod.metadata.labels?.name === 'cilium-operator' &&
      pod.status?.phase === 'Running' &&
      pod.metadata.deletionTimestamp === undefined,
  );
  const container = operator?.spec.containers[0];
  if (operator === undefined || container === undefined) return 'no operator';
  if (!/\/operator-aws(-ci)?:/.test(container.image)) return 'Provider aws is not registered';
  const credentials = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].every((name) =>
    envSet(world, operator, name),
  );
  if (credentials) return undefined;
  // aws-sdk-go-v2's default chain ends at the instance metadata service, which a kind node lacks.
  return 'Cannot retrieve data from aws provider: cannot retrieve aws network interface information: operation error EC2: DescribeNetworkInterfaces, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found';
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name?: string; key?: string } };
}

/**
 * Whether a container's environment had a variable when it started: a value, or a key of a Secret
 * that existed then (an optional reference to a missing Secret leaves the variable out).
 */
export function envSet(world: Readonly<World>, pod: Pod, name: string): boolean {
  const env = (pod.spec.containers[0]?.env ?? []) as EnvVar[];
  const entry = env.find((each) => each.name === name);
  if (entry === undefined) return false;
  if (entry.value !== undefined) return entry.value !== '';
  const reference = entry.valueFrom?.secretKeyRef;
  const cluster = world.cluster;
  if (reference?.name === undefined || reference.key === undefined || cluster === undefined) return false;
  const secret = getObject(cluster.api, 'Secret', `${pod.metadata.namespace ?? 'default'}/${reference.name}`);
  const data = secret?.data?.[reference.key];
  if (secret === undefined || data === undefined || data === '') return false;
  return (secret.metadata.creationTimestamp ?? '') <= (pod.metadata.creationTimestamp ?? '');
}

/** Queues the operator's handling of a policy it saw written (its CNP and CCNP informers). */
export function notifyToGroupsOperator(world: World, kind: ApiKind, object: ApiObject, key: string): void {
  const cluster = world.cluster;
  if (cluster?.cilium === undefined) return;
  if (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy') {
    if (requiresDerivative(object)) enqueueSync(world, 'operator.togroups.sync', `${kind}|${key}`);
    return;
  }
  // An operator that starts lists every policy (its informers' adds), with the credentials it has now.
  if (kind !== 'Pod') return;
  const pod = object as Pod;
  if (pod.metadata.labels?.name === 'cilium-operator' && pod.status?.phase === 'Running') {
    for (const policyKind of policyKinds)
      for (const policyKey of sortedKeysOf(cluster.api, policyKind))
        if (requiresDerivative(getObject(cluster.api, policyKind, policyKey) ?? object))
          enqueueSync(world, 'operator.togroups.sync', `${policyKind}|${policyKey}`);
  }
}

/** Writes the parent's `status.derivativePolicies` entry when its outcome changed. */
function recordOutcome(world: World, policy: PolicyObject, name: string, error: string | undefined): void {
  const status = (policy.status ?? {}) as {
    derivativePolicies?: Record<string, { ok?: boolean; error?: string }>;
  };
  const previous = status.derivativePolicies?.[name];
  if (previous !== undefined && previous.error === error && (previous.ok === true) === (error === undefined))
    return;
  const entry = {
    ...(error === undefined ? { ok: true } : { error }),
    lastUpdated: toTimestamp(world.timeMs),
  };
  apiPut(world, {
    ...policy,
    status: { ...status, derivativePolicies: { ...status.derivativePolicies, [name]: entry } },
  });
}

/** Handles `operator.togroups.sync`: derives the policy's addresses and writes its derivative. */
export function syncToGroups(world: World, queueKey: string): void {
  const cluster = world.cluster;
  if (cluster === undefined) return;
  const separator = queueKey.indexOf('|');
  const kind = queueKey.slice(0, separator) as PolicyKind;
  const found = getObject(cluster.api, kind, queueKey.slice(separator + 1));
  if (found === undefined || !requiresDerivative(found)) return;
  const policy = found as PolicyObject;
  const name = derivativeName(policy);
  const error = providerError(world);
  if (error !== undefined) {
    recordOutcome(world, policy, name, error);
    return;
  }
  const account = awsAccount(world);
  const specs = rulesOf(policy).map((rule) =>
    derivedRule(rule, policy, (groups) => securityGroupAddresses(account, groups)),
  );
  const namespace = policy.metadata.namespace;
  const key = namespace === undefined ? name : `${namespace}/${name}`;
  const existing = getObject(cluster.api, kind, key) as PolicyObject | undefined;
  if (existing === undefined || JSON.stringify(existing.specs) !== JSON.stringify(specs)) {
    const metadata = existing?.metadata ?? {
      ...controlPlaneMetadata(world, kind, name, namespace),
      labels: {
        'io.cilium.network.policy.parent.uuid': policy.metadata.uid,
        'io.cilium.network.policy.kind': 'derivative',
      },
      ownerReferences: [
        { apiVersion: 'cilium.io/v2', kind, name: policy.metadata.name, uid: policy.metadata.uid },
      ],
    };
    apiPut(world, { apiVersion: 'cilium.io/v2', kind, metadata, specs });
  }
  recordOutcome(world, policy, name, undefined);
  if (cluster.cilium !== undefined && cluster.cilium.toGroupsPollAtMs === undefined) {
    cluster.cilium.toGroupsPollAtMs = world.timeMs + toGroupsPollMs;
    schedule(world, toGroupsPollMs, { type: 'operator.togroups.poll' });
  }
}

/** Handles `operator.togroups.poll`: asks again for every policy with a derivative, every 5 minutes. */
export function pollToGroups(world: World): void {
  const cilium = world.cluster?.cilium;
  const cluster = world.cluster;
  if (cilium === undefined || cluster === undefined) return;
  delete cilium.toGroupsPollAtMs;
  for (const kind of policyKinds) {
    for (const found of listObjects(cluster.api, kind)) {
      if (!requiresDerivative(found)) continue;
      const policy = found as PolicyObject;
      const key =
        policy.metadata.namespace === undefined
          ? policy.metadata.name
          : `${policy.metadata.namespace}/${policy.metadata.name}`;
      syncToGroups(world, `${kind}|${key}`);
    }
  }
}
