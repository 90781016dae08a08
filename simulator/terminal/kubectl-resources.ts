/**
 * kubectl's resource names and the tables `kubectl get` prints for them, column for column, so a
 * reader recognises the output. Ages and states come from the simulated world.
 */
import { formatAge } from '../engine/virtual-time';
import type { ApiKind, ApiObject, Deployment, Endpoints, Node, Service } from '../k8s/objects';
import { alignColumns } from '../cilium/cli-format';
import {
  controllerRevisionRow,
  daemonSetRow,
  jobRow,
  podCells,
  replicaSetRow,
} from './kubectl-workload-rows';
import { virtualEpochMs } from '../engine/virtual-time';
import { customKinds, type CustomKind, type PrinterColumn } from '../k8s/extension-points';
import type { Cluster, World } from '../world';
import { printerColumnCells } from './kubectl-printer-columns';

/** A resource type kubectl knows, with every name a reader may use for it. */
export interface ResourceType {
  kind: ApiKind;
  /** Plural name, as in `pods "x" not found`. */
  plural: string;
  /** Resource prefix in `-o name` output. */
  prefix: string;
  names: string[];
  namespaced: boolean;
}

/** Kubernetes' own resource types, which every API server serves. */
const builtInResourceTypes: readonly ResourceType[] = [
  { kind: 'Pod', plural: 'pods', prefix: 'pod', names: ['pods', 'pod', 'po'], namespaced: true },
  {
    kind: 'Deployment',
    plural: 'deployments.apps',
    prefix: 'deployment.apps',
    names: ['deployments', 'deployment', 'deploy', 'deployments.apps'],
    namespaced: true,
  },
  {
    kind: 'ReplicaSet',
    plural: 'replicasets.apps',
    prefix: 'replicaset.apps',
    names: ['replicasets', 'replicaset', 'rs', 'replicasets.apps'],
    namespaced: true,
  },
  {
    kind: 'DaemonSet',
    plural: 'daemonsets.apps',
    prefix: 'daemonset.apps',
    names: ['daemonsets', 'daemonset', 'ds', 'daemonsets.apps'],
    namespaced: true,
  },
  {
    kind: 'ReplicationController',
    plural: 'replicationcontrollers',
    prefix: 'replicationcontroller',
    names: ['replicationcontrollers', 'replicationcontroller', 'rc'],
    namespaced: true,
  },
  {
    kind: 'Job',
    plural: 'jobs.batch',
    prefix: 'job.batch',
    names: ['jobs', 'job', 'jobs.batch'],
    namespaced: true,
  },
  {
    kind: 'ConfigMap',
    plural: 'configmaps',
    prefix: 'configmap',
    names: ['configmaps', 'configmap', 'cm'],
    namespaced: true,
  },
  {
    kind: 'ControllerRevision',
    plural: 'controllerrevisions.apps',
    prefix: 'controllerrevision.apps',
    names: ['controllerrevisions', 'controllerrevision', 'controllerrevisions.apps'],
    namespaced: true,
  },
  {
    kind: 'Service',
    plural: 'services',
    prefix: 'service',
    names: ['services', 'service', 'svc'],
    namespaced: true,
  },
  {
    kind: 'Endpoints',
    plural: 'endpoints',
    prefix: 'endpoints',
    names: ['endpoints', 'ep'],
    namespaced: true,
  },
  { kind: 'Node', plural: 'nodes', prefix: 'node', names: ['nodes', 'node', 'no'], namespaced: false },
  {
    kind: 'Namespace',
    plural: 'namespaces',
    prefix: 'namespace',
    names: ['namespaces', 'namespace', 'ns'],
    namespaced: false,
  },
  {
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    prefix: 'serviceaccount',
    names: ['serviceaccounts', 'serviceaccount', 'sa'],
    namespaced: true,
  },
  {
    kind: 'Secret',
    plural: 'secrets',
    prefix: 'secret',
    names: ['secrets', 'secret'],
    namespaced: true,
  },
  {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies.networking.k8s.io',
    prefix: 'networkpolicy.networking.k8s.io',
    names: ['networkpolicies', 'networkpolicy', 'netpol'],
    namespaced: true,
  },
  ...(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] as const).map((kind): ResourceType => ({
    kind,
    plural: `${kind.toLowerCase()}s.rbac.authorization.k8s.io`,
    prefix: `${kind.toLowerCase()}.rbac.authorization.k8s.io`,
    names: [`${kind.toLowerCase()}s`, kind.toLowerCase()],
    namespaced: !kind.startsWith('Cluster'),
  })),
];

/**
 * The resource type of a custom kind, from what its CRD tells the API server: `spec.names` and
 * `spec.scope` (https://kubernetes.io/docs/reference/kubernetes-api/extend-resources/custom-resource-definition-v1/),
 * which kubectl reads from the server's discovery documents.
 */
function customResourceType(kind: string, crd: Pick<CustomKind, 'group' | 'names' | 'scope'>): ResourceType {
  const { plural, singular, shortNames = [] } = crd.names;
  return {
    kind: kind as ApiKind,
    plural: `${plural}.${crd.group}`,
    prefix: `${singular}.${crd.group}`,
    names: [plural, singular, ...shortNames],
    namespaced: crd.scope === 'Namespaced',
  };
}

/** Resource types of registered custom kinds, made once per registration. */
const customTypes = new WeakMap<CustomKind, ResourceType>();

function customTypeOf(kind: string, definition: CustomKind): ResourceType {
  let type = customTypes.get(definition);
  if (type === undefined) {
    type = customResourceType(kind, definition);
    customTypes.set(definition, type);
  }
  return type;
}

/** The types of the custom kinds the world's layers registered, in registration order. */
function* registeredCustomTypes(world: Readonly<World>): Generator<ResourceType> {
  for (const [kind, definition] of customKinds(world)) yield customTypeOf(kind, definition);
}

/** The API group of a resource type, from its qualified name (`` for the core group). */
export function groupOf(type: ResourceType): string {
  const dot = type.prefix.indexOf('.');
  return dot < 0 ? '' : type.prefix.slice(dot + 1);
}

/**
 * Finds a resource type by any of its names, plain or qualified with its group (`pods`, `po`,
 * `deployments.apps`, `virtualservices.networking.istio.io`), among Kubernetes' own and the custom
 * kinds the world's layers registered, installed in a cluster or not: for the kind of an object
 * already read (resolveResourceType answers as the cluster's discovery does).
 */
export function resourceType(world: Readonly<World>, name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  return findType(builtInResourceTypes, lower) ?? findType(registeredCustomTypes(world), lower);
}

/** One of Kubernetes' own resource types, by any of its names (`pods`, `deploy`). */
export function builtInResourceType(name: string): ResourceType | undefined {
  return findType(builtInResourceTypes, name.toLowerCase());
}

/** The type one of whose names, plain or qualified with its group, is `lower`. */
function findType(types: Iterable<ResourceType>, lower: string): ResourceType | undefined {
  for (const type of types) if (namedBy(type, lower)) return type;
  return undefined;
}

function namedBy(type: ResourceType, lower: string): boolean {
  return (
    type.names.includes(lower) ||
    lower === type.plural ||
    lower === type.prefix ||
    type.names.some((alias) => `${alias}.${groupOf(type)}` === lower)
  );
}

/** The custom kinds this cluster's API server serves, as kubectl's discovery lists them. */
function* servedCustomTypes(world: Readonly<World>, cluster: Readonly<Cluster>): Generator<ResourceType> {
  for (const [kind, definition] of customKinds(world))
    if (definition.served(cluster)) yield customTypeOf(kind, definition);
}

/**
 * The resource type a name refers to in this cluster, as kubectl's discovery finds it: Kubernetes'
 * own, or a custom kind the world's layers registered (k8s/extension-points.ts) whose CRD is
 * installed (Cilium's and Istio's only once they are).
 */
export function resolveResourceType(
  world: Readonly<World>,
  cluster: Readonly<Cluster>,
  name: string,
): ResourceType | undefined {
  const lower = name.toLowerCase();
  return findType(builtInResourceTypes, lower) ?? findType(servedCustomTypes(world, cluster), lower);
}

/**
 * The resource type a name a reader typed refers to in the world's cluster, as kubectl's discovery
 * maps it (resolveResourceType); undefined without a cluster.
 */
export function servedResourceType(world: Readonly<World>, name: string): ResourceType | undefined {
  const cluster = world.cluster;
  return cluster === undefined ? undefined : resolveResourceType(world, cluster, name);
}

function age(object: ApiObject, nowMs: number): string {
  const created = Date.parse(object.metadata.creationTimestamp) - virtualEpochMs;
  return formatAge(nowMs - created);
}

export { podStatus } from './kubectl-workload-rows';

/** metav1.Time in a table's CREATED AT column: RFC 3339 in UTC. */
const createdAt = (object: ApiObject): string => object.metadata.creationTimestamp;

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts, each joined by ", ". */
function subjectColumns(subjects: readonly { kind: string; name: string; namespace?: string }[]): string[] {
  const of = (kind: string): string =>
    subjects
      .filter((subject) => subject.kind === kind)
      .map((subject) =>
        kind === 'ServiceAccount' ? `${subject.namespace ?? ''}/${subject.name}` : subject.name,
      )
      .join(', ');
  return [of('User'), of('Group'), of('ServiceAccount')];
}

/** PORT(S): `80/TCP`, or `80:31940/TCP` with a node port (kubectl's printService `makePortString`). */
const servicePorts = (service: Service): string =>
  service.spec.ports
    .map(
      (port) =>
        `${port.port}${port.nodePort !== undefined ? `:${port.nodePort}` : ''}/${port.protocol ?? 'TCP'}`,
    )
    .join(',') || '<none>';

/**
 * EXTERNAL-IP: the load balancer's addresses, `<pending>` for a LoadBalancer that has none yet
 * (kind runs no load-balancer controller), `<none>` otherwise.
 */
function externalIP(service: Service): string {
  const ingress = (service.status.loadBalancer?.ingress ?? []).map(
    (entry) => entry.ip ?? entry.hostname ?? '',
  );
  if (service.spec.type === 'LoadBalancer') return ingress.length > 0 ? ingress.join(',') : '<pending>';
  return '<none>';
}

function endpointsText(endpoints: Endpoints): string {
  const addresses = (endpoints.subsets ?? []).flatMap((subset) =>
    (subset.addresses ?? []).flatMap((address) =>
      (subset.ports ?? []).map((port) => `${address.ip}:${port.port}`),
    ),
  );
  if (addresses.length === 0) return '<none>';
  return addresses.length > 3
    ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...`
    : addresses.join(',');
}

function nodeStatus(node: Node): string {
  const ready = node.status.conditions.find((condition) => condition.type === 'Ready');
  const base = ready?.status === 'True' ? 'Ready' : 'NotReady';
  return node.spec.unschedulable === true ? `${base},SchedulingDisabled` : base;
}

function nodeRoles(node: Node): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((key) => key.startsWith('node-role.kubernetes.io/'))
    .map((key) => key.slice('node-role.kubernetes.io/'.length));
  return roles.length > 0 ? roles.join(',') : '<none>';
}

/** A Deployment's row (kubectl's printDeployment). */
function deploymentRow(
  deployment: Deployment,
  nowMs: number,
  wide: boolean,
): { header: string[]; cells: string[] } {
  const header = ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'];
  const cells = [
    deployment.metadata.name,
    `${deployment.status.readyReplicas ?? 0}/${deployment.spec.replicas}`,
    String(deployment.status.updatedReplicas ?? 0),
    String(deployment.status.availableReplicas ?? 0),
    age(deployment, nowMs),
  ];
  if (wide) {
    header.push('CONTAINERS', 'IMAGES', 'SELECTOR');
    const containers = deployment.spec.template.spec.containers;
    cells.push(
      containers.map((c) => c.name).join(','),
      containers.map((c) => c.image).join(','),
      Object.entries(deployment.spec.selector.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    );
  }
  return { header, cells };
}

/** A Node's row (kubectl's printNode). */
function nodeRow(object: Node, nowMs: number, wide: boolean): { header: string[]; cells: string[] } {
  const header = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'];
  const cells = [
    object.metadata.name,
    nodeStatus(object),
    nodeRoles(object),
    age(object, nowMs),
    object.status.nodeInfo.kubeletVersion,
  ];
  if (wide) {
    header.push('INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME');
    cells.push(
      object.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
      '<none>',
      object.status.nodeInfo.osImage,
      object.status.nodeInfo.kernelVersion,
      object.status.nodeInfo.containerRuntimeVersion,
    );
  }
  return { header, cells };
}

/** The printer columns of a kind's installed CRD, or undefined for a kind no CRD defines. */
export type CrdColumns = (kind: string) => readonly PrinterColumn[] | undefined;

/**
 * The additionalPrinterColumns of the custom kinds the cluster's CRDs define, as its API server
 * turns them into tables (a registered kind without columns gets the server's default).
 */
export function crdColumnsOf(world: Readonly<World>, cluster: Readonly<Cluster>): CrdColumns {
  return (kind) => {
    const definition = customKinds(world).get(kind);
    return definition === undefined ? undefined : (definition.printerColumns?.(cluster) ?? []);
  };
}

/** The header and row cells of one object in `kubectl get` (wide adds columns). */
function tableRow(
  object: ApiObject,
  nowMs: number,
  wide: boolean,
  serverMinor: number,
  crdColumns?: CrdColumns,
): { header: string[]; cells: string[] } {
  // A custom resource prints the columns its CRD declares, which change with Cilium's release.
  const columns = crdColumns?.(object.kind);
  if (columns !== undefined) return printerColumnCells(object, columns, nowMs, wide);
  switch (object.kind) {
    case 'Pod': {
      const header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
      const pod = podCells(object, nowMs);
      const cells = [object.metadata.name, pod.ready, pod.status, pod.restarts, age(object, nowMs)];
      if (wide) {
        header.push('IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES');
        cells.push(object.status.podIP ?? '<none>', object.spec.nodeName ?? '<none>', '<none>', '<none>');
      }
      return { header, cells };
    }
    case 'Deployment':
      return deploymentRow(object, nowMs, wide);
    case 'ReplicaSet':
    case 'ReplicationController':
      return replicaSetRow(object, nowMs, wide);
    case 'DaemonSet':
      return daemonSetRow(object, nowMs, wide);
    case 'Job':
      return jobRow(object, nowMs, wide, serverMinor);
    case 'ControllerRevision':
      return controllerRevisionRow(object, nowMs);
    case 'Service':
      return {
        header: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
        cells: [
          object.metadata.name,
          object.spec.type,
          object.spec.clusterIP,
          externalIP(object),
          servicePorts(object),
          age(object, nowMs),
        ],
      };
    case 'Endpoints':
      return {
        header: ['NAME', 'ENDPOINTS', 'AGE'],
        cells: [object.metadata.name, endpointsText(object), age(object, nowMs)],
      };
    case 'Node':
      return nodeRow(object, nowMs, wide);
    case 'Namespace':
      return {
        header: ['NAME', 'STATUS', 'AGE'],
        cells: [object.metadata.name, object.status.phase, age(object, nowMs)],
      };
    case 'ServiceAccount':
      return { header: ['NAME', 'SECRETS', 'AGE'], cells: [object.metadata.name, '0', age(object, nowMs)] };
    case 'Secret':
      // DATA counts the keys; the values never appear in a table.
      return {
        header: ['NAME', 'TYPE', 'DATA', 'AGE'],
        cells: [
          object.metadata.name,
          object.type,
          String(Object.keys(object.data ?? {}).length),
          age(object, nowMs),
        ],
      };
    case 'ConfigMap':
      return {
        header: ['NAME', 'DATA', 'AGE'],
        cells: [
          object.metadata.name,
          String(Object.keys(object.data ?? {}).length + Object.keys(object.binaryData ?? {}).length),
          age(object, nowMs),
        ],
      };
    case 'Role':
    case 'ClusterRole':
      return { header: ['NAME', 'CREATED AT'], cells: [object.metadata.name, createdAt(object)] };
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const header = ['NAME', 'ROLE', 'AGE'];
      const cells = [
        object.metadata.name,
        `${object.roleRef.kind}/${object.roleRef.name}`,
        age(object, nowMs),
      ];
      if (wide) {
        header.push('USERS', 'GROUPS', 'SERVICEACCOUNTS');
        cells.push(...subjectColumns(object.subjects ?? []));
      }
      return { header, cells };
    }
    default:
      return printerColumnCells(object, [], nowMs);
  }
}

/** The header and the cells of each object's row in `kubectl get` (with NAMESPACE under -A). */
export function tableRows(
  objects: readonly ApiObject[],
  nowMs: number,
  options: {
    wide: boolean;
    allNamespaces: boolean;
    showLabels?: boolean;
    /** The printer columns of the cluster's CRDs (crdColumnsOf). */
    crdColumns?: CrdColumns;
    serverMinor?: number;
  },
): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let header: string[] = [];
  for (const object of objects) {
    const row = tableRow(object, nowMs, options.wide, options.serverMinor ?? 24, options.crdColumns);
    header = options.showLabels === true ? [...row.header, 'LABELS'] : row.header;
    const cells = options.showLabels === true ? [...row.cells, labelsText(object)] : row.cells;
    rows.push(options.allNamespaces ? [object.metadata.namespace ?? '', ...cells] : cells);
  }
  if (options.allNamespaces) header = ['NAMESPACE', ...header];
  return { header, rows };
}

/** The LABELS column of `--show-labels`: sorted `key=value` pairs, or `<none>`. */
function labelsText(object: ApiObject): string {
  const labels = object.metadata.labels ?? {};
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '<none>' : keys.map((key) => `${key}=${labels[key] ?? ''}`).join(',');
}

/** `kubectl get` as a table. */
export function formatTable(
  objects: ApiObject[],
  nowMs: number,
  options: {
    wide: boolean;
    allNamespaces: boolean;
    headers: boolean;
    showLabels?: boolean;
    /** The printer columns of the cluster's CRDs (crdColumnsOf), which custom resources print. */
    crdColumns?: CrdColumns;
    /** The API server's Kubernetes minor version, which decides some tables' columns. */
    serverMinor?: number;
    /** Put before every NAME, as `kubectl get po,svc` writes `pod/NAME` when several types are asked for. */
    namePrefix?: string;
  },
): string {
  const { header, rows } = tableRows(objects, nowMs, options);
  const prefix = options.namePrefix;
  const nameColumn = options.allNamespaces ? 1 : 0;
  const named =
    prefix === undefined
      ? rows
      : rows.map((row) => row.map((cell, index) => (index === nameColumn ? prefix + cell : cell)));
  return alignColumns(options.headers ? [header, ...named] : named);
}
