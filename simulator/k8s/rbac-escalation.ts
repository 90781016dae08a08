/**
 * RBAC's escalation check (kubernetes pkg/registry/rbac/validation/rule.go ConfirmNoEscalation and
 * the policy-based storage of roles and bindings): a user may write a Role or ClusterRole only with
 * rules it already holds itself (or the `escalate` verb on roles), and bind a role only if it holds
 * every rule of that role (or the `bind` verb on it). The superuser group always may.
 */
import { getObject } from './api-store';
import type { ApiObject, PolicyRule } from './objects';
import { authorize, privilegedGroup, ruleAllows, rulesFor, type UserInfo } from './rbac-authorizer';
import type { Cluster } from '../world';
import { qualifiedResource } from './apply';

/**
 * BreakdownRule: one verb, group, resource and name per rule. The API server's escalation check
 * and kubectl's rule listing (kubectl pkg/util/rbac, a copy of the same function) both use it.
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? [])
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) rules.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        for (const name of names)
          rules.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
      }
  for (const url of rule.nonResourceURLs ?? [])
    for (const verb of rule.verbs) rules.push({ verbs: [verb], nonResourceURLs: [url] });
  return rules;
}

/** Whether one of the owner's rules covers a broken-down rule (it allows that exact request). */
function covered(owner: readonly PolicyRule[], rule: PolicyRule): boolean {
  const verb = rule.verbs[0] ?? '';
  const url = rule.nonResourceURLs?.[0];
  if (url !== undefined) return owner.some((candidate) => ruleAllows(candidate, { verb, path: url }));
  const [resource = '', subresource] = (rule.resources?.[0] ?? '').split('/', 2);
  const request = {
    verb,
    apiGroup: rule.apiGroups?.[0] ?? '',
    resource,
    ...(subresource !== undefined ? { subresource } : {}),
    ...(rule.resourceNames?.[0] !== undefined ? { name: rule.resourceNames[0] } : {}),
  };
  return owner.some(
    (candidate) =>
      // A `*` in the requested rule is covered only by a `*` in the owner's.
      (!rule.verbs.includes('*') || candidate.verbs.includes('*')) &&
      (!(rule.apiGroups ?? []).includes('*') || (candidate.apiGroups ?? []).includes('*')) &&
      (!(rule.resources ?? []).includes('*') || (candidate.resources ?? []).includes('*')) &&
      ((rule.resourceNames ?? []).length > 0 || (candidate.resourceNames ?? []).length === 0) &&
      ruleAllows(candidate, request),
  );
}

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
function compactString(rule: PolicyRule): string {
  const quoted = (values: readonly string[]): string =>
    `[${values.map((value) => JSON.stringify(value)).join(' ')}]`;
  const parts: string[] = [];
  if ((rule.apiGroups ?? []).length > 0) parts.push(`APIGroups:${quoted(rule.apiGroups ?? [])}`);
  if ((rule.resources ?? []).length > 0) parts.push(`Resources:${quoted(rule.resources ?? [])}`);
  if ((rule.nonResourceURLs ?? []).length > 0)
    parts.push(`NonResourceURLs:${quoted(rule.nonResourceURLs ?? [])}`);
  if ((rule.resourceNames ?? []).length > 0) parts.push(`ResourceNames:${quoted(rule.resourceNames ?? [])}`);
  if (rule.verbs.length > 0) parts.push(`Verbs:${quoted(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** The missing rules, compacted (one rule per group, resource and name, verbs merged) and sorted. */
function describeMissing(missing: readonly PolicyRule[]): string {
  const merged = new Map<string, PolicyRule>();
  const others: PolicyRule[] = [];
  for (const rule of missing) {
    if ((rule.nonResourceURLs ?? []).length > 0) {
      others.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? []]);
    const known = merged.get(key);
    if (known === undefined) merged.set(key, { ...rule, verbs: [...rule.verbs] });
    else for (const verb of rule.verbs) if (!known.verbs.includes(verb)) known.verbs.push(verb);
  }
  return [...new Set([...merged.values(), ...others].map(compactString))].sort().join('\n');
}

/** The rules an RBAC object would grant, or undefined when it grants nothing to check. */
function grantedRules(cluster: Cluster, object: ApiObject): PolicyRule[] | undefined {
  if (object.kind === 'Role' || object.kind === 'ClusterRole') return object.rules ?? [];
  if (object.kind !== 'RoleBinding' && object.kind !== 'ClusterRoleBinding') return undefined;
  const ref = object.roleRef;
  const role =
    ref.kind === 'ClusterRole'
      ? getObject(cluster.api, 'ClusterRole', ref.name)
      : getObject(cluster.api, 'Role', `${object.metadata.namespace ?? 'default'}/${ref.name}`);
  return role?.rules ?? [];
}

/**
 * The API server's refusal of a write that would grant more than the user holds, as the text after
 * `Error from server (Forbidden): `; undefined when the write is allowed.
 */
export function escalationRefusal(cluster: Cluster, user: UserInfo, object: ApiObject): string | undefined {
  if (user.groups.includes(privilegedGroup)) return undefined;
  const granted = grantedRules(cluster, object);
  if (granted === undefined) return undefined;
  const namespace = object.metadata.namespace ?? '';
  const binding = object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding';
  const ref = binding ? object.roleRef : undefined;
  const verb = binding ? 'bind' : 'escalate';
  const resource =
    ref !== undefined
      ? ref.kind === 'ClusterRole'
        ? 'clusterroles'
        : 'roles'
      : object.kind === 'ClusterRole'
        ? 'clusterroles'
        : 'roles';
  const request = {
    verb,
    apiGroup: 'rbac.authorization.k8s.io',
    resource,
    ...(namespace !== '' ? { namespace } : {}),
    name: ref?.name ?? object.metadata.name,
  };
  if (authorize(cluster, user, request).allowed) return undefined;
  const owner = rulesFor(cluster, user, namespace).rules;
  const missing = granted.flatMap(breakdownRule).filter((rule) => !covered(owner, rule));
  if (missing.length === 0) return undefined;
  const groups = `[${user.groups.map((group) => JSON.stringify(group)).join(' ')}]`;
  return `${qualifiedResource(object.kind)} "${object.metadata.name}" is forbidden: user "${user.name}" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${describeMissing(missing)}`;
}
