/**
 * The RBAC objects a new kind cluster has before anyone applies anything: the API server's
 * bootstrap ClusterRoles and ClusterRoleBindings (kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy, whose testdata/cluster-roles.yaml and
 * cluster-role-bindings.yaml list them), and the few kubeadm and kind add (kube-proxy's binding,
 * CoreDNS's role, kindnet's and local-path-provisioner's). The `system:controller:*` roles of each
 * kube-controller-manager loop, `system:node`, the scheduler's, the controller manager's and the
 * certificate approvers' roles are left out: nobody in the guides binds or impersonates them.
 * `admin`, `edit` and `view` are aggregated roles; their rules are filled in by the aggregation
 * controller (k8s/rbac-aggregation.ts) from the `system:aggregate-to-*` roles.
 */
import type { World } from '../world';
import { controlPlaneMetadata } from './metadata';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacSubject } from './objects';
import { rbacApiVersion, rbacGroup } from './rbac-objects';

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];

const rule = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule =>
  resourceNames === undefined
    ? { apiGroups, resources, verbs }
    : { apiGroups, resourceNames, resources, verbs };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

/** A bootstrap role's name, rules and (for aggregation) labels. */
interface RoleSpec {
  name: string;
  rules?: PolicyRule[];
  labels?: Record<string, string>;
  aggregateFrom?: string;
  /** Whether the API server writes it (labelled rbac-defaults) rather than kubeadm or kind. */
  bootstrap?: boolean;
}

const aggregate = (to: string): Record<string, string> => ({
  [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true',
});

const roleSpecs: RoleSpec[] = [
  { name: 'admin', aggregateFrom: 'admin', bootstrap: true },
  {
    name: 'cluster-admin',
    rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])],
    bootstrap: true,
  },
  { name: 'edit', aggregateFrom: 'edit', labels: aggregate('admin'), bootstrap: true },
  {
    name: 'system:aggregate-to-admin',
    labels: aggregate('admin'),
    bootstrap: true,
    rules: [
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      rule(
        [...write.slice(0, 3), 'get', 'list', 'patch', 'update', 'watch'],
        [rbacGroup],
        ['rolebindings', 'roles'],
      ),
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: aggregate('edit'),
    bootstrap: true,
    rules: [
      rule(
        read,
        [''],
        ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
      ),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(write, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [''], ['pods/eviction']),
      rule(
        write,
        [''],
        [
          'configmaps',
          'events',
          'persistentvolumeclaims',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'secrets',
          'serviceaccounts',
          'services',
          'services/proxy',
        ],
      ),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(
        write,
        ['apps'],
        [
          'daemonsets',
          'deployments',
          'deployments/rollback',
          'deployments/scale',
          'replicasets',
          'replicasets/scale',
          'statefulsets',
          'statefulsets/scale',
        ],
      ),
      rule(write, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(write, ['batch'], ['cronjobs', 'jobs']),
      rule(
        write,
        ['extensions'],
        [
          'daemonsets',
          'deployments',
          'deployments/rollback',
          'deployments/scale',
          'ingresses',
          'networkpolicies',
          'replicasets',
          'replicasets/scale',
          'replicationcontrollers/scale',
        ],
      ),
      rule(write, ['policy'], ['poddisruptionbudgets']),
      rule(write, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      rule(
        ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        ['coordination.k8s.io'],
        ['leases'],
      ),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: aggregate('view'),
    bootstrap: true,
    rules: [
      rule(
        read,
        [''],
        [
          'configmaps',
          'endpoints',
          'persistentvolumeclaims',
          'persistentvolumeclaims/status',
          'pods',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'serviceaccounts',
          'services',
          'services/status',
        ],
      ),
      rule(
        read,
        [''],
        [
          'bindings',
          'events',
          'limitranges',
          'namespaces/status',
          'pods/log',
          'pods/status',
          'replicationcontrollers/status',
          'resourcequotas',
          'resourcequotas/status',
        ],
      ),
      rule(read, [''], ['namespaces']),
      rule(read, ['discovery.k8s.io'], ['endpointslices']),
      rule(
        read,
        ['apps'],
        [
          'controllerrevisions',
          'daemonsets',
          'daemonsets/status',
          'deployments',
          'deployments/scale',
          'deployments/status',
          'replicasets',
          'replicasets/scale',
          'replicasets/status',
          'statefulsets',
          'statefulsets/scale',
          'statefulsets/status',
        ],
      ),
      rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(read, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(
        read,
        ['extensions'],
        [
          'daemonsets',
          'daemonsets/status',
          'deployments',
          'deployments/scale',
          'deployments/status',
          'ingresses',
          'ingresses/status',
          'networkpolicies',
          'replicasets',
          'replicasets/scale',
          'replicasets/status',
          'replicationcontrollers/scale',
        ],
      ),
      rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(read, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ],
  },
  {
    name: 'system:auth-delegator',
    bootstrap: true,
    rules: [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    name: 'system:basic-user',
    bootstrap: true,
    rules: [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ],
  },
  {
    name: 'system:discovery',
    bootstrap: true,
    rules: [
      urls(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ],
  },
  {
    name: 'system:kube-dns',
    bootstrap: true,
    rules: [rule(['list', 'watch'], [''], ['endpoints', 'services'])],
  },
  {
    name: 'system:monitoring',
    bootstrap: true,
    rules: [
      urls(
        ['get'],
        ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'],
      ),
    ],
  },
  {
    name: 'system:node-proxier',
    bootstrap: true,
    rules: [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(read, [''], ['nodes']),
      rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  {
    name: 'system:public-info-viewer',
    bootstrap: true,
    rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
  },
  {
    name: 'system:service-account-issuer-discovery',
    bootstrap: true,
    rules: [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])],
  },
  { name: 'view', aggregateFrom: 'view', labels: aggregate('edit'), bootstrap: true },
  // kubeadm's CoreDNS addon.
  {
    name: 'system:coredns',
    rules: [
      rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  },
  // kind's local-path-provisioner (the default StorageClass).
  {
    name: 'local-path-provisioner-role',
    rules: [
      rule(['get', 'list', 'watch'], [''], ['nodes', 'persistentvolumeclaims', 'configmaps']),
      rule(
        ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
        [''],
        ['endpoints', 'persistentvolumes', 'pods'],
      ),
      rule(['create', 'patch'], [''], ['events']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
    ],
  },
];

const group = (name: string): RbacSubject => ({ kind: 'Group', name, apiGroup: rbacGroup });
const user = (name: string): RbacSubject => ({ kind: 'User', name, apiGroup: rbacGroup });
const serviceAccount = (namespace: string, name: string): RbacSubject => ({
  kind: 'ServiceAccount',
  name,
  namespace,
});

/** A default ClusterRoleBinding: its name, role and subjects. */
interface BindingSpec {
  name: string;
  role: string;
  subjects: RbacSubject[];
  bootstrap?: boolean;
}

const bindingSpecs: BindingSpec[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [group('system:masters')], bootstrap: true },
  {
    name: 'system:basic-user',
    role: 'system:basic-user',
    subjects: [group('system:authenticated')],
    bootstrap: true,
  },
  {
    name: 'system:discovery',
    role: 'system:discovery',
    subjects: [group('system:authenticated')],
    bootstrap: true,
  },
  {
    name: 'system:kube-dns',
    role: 'system:kube-dns',
    subjects: [serviceAccount('kube-system', 'kube-dns')],
    bootstrap: true,
  },
  {
    name: 'system:monitoring',
    role: 'system:monitoring',
    subjects: [group('system:monitoring')],
    bootstrap: true,
  },
  {
    name: 'system:node-proxier',
    role: 'system:node-proxier',
    subjects: [user('system:kube-proxy')],
    bootstrap: true,
  },
  {
    name: 'system:public-info-viewer',
    role: 'system:public-info-viewer',
    subjects: [group('system:authenticated'), group('system:unauthenticated')],
    bootstrap: true,
  },
  {
    name: 'system:service-account-issuer-discovery',
    role: 'system:service-account-issuer-discovery',
    subjects: [group('system:serviceaccounts')],
    bootstrap: true,
  },
  {
    name: 'kubeadm:node-proxier',
    role: 'system:node-proxier',
    subjects: [serviceAccount('kube-system', 'kube-proxy')],
  },
  { name: 'system:coredns', role: 'system:coredns', subjects: [serviceAccount('kube-system', 'coredns')] },
  {
    name: 'local-path-provisioner-bind',
    role: 'local-path-provisioner-role',
    subjects: [serviceAccount('local-path-storage', 'local-path-provisioner-service-account')],
  },
];

const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const autoupdate = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

/** The default ClusterRoles and ClusterRoleBindings, as the API server and kubeadm create them. */
export function defaultRbacObjects(world: Readonly<World>): (ClusterRole | ClusterRoleBinding)[] {
  const metadata = (
    kind: string,
    name: string,
    bootstrap: boolean | undefined,
    labels?: Record<string, string>,
  ) => {
    const meta = controlPlaneMetadata(
      world,
      kind,
      name,
      undefined,
      bootstrap === true ? { ...bootstrapLabels, ...labels } : labels,
    );
    if (bootstrap === true) meta.annotations = { ...autoupdate };
    return meta;
  };
  const roles = roleSpecs.map((spec): ClusterRole => ({
    apiVersion: rbacApiVersion,
    kind: 'ClusterRole',
    metadata: metadata('ClusterRole', spec.name, spec.bootstrap, spec.labels),
    ...(spec.aggregateFrom !== undefined
      ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregate(spec.aggregateFrom) }] } }
      : {}),
    ...(spec.rules !== undefined ? { rules: spec.rules } : {}),
  }));
  const bindings = bindingSpecs.map((spec): ClusterRoleBinding => ({
    apiVersion: rbacApiVersion,
    kind: 'ClusterRoleBinding',
    metadata: metadata('ClusterRoleBinding', spec.name, spec.bootstrap),
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: spec.role },
    subjects: spec.subjects,
  }));
  return [...roles, ...bindings];
}
