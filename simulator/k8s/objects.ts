/**
 * Kubernetes API objects, shaped as the API server serves them (metadata/spec/status),
 * so the terminal can print them with kubectl's -o json, yaml and jsonpath unchanged.
 * Only the fields the model uses are typed; everything is plain JSON data.
 */

/** Object metadata common to every kind. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  generateName?: string;
}

/** A link from a dependent object (a Pod) to its owner (a ReplicaSet). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** Omitted by writers that set no controller (a node agent's owner reference on its own objects). */
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A label selector as Deployments and NetworkPolicies write it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export interface ContainerPort {
  containerPort: number;
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Resource quantities by name (`cpu: 100m`, `memory: 200Mi`); YAML may give plain numbers. */
export type ResourceList = Record<string, string | number>;

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  imagePullPolicy?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  /** Environment variables (only literal values are read by the model). */
  env?: { name: string; value?: string }[];
}

/**
 * A pod (anti-)affinity term: pods matching the selector, in the listed namespaces (or those the
 * namespace selector picks; the pod's own when neither is given), within one topology domain.
 */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  topologyKey: string;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
}

/** A preferred term and what it weighs (1–100). */
export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

/** One requirement of a node selector term, on a label (or, in matchFields, on metadata.name). */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

/** Requirements that must all hold; the terms of a node selector are ORed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PodAffinityRules {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** A pod's node affinity: the required part filters nodes, the preferred part only scores them. */
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinityRules;
  podAntiAffinity?: PodAffinityRules;
}

/** A pod topology spread constraint as a pod spec writes it. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelector;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodSpec {
  /** Run to completion before the containers start (an injected network setup container, for example). */
  initContainers?: Container[];
  containers: Container[];
  serviceAccountName?: string;
  serviceAccount?: string;
  nodeName?: string;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  /** Always (the default), OnFailure or Never: whether the kubelet restarts a container that exited. */
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  priorityClassName?: string;
}

export interface PodCondition {
  type: 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready';
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
}

/** A container's state as the kubelet reports it: exactly one of the three is set. */
export interface ContainerState {
  running?: { startedAt: string };
  waiting?: { reason: string; message?: string };
  terminated?: { reason: string; exitCode: number; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  started: boolean;
  state: ContainerState;
  /** The previous run of a restarted container (its terminated state). */
  lastState?: ContainerState;
}

export interface PodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: PodCondition[];
  hostIP?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  reason?: string;
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
  status: PodStatus;
}

export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplate;
    strategy: {
      type: 'RollingUpdate';
      rollingUpdate: { maxSurge: string | number; maxUnavailable: string | number };
    };
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
  };
  status: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: {
      type: string;
      status: string;
      lastUpdateTime: string;
      lastTransitionTime: string;
      reason: string;
      message: string;
    }[];
  };
}

export interface ReplicaSet {
  apiVersion: 'apps/v1';
  kind: 'ReplicaSet';
  metadata: ObjectMeta;
  spec: { replicas: number; selector: LabelSelector; template: PodTemplate };
  status: {
    replicas: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

/** A DaemonSet (apps/v1): one pod on every node its template may run on. */
export interface DaemonSet {
  apiVersion: 'apps/v1';
  kind: 'DaemonSet';
  metadata: ObjectMeta;
  spec: {
    selector: LabelSelector;
    template: PodTemplate;
    updateStrategy: {
      type: 'RollingUpdate' | 'OnDelete';
      rollingUpdate?: { maxUnavailable: string | number; maxSurge: string | number };
    };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
  };
  status: {
    currentNumberScheduled: number;
    numberMisscheduled: number;
    desiredNumberScheduled: number;
    numberReady: number;
    observedGeneration?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    numberUnavailable?: number;
  };
}

/** A ControllerRevision (apps/v1): one template a DaemonSet ran, kept as its rollout history. */
export interface ControllerRevision {
  apiVersion: 'apps/v1';
  kind: 'ControllerRevision';
  metadata: ObjectMeta;
  /** The strategic merge patch that restores the template: `{"spec":{"template":{…,"$patch":"replace"}}}`. */
  data: { spec: { template: PodTemplate & { $patch: 'replace' } } };
  revision: number;
}

/** A ReplicationController (core v1): the ReplicaSet's predecessor, selecting pods by a plain label map. */
export interface ReplicationController {
  apiVersion: 'v1';
  kind: 'ReplicationController';
  metadata: ObjectMeta;
  spec: { replicas: number; selector: Record<string, string>; template: PodTemplate };
  status: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

export interface JobCondition {
  type: 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';
  status: 'True' | 'False';
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

/** A Job (batch/v1): pods that run to completion, `completions` times, `parallelism` at once. */
export interface Job {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: ObjectMeta;
  spec: {
    completions?: number;
    parallelism: number;
    backoffLimit: number;
    selector: LabelSelector;
    manualSelector?: boolean;
    template: PodTemplate;
    completionMode: 'NonIndexed' | 'Indexed';
    suspend: boolean;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
  };
  status: {
    active?: number;
    succeeded?: number;
    failed?: number;
    ready?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: JobCondition[];
  };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** The port on every node's addresses (NodePort and LoadBalancer Services), 30000-32767 by default. */
  nodePort?: number;
}

/** The Service types the model implements (ExternalName is refused by admission, k8s/services.ts). */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: ServiceType;
    clusterIP: string;
    clusterIPs: string[];
    selector?: Record<string, string>;
    ports: ServicePort[];
    /** Whether node ports forward to any ready backend (Cluster) or only to the node's own (Local). */
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
    sessionAffinity?: 'None' | 'ClientIP';
    /** Allocated for LoadBalancer Services with externalTrafficPolicy Local. */
    healthCheckNodePort?: number;
    allocateLoadBalancerNodePorts?: boolean;
  };
  status: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef?: { kind: 'Pod'; name: string; namespace: string; uid: string };
}

export interface Endpoints {
  apiVersion: 'v1';
  kind: 'Endpoints';
  metadata: ObjectMeta;
  subsets?: {
    addresses?: EndpointAddress[];
    notReadyAddresses?: EndpointAddress[];
    ports?: { name?: string; port: number; protocol: string }[];
  }[];
}

export interface NodeCondition {
  type: 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

export interface Taint {
  key: string;
  effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule';
  value?: string;
  timeAdded?: string;
}

export interface Node {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  spec: { podCIDR?: string; podCIDRs?: string[]; taints?: Taint[]; unschedulable?: boolean };
  status: {
    addresses: { type: 'InternalIP' | 'Hostname'; address: string }[];
    conditions: NodeCondition[];
    /** What the node has, and what of it pods may request (kind: the host's CPUs and memory). */
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    /** Images the container runtime holds, as the kubelet reports them (largest first). */
    images?: { names: string[]; sizeBytes: number }[];
    nodeInfo: {
      kubeletVersion: string;
      containerRuntimeVersion: string;
      osImage: string;
      kernelVersion: string;
      architecture: string;
      operatingSystem: string;
    };
  };
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: ObjectMeta;
  spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
}

export interface Namespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
  spec: { finalizers: string[] };
  status: { phase: 'Active' | 'Terminating' };
}

export interface ServiceAccount {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: ObjectMeta;
}

/**
 * A Secret (core v1). `data` holds base64 of the bytes, as the API server serves it; `stringData`
 * is write-only: the API server merges it into `data` and never stores it (k8s/secrets.ts).
 */
export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: string;
  data?: Record<string, string>;
  immutable?: boolean;
}

/** A Kubernetes NetworkPolicy (networking.k8s.io/v1), kept as the user wrote its spec; the policy engine interprets it. */
export interface NetworkPolicyObject {
  apiVersion: string;
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec?: unknown;
  specs?: unknown;
  status?: unknown;
}

/** A ConfigMap (core v1): string data by key, and base64 `binaryData` for bytes that are not UTF-8. */
export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

/** One RBAC rule (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Who a binding grants its role to. */
export interface RbacSubject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** The role a binding grants. */
export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole';
  name: string;
}

export interface Role {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'Role';
  metadata: ObjectMeta;
  rules?: PolicyRule[];
}

export interface ClusterRole {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRole';
  metadata: ObjectMeta;
  rules?: PolicyRule[];
  /** The ClusterRoles whose rules the aggregation controller copies into this one (admin, edit, view). */
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

export interface RoleBinding {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'RoleBinding';
  metadata: ObjectMeta;
  subjects?: RbacSubject[];
  roleRef: RoleRef;
}

export interface ClusterRoleBinding {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRoleBinding';
  metadata: ObjectMeta;
  subjects?: RbacSubject[];
  roleRef: RoleRef;
}

/**
 * The object types CustomResourceDefinitions add, by kind: none in Kubernetes itself. A layer that
 * registers a custom kind (k8s/extension-points.ts, `registerCustomKind`) declares its object type
 * here by augmenting this interface from its own folder (`declare module '../k8s/objects'`), as a
 * CRD adds a kind to the API server without the server's code naming it
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/).
 * k8s/ code handles these objects only through ApiObject's common shape.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface CustomResourceObjects {}

/** Every built-in kind the simulated API server stores. */
export type BuiltinObject =
  | Pod
  | Deployment
  | ReplicaSet
  | DaemonSet
  | ControllerRevision
  | ReplicationController
  | Job
  | Service
  | Endpoints
  | Node
  | Lease
  | Namespace
  | ServiceAccount
  | Secret
  | NetworkPolicyObject
  | ConfigMap
  | Role
  | ClusterRole
  | RoleBinding
  | ClusterRoleBinding;

/** Every object kind the simulated API server stores: the built-in ones and the CRDs' kinds. */
export type ApiObject = BuiltinObject | CustomResourceObjects[keyof CustomResourceObjects];

export type ApiKind = ApiObject['kind'];

/** The built-in kinds that live in a namespace. */
export const namespacedKinds: ReadonlySet<ApiKind> = new Set<ApiKind>([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'DaemonSet',
  'ControllerRevision',
  'ReplicationController',
  'Job',
  'Service',
  'Endpoints',
  'Lease',
  'ServiceAccount',
  'Secret',
  'NetworkPolicy',
  'ConfigMap',
  'Role',
  'RoleBinding',
]);

/** The built-in kinds that live outside namespaces. */
export const clusterScopedKinds: ReadonlySet<ApiKind> = new Set<ApiKind>([
  'Node',
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
]);

/**
 * The scopes of the kinds CRDs add, as the world's layers registered them (k8s/extension-points.ts
 * `customKinds`, whose definitions carry the CRD's `spec.scope`).
 */
export type CustomKindScopes = ReadonlyMap<string, { readonly scope: 'Namespaced' | 'Cluster' }>;

/** Whether a kind's objects live in a namespace: a built-in kind's, or the scope its CRD declares. */
export function isNamespacedKind(kind: string, kinds?: CustomKindScopes): boolean {
  return namespacedKinds.has(kind as ApiKind) || kinds?.get(kind)?.scope === 'Namespaced';
}

/**
 * Store key of an object: `namespace/name` for namespaced kinds, `name` otherwise. A CRD's kind
 * takes its scope from `kinds`; without them, a namespace given means a namespaced kind, as a
 * stored object of a CRD's kind carries a namespace exactly when its CRD is namespaced.
 */
export function objectKey(kind: ApiKind, name: string, namespace?: string, kinds?: CustomKindScopes): string {
  if (namespacedKinds.has(kind)) return `${namespace ?? 'default'}/${name}`;
  if (clusterScopedKinds.has(kind)) return name;
  if (kinds === undefined) return namespace === undefined ? name : `${namespace}/${name}`;
  return kinds.get(kind)?.scope === 'Namespaced' ? `${namespace ?? 'default'}/${name}` : name;
}
