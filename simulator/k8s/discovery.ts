/**
 * Which kinds the API server serves right now, as its discovery documents tell kubectl: the
 * built-in ones always, a CRD's kind once the CRD is installed. The API server serves each
 * installed CRD's group under /apis (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#create-a-customresourcedefinition);
 * the CRDs are those the world's layers registered (k8s/extension-points.ts), such as Cilium's,
 * which its operator installs, and Istio's, which its base chart installs. kubectl maps every kind
 * and resource name through discovery, so a kind that is not served fails on the client with
 * `resource mapping not found` or `the server doesn't have a resource type`.
 */
import { customKinds } from './extension-points';
import type { Cluster, World } from '../world';

/** Whether the cluster's API server serves a kind. */
export function kindServed(world: Readonly<World>, cluster: Readonly<Cluster>, kind: string): boolean {
  return customKinds(world).get(kind)?.served(cluster) ?? true;
}

/** Kubernetes' own API groups: the core group, the unqualified ones (apps, batch) and *.k8s.io. */
function builtInGroup(group: string): boolean {
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/**
 * Whether the API server serves resources of a group (`cilium.io`, `networking.istio.io`, ``): a
 * built-in group always, another once one of the CRDs that define it is installed.
 */
export function groupServed(world: Readonly<World>, cluster: Readonly<Cluster>, group: string): boolean {
  if (builtInGroup(group)) return true;
  for (const kind of customKinds(world).values())
    if (kind.group === group && kind.served(cluster)) return true;
  return false;
}

/**
 * One resource in the API server's discovery documents (metav1.APIResource), in the version
 * kubectl's ServerPreferredResources picks for it.
 */
export interface ServedResource {
  group: string;
  version: string;
  /** The plural resource name (`pods`, `ciliumnetworkpolicies`). */
  name: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: readonly string[];
  categories: readonly string[];
  verbs: readonly string[];
}

/** The verbs of most built-in resources, sorted as the API server lists them. */
const fullVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/**
 * The verbs of every custom resource, in the order apiextensions-apiserver's discovery controller
 * lists them (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_discovery_controller.go
 * at v1.33.0).
 */
const customResourceVerbs = [
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'create',
  'update',
  'watch',
];

function builtIn(
  groupVersion: string,
  name: string,
  kind: string,
  options: { shortNames?: string[]; categories?: string[]; verbs?: string[]; cluster?: boolean } = {},
): ServedResource {
  const slash = groupVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : groupVersion.slice(0, slash),
    version: groupVersion.slice(slash + 1),
    name,
    singular: kind.toLowerCase(),
    kind,
    namespaced: options.cluster !== true,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    verbs: options.verbs ?? fullVerbs,
  };
}

const all = ['all'];

/**
 * The built-in resources the simulated API server serves, as a kind v1.33 cluster's discovery
 * describes them (`kubectl api-resources -o wide`): the kinds the model stores, and the
 * CustomResourceDefinitions that `kubectl get crd` lists. A kind cluster serves more (events,
 * leases, storage classes…); the model does not, and says so when a reader asks for one.
 */
const builtInResources: readonly ServedResource[] = [
  builtIn('v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  builtIn('v1', 'endpoints', 'Endpoints', { shortNames: ['ep'] }),
  builtIn('v1', 'namespaces', 'Namespace', {
    shortNames: ['ns'],
    cluster: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  builtIn('v1', 'nodes', 'Node', { shortNames: ['no'], cluster: true }),
  builtIn('v1', 'pods', 'Pod', { shortNames: ['po'], categories: all }),
  builtIn('v1', 'replicationcontrollers', 'ReplicationController', { shortNames: ['rc'], categories: all }),
  builtIn('v1', 'secrets', 'Secret'),
  builtIn('v1', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
  builtIn('v1', 'services', 'Service', { shortNames: ['svc'], categories: all }),
  builtIn('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    cluster: true,
  }),
  builtIn('apps/v1', 'controllerrevisions', 'ControllerRevision'),
  builtIn('apps/v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: all }),
  builtIn('apps/v1', 'deployments', 'Deployment', { shortNames: ['deploy'], categories: all }),
  builtIn('apps/v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: all }),
  builtIn('batch/v1', 'jobs', 'Job', { categories: all }),
  builtIn('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', { shortNames: ['netpol'] }),
  builtIn('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', { cluster: true }),
  builtIn('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', { cluster: true }),
  builtIn('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding'),
  builtIn('rbac.authorization.k8s.io/v1', 'roles', 'Role'),
];

/**
 * Kubernetes' order of API versions (apimachinery's version.CompareKubeAwareVersionStrings): GA
 * before beta before alpha, each by major then by its beta or alpha number, highest first; other
 * strings after them, alphabetically.
 */
function compareKubeAwareVersions(a: string, b: string): number {
  const rank = (version: string): [number, number, number] | undefined => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
    if (match === null) return undefined;
    const stability = match[2] === undefined ? 2 : match[2] === 'beta' ? 1 : 0;
    return [stability, Number(match[1]), Number(match[3] ?? 0)];
  };
  const left = rank(a);
  const right = rank(b);
  if (left === undefined || right === undefined) {
    if (left !== undefined) return -1;
    if (right !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  for (let index = 0; index < 3; index++) {
    const difference = (right[index] ?? 0) - (left[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The custom resources the cluster's installed CRDs add, each in the version kubectl's
 * ServerPreferredResources picks (client-go discovery/discovery_client.go at v0.33.0): the group's
 * preferred version (the highest any of its CRDs serves) where the kind is served in it, else the
 * kind's own highest version.
 */
function servedCustomResources(world: Readonly<World>, cluster: Readonly<Cluster>): ServedResource[] {
  const served = [...customKinds(world)].filter(([, definition]) => definition.served(cluster));
  const preferred = new Map<string, string>();
  for (const [, definition] of served)
    for (const version of definition.versions(cluster)) {
      const current = preferred.get(definition.group);
      if (current === undefined || compareKubeAwareVersions(version, current) < 0)
        preferred.set(definition.group, version);
    }
  return served.map(([kind, definition]) => {
    const versions = [...definition.versions(cluster)].sort(compareKubeAwareVersions);
    const groupPreferred = preferred.get(definition.group) ?? '';
    return {
      group: definition.group,
      version: versions.includes(groupPreferred) ? groupPreferred : (versions[0] ?? ''),
      name: definition.names.plural,
      singular: definition.names.singular,
      kind,
      namespaced: definition.scope === 'Namespaced',
      shortNames: definition.names.shortNames ?? [],
      categories: definition.categories ?? [],
      verbs: customResourceVerbs,
    };
  });
}

/** Every resource the cluster's API server serves now: the built-in ones, then the CRDs'. */
export function servedResources(world: Readonly<World>, cluster: Readonly<Cluster>): ServedResource[] {
  return [...builtInResources, ...servedCustomResources(world, cluster)];
}
