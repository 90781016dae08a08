/**
 * How the API server admits RBAC objects (rbac.authorization.k8s.io/v1 Role, ClusterRole,
 * RoleBinding, ClusterRoleBinding), following ValidateRole, ValidateRoleBinding and their update
 * rules in kubernetes pkg/apis/rbac/validation/validation.go: every rule needs verbs, resource
 * rules need API groups, namespaced rules cannot name non-resource URLs, a binding's roleRef must
 * name a Role or ClusterRole of the RBAC group and can never change, and subjects must be well
 * formed. The authorizer that reads these objects is k8s/rbac-authorizer.ts.
 */
import type { ApiRefusal } from './api-errors';
import type { ApiObject, ClusterRoleBinding, RoleBinding, RoleRef } from './objects';

export const rbacGroup = 'rbac.authorization.k8s.io';
export const rbacApiVersion = 'rbac.authorization.k8s.io/v1';

/** The RBAC kinds the API server serves. */
export const rbacKinds: ReadonlySet<string> = new Set([
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
]);

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** Go's %#v of a []string, as field.Invalid prints a value. */
const goStrings = (values: readonly string[]): string =>
  `[]string{${values.map((value) => JSON.stringify(value)).join(', ')}}`;

function ruleCauses(rules: unknown, namespaced: boolean): string[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return ['rules: Invalid value: "object": rules must be a list'];
  const causes: string[] = [];
  rules.forEach((value: unknown, index) => {
    const rule = asRecord(value);
    const path = `rules[${index}]`;
    const verbs = strings(rule.verbs);
    const urls = strings(rule.nonResourceURLs);
    const resources = strings(rule.resources);
    if (verbs.length === 0)
      causes.push(`${path}.verbs: Required value: verbs must contain at least one value`);
    if (urls.length > 0) {
      if (namespaced)
        causes.push(
          `${path}.nonResourceURLs: Invalid value: ${goStrings(urls)}: namespaced rules cannot apply to non-resource URLs`,
        );
      if (
        strings(rule.apiGroups).length > 0 ||
        resources.length > 0 ||
        strings(rule.resourceNames).length > 0
      )
        causes.push(
          `${path}.nonResourceURLs: Invalid value: ${goStrings(urls)}: rules cannot apply to both regular resources and non-resource URLs`,
        );
      return;
    }
    if (strings(rule.apiGroups).length === 0)
      causes.push(`${path}.apiGroups: Required value: resource rules must supply at least one api group`);
    if (resources.length === 0)
      causes.push(`${path}.resources: Required value: resource rules must supply at least one resource`);
  });
  return causes;
}

function subjectCauses(subjects: unknown, clusterScoped: boolean): string[] {
  if (subjects === undefined || subjects === null) return [];
  const causes: string[] = [];
  (Array.isArray(subjects) ? subjects : []).forEach((value: unknown, index) => {
    const subject = asRecord(value);
    const path = `subjects[${index}]`;
    const kind = typeof subject.kind === 'string' ? subject.kind : '';
    const apiGroup = typeof subject.apiGroup === 'string' ? subject.apiGroup : '';
    if (typeof subject.name !== 'string' || subject.name === '') causes.push(`${path}.name: Required value`);
    if (kind === 'ServiceAccount') {
      if (apiGroup !== '')
        causes.push(`${path}.apiGroup: Unsupported value: "${apiGroup}": supported values: ""`);
      if (clusterScoped && (typeof subject.namespace !== 'string' || subject.namespace === ''))
        causes.push(`${path}.namespace: Required value`);
    } else if (kind === 'User' || kind === 'Group') {
      if (apiGroup !== rbacGroup)
        causes.push(`${path}.apiGroup: Unsupported value: "${apiGroup}": supported values: "${rbacGroup}"`);
    } else
      causes.push(
        `${path}.kind: Unsupported value: "${kind}": supported values: "ServiceAccount", "User", "Group"`,
      );
  });
  return causes;
}

function roleRefCauses(value: unknown, clusterScoped: boolean): string[] {
  const roleRef = asRecord(value);
  const causes: string[] = [];
  const kind = typeof roleRef.kind === 'string' ? roleRef.kind : '';
  const apiGroup = typeof roleRef.apiGroup === 'string' ? roleRef.apiGroup : '';
  if (clusterScoped && kind !== 'ClusterRole')
    causes.push(`roleRef.kind: Unsupported value: "${kind}": supported values: "ClusterRole"`);
  if (!clusterScoped && kind !== 'Role' && kind !== 'ClusterRole')
    causes.push(`roleRef.kind: Unsupported value: "${kind}": supported values: "Role", "ClusterRole"`);
  if (apiGroup !== rbacGroup)
    causes.push(`roleRef.apiGroup: Unsupported value: "${apiGroup}": supported values: "${rbacGroup}"`);
  if (typeof roleRef.name !== 'string' || roleRef.name === '') causes.push('roleRef.name: Required value');
  return causes;
}

/**
 * Admits an RBAC object from a manifest (plain JSON): the object to store, or the API server's
 * Invalid refusal with one cause per field.
 */
export function admitRbacObject(
  kind: string,
  body: unknown,
): { object: ApiObject } | { refusal: ApiRefusal } {
  const record = asRecord(body);
  const name =
    typeof asRecord(record.metadata).name === 'string' ? String(asRecord(record.metadata).name) : '';
  const causes =
    kind === 'Role' || kind === 'ClusterRole'
      ? ruleCauses(record.rules, kind === 'Role')
      : [
          ...roleRefCauses(record.roleRef, kind === 'ClusterRoleBinding'),
          ...subjectCauses(record.subjects, kind === 'ClusterRoleBinding'),
        ];
  if (causes.length > 0) return { refusal: { reason: 'Invalid', kind, name, causes } };
  return { object: JSON.parse(JSON.stringify(body)) as ApiObject };
}

/** Go's %#v of a RoleRef, as the update refusal prints it. */
function goRoleRef(roleRef: RoleRef): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(roleRef.apiGroup)}, Kind:${JSON.stringify(roleRef.kind)}, Name:${JSON.stringify(roleRef.name)}}`;
}

/** ValidateRoleBindingUpdate: a binding's roleRef is immutable (delete and recreate it instead). */
export function roleRefChangeRefusal(
  existing: RoleBinding | ClusterRoleBinding,
  next: ApiObject,
): ApiRefusal | undefined {
  if (next.kind !== 'RoleBinding' && next.kind !== 'ClusterRoleBinding') return undefined;
  const before = existing.roleRef;
  const after = next.roleRef;
  if (before.apiGroup === after.apiGroup && before.kind === after.kind && before.name === after.name)
    return undefined;
  return {
    reason: 'Invalid',
    kind: next.kind,
    name: next.metadata.name,
    causes: [`roleRef: Invalid value: ${goRoleRef(after)}: cannot change roleRef`],
  };
}
