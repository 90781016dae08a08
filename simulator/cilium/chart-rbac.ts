/**
 * The identities and permissions Cilium's Helm chart installs (install/kubernetes/cilium/templates
 * cilium-agent/{serviceaccount,clusterrole,clusterrolebinding,role,rolebinding}.yaml and
 * cilium-operator/… in cilium/cilium, rules as the 1.18 chart renders them with default values):
 * the `cilium` and `cilium-operator` ServiceAccounts in kube-system, their ClusterRoles and
 * bindings, and the agent's Role on ConfigMaps in kube-system. Neither account may exec into pods,
 * which is what a reader checks with `kubectl auth can-i create pods/exec --as=…`. Older releases'
 * charts list fewer Cilium CRDs in the same rules; the model uses the 1.18 rules for every version.
 */
import type { ApiObject, ObjectMeta, PolicyRule } from '../k8s/objects';
import { rbacApiVersion, rbacGroup } from '../k8s/rbac-objects';

const read = ['get', 'list', 'watch'];
const rule = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule =>
  resourceNames === undefined
    ? { apiGroups, resources, verbs }
    : { apiGroups, resourceNames, resources, verbs };

const ciliumCrdsWatched = [
  'ciliumloadbalancerippools',
  'ciliumbgppeeringpolicies',
  'ciliumbgpnodeconfigs',
  'ciliumbgpadvertisements',
  'ciliumbgppeerconfigs',
  'ciliumclusterwideenvoyconfigs',
  'ciliumclusterwidenetworkpolicies',
  'ciliumegressgatewaypolicies',
  'ciliumendpoints',
  'ciliumendpointslices',
  'ciliumenvoyconfigs',
  'ciliumidentities',
  'ciliumlocalredirectpolicies',
  'ciliumnetworkpolicies',
  'ciliumnodes',
  'ciliumnodeconfigs',
  'ciliumcidrgroups',
  'ciliuml2announcementpolicies',
  'ciliumpodippools',
];

/** The agent's ClusterRole `cilium`. */
const agentRules: PolicyRule[] = [
  rule(read, ['networking.k8s.io'], ['networkpolicies']),
  rule(read, ['discovery.k8s.io'], ['endpointslices']),
  rule(read, [''], ['namespaces', 'services', 'pods', 'endpoints', 'nodes']),
  rule(['list', 'watch', 'get'], ['apiextensions.k8s.io'], ['customresourcedefinitions']),
  rule(['list', 'watch'], ['cilium.io'], ciliumCrdsWatched),
  rule(['create'], ['cilium.io'], ['ciliumidentities', 'ciliumendpoints', 'ciliumnodes']),
  rule(['update'], ['cilium.io'], ['ciliumidentities']),
  rule(['delete', 'get'], ['cilium.io'], ['ciliumendpoints']),
  rule(['get', 'update'], ['cilium.io'], ['ciliumnodes', 'ciliumnodes/status']),
  rule(
    ['patch'],
    ['cilium.io'],
    [
      'ciliumendpoints/status',
      'ciliumendpoints',
      'ciliuml2announcementpolicies/status',
      'ciliumbgpnodeconfigs/status',
    ],
  ),
];

/** The operator's ClusterRole `cilium-operator` (the rules that concern the model's kinds and more). */
const operatorRules: PolicyRule[] = [
  rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
  rule(['patch'], [''], ['configmaps'], ['cilium-config']),
  rule(['list', 'watch'], [''], ['nodes']),
  rule(['patch'], [''], ['nodes', 'nodes/status']),
  rule(read, ['discovery.k8s.io'], ['endpointslices']),
  rule(['update', 'patch'], [''], ['services/status']),
  rule(read, [''], ['namespaces', 'secrets']),
  rule(read, [''], ['services', 'endpoints']),
  rule(
    ['create', 'update', 'deletecollection', 'patch', 'get', 'list', 'watch'],
    ['cilium.io'],
    ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'],
  ),
  rule(
    ['patch', 'update'],
    ['cilium.io'],
    ['ciliumnetworkpolicies/status', 'ciliumclusterwidenetworkpolicies/status'],
  ),
  rule(['delete', 'list', 'watch'], ['cilium.io'], ['ciliumendpoints', 'ciliumidentities']),
  rule(['update'], ['cilium.io'], ['ciliumidentities']),
  rule(['create', 'update', 'get', 'list', 'watch', 'delete'], ['cilium.io'], ['ciliumnodes']),
  rule(['update'], ['cilium.io'], ['ciliumnodes/status']),
  rule(
    ['create', 'update', 'get', 'list', 'watch', 'delete', 'patch'],
    ['cilium.io'],
    [
      'ciliumendpointslices',
      'ciliumenvoyconfigs',
      'ciliumbgppeerconfigs',
      'ciliumbgpadvertisements',
      'ciliumbgpnodeconfigs',
    ],
  ),
  rule(['create', 'get', 'list', 'watch'], ['apiextensions.k8s.io'], ['customresourcedefinitions']),
  rule(['create', 'get', 'update'], ['coordination.k8s.io'], ['leases']),
];

const partOf = { 'app.kubernetes.io/part-of': 'cilium' };

/** The metadata the chart gives an object (cilium/chart.ts: Helm's labels and annotations). */
export type ChartMetadata = (name: string, namespace?: string, labels?: Record<string, string>) => ObjectMeta;

/**
 * The chart's RBAC objects, in the order Helm installs them (accounts, roles, bindings), for a
 * release in `namespace` (kube-system as the docs install it).
 */
export function ciliumChartRbac(meta: ChartMetadata, namespace: string): ApiObject[] {
  const account = (name: string): ApiObject => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(name, namespace),
  });
  const clusterRole = (name: string, rules: PolicyRule[]): ApiObject => ({
    apiVersion: rbacApiVersion,
    kind: 'ClusterRole',
    metadata: meta(name, undefined, partOf),
    rules,
  });
  const clusterBinding = (name: string): ApiObject => ({
    apiVersion: rbacApiVersion,
    kind: 'ClusterRoleBinding',
    metadata: meta(name, undefined, partOf),
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  return [
    account('cilium'),
    account('cilium-operator'),
    clusterRole('cilium', agentRules),
    clusterRole('cilium-operator', operatorRules),
    {
      apiVersion: rbacApiVersion,
      kind: 'Role',
      metadata: meta('cilium-config-agent', namespace, partOf),
      rules: [rule(read, [''], ['configmaps'])],
    },
    clusterBinding('cilium'),
    clusterBinding('cilium-operator'),
    {
      apiVersion: rbacApiVersion,
      kind: 'RoleBinding',
      metadata: meta('cilium-config-agent', namespace, partOf),
      roleRef: { apiGroup: rbacGroup, kind: 'Role', name: 'cilium-config-agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'cilium', namespace }],
    },
  ];
}
