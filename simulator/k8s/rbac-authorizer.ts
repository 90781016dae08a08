/**
 * The API server's authorizer as kind configures it (Node,RBAC, with the system:masters group as
 * superuser), for requests made under impersonation (`kubectl --as`). RBAC walks the
 * ClusterRoleBindings, then the RoleBindings of the request's namespace, and allows the request
 * when a bound role has a matching rule; a binding whose role is missing adds an error that becomes
 * the denial's reason (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go and
 * pkg/registry/rbac/validation/rule.go). The Forbidden message is the API server's
 * (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go).
 */
import { getObject, listObjects } from './api-store';
import type { Cluster } from '../world';
import type { PolicyRule, RbacSubject, RoleRef } from './objects';

/** Who is asking: a user name and the groups it belongs to. */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** A request for an API resource (`create pods/exec in kube-system`). */
export interface ResourceAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A request for a URL outside the resource API (`get /healthz`). */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** The answer: allowed or not, and why not when RBAC met an error on the way. */
export interface Decision {
  allowed: boolean;
  reason: string;
}

/** The superuser group: kind's admin kubeconfig is in it, and it bypasses RBAC. */
export const privilegedGroup = 'system:masters';

/**
 * The user an impersonation header names. A service account user (`system:serviceaccount:NS:NAME`)
 * gets the service-account groups, and every named user `system:authenticated`, as the API
 * server's impersonation filter adds them when no group is given.
 */
export function impersonatedUser(name: string, groups: readonly string[] = []): UserInfo {
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  const implied =
    groups.length > 0
      ? [...groups]
      : account !== null
        ? ['system:serviceaccounts', `system:serviceaccounts:${account[1] ?? ''}`]
        : [];
  if (name !== 'system:anonymous' && !implied.includes('system:authenticated'))
    implied.push('system:authenticated');
  return { name, groups: implied };
}

/** The reader's own identity in kind's kubeconfig. */
export const clusterAdminUser: UserInfo = {
  name: 'kubernetes-admin',
  groups: [privilegedGroup, 'system:authenticated'],
};

/** Whether a binding's subject is the user (a service account of the binding's namespace when it names none). */
function appliesTo(user: UserInfo, subject: RbacSubject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace =
        subject.namespace !== undefined && subject.namespace !== '' ? subject.namespace : bindingNamespace;
      return user.name === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** The rules a role reference grants, or the error the rule resolver reports for a missing role. */
function roleRules(cluster: Cluster, roleRef: RoleRef, namespace: string): PolicyRule[] | string {
  if (roleRef.kind === 'ClusterRole') {
    const role = getObject(cluster.api, 'ClusterRole', roleRef.name);
    return role?.rules ?? `clusterrole.rbac.authorization.k8s.io "${roleRef.name}" not found`;
  }
  const role = getObject(cluster.api, 'Role', `${namespace}/${roleRef.name}`);
  return role?.rules ?? `role.rbac.authorization.k8s.io "${roleRef.name}" not found`;
}

/**
 * Visits every rule that applies to the user in a namespace (cluster-wide bindings first), as the
 * rule resolver's VisitRulesFor does; stops when the visitor returns false. Returns the errors met.
 */
function visitRulesFor(
  cluster: Cluster,
  user: UserInfo,
  namespace: string,
  visit: (rule: PolicyRule) => boolean,
): string[] {
  const errors: string[] = [];
  const bindings = [
    ...listObjects(cluster.api, 'ClusterRoleBinding').map((binding) => ({ binding, namespace: '' })),
    ...(namespace === ''
      ? []
      : listObjects(cluster.api, 'RoleBinding')
          .filter((binding) => binding.metadata.namespace === namespace)
          .map((binding) => ({ binding, namespace }))),
  ];
  for (const { binding, namespace: bindingNamespace } of bindings) {
    if (!(binding.subjects ?? []).some((subject) => appliesTo(user, subject, bindingNamespace))) continue;
    const rules = roleRules(cluster, binding.roleRef, bindingNamespace);
    if (typeof rules === 'string') {
      errors.push(rules);
      continue;
    }
    for (const rule of rules) if (!visit(rule)) return errors;
  }
  return errors;
}

const has = (values: readonly string[] | undefined, value: string): boolean =>
  (values ?? []).includes('*') || (values ?? []).includes(value);

/** rbac.ResourceMatches: `*`, the combined `resource/subresource`, or `*\/subresource`. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource === undefined || subresource === '' ? resource : `${resource}/${subresource}`;
  return (rule.resources ?? []).some(
    (ruleResource) =>
      ruleResource === '*' ||
      ruleResource === combined ||
      (subresource !== undefined && subresource !== '' && ruleResource === `*/${subresource}`),
  );
}

/** rbac.NonResourceURLMatches: `*`, the exact path, or a prefix ending in `*`. */
function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))),
  );
}

/** Whether one rule allows the request (RuleAllows). */
export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  if (!has(rule.verbs, request.verb)) return false;
  if ('path' in request) return urlMatches(rule, request.path);
  return (
    has(rule.apiGroups, request.apiGroup) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    ((rule.resourceNames ?? []).length === 0 || (rule.resourceNames ?? []).includes(request.name ?? ''))
  );
}

/** The authorizer's decision for a request by a user. */
export function authorize(cluster: Cluster, user: UserInfo, request: RequestAttributes): Decision {
  if (user.groups.includes(privilegedGroup)) return { allowed: true, reason: '' };
  let allowed = false;
  const namespace = 'path' in request ? '' : (request.namespace ?? '');
  const errors = visitRulesFor(cluster, user, namespace, (rule) => {
    allowed = ruleAllows(rule, request);
    return !allowed;
  });
  if (allowed) return { allowed: true, reason: '' };
  const reason =
    errors.length === 0
      ? ''
      : errors.length === 1
        ? `RBAC: ${errors[0] ?? ''}`
        : `RBAC: [${errors.join(', ')}]`;
  return { allowed: false, reason };
}

/** Every rule that applies to a user in a namespace (SelfSubjectRulesReview, for `auth can-i --list`). */
export function rulesFor(
  cluster: Cluster,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  if (user.groups.includes(privilegedGroup))
    return {
      rules: [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ],
      errors: [],
    };
  const rules: PolicyRule[] = [];
  const errors = visitRulesFor(cluster, user, namespace, (rule) => {
    rules.push(rule);
    return true;
  });
  return { rules, errors };
}

/**
 * The API server's Forbidden message for a denied request, as kubectl prints it after
 * `Error from server (Forbidden): `.
 */
export function forbiddenMessage(user: UserInfo, request: RequestAttributes, reason: string): string {
  const because = reason === '' ? '' : `: ${reason}`;
  if ('path' in request)
    return `forbidden: User "${user.name}" cannot ${request.verb} path "${request.path}"${because}`;
  const resource =
    request.subresource === undefined || request.subresource === ''
      ? request.resource
      : `${request.resource}/${request.subresource}`;
  const scope =
    request.namespace === undefined || request.namespace === ''
      ? 'at the cluster scope'
      : `in the namespace "${request.namespace}"`;
  const qualified = request.apiGroup === '' ? request.resource : `${request.resource}.${request.apiGroup}`;
  const subject =
    request.name === undefined || request.name === '' ? qualified : `${qualified} "${request.name}"`;
  return `${subject} is forbidden: User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.apiGroup}" ${scope}${because}`;
}
