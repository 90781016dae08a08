/**
 * `kubectl apply`: creates or updates objects, filling in what the API server defaults (metadata,
 * a Service's ClusterIP, a Deployment's RollingUpdate strategy) and reporting each object the way
 * kubectl does (`deployment.apps/sleep-v1 created`).
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, keyOf } from './api-store';
import { apiPut } from './api-writes';
import { newMetadata } from './metadata';
import {
  namespacedKinds,
  type ApiObject,
  type DaemonSet,
  type Deployment,
  type Job,
  type ReplicaSet,
  type ReplicationController,
} from './objects';
import { admitService } from './services';
import { templateGenerationAnnotation } from './daemonset-controller';
import { serverMinor } from './kubernetes-versions';
import { canonicalJson } from '../engine/state-hash';
import { mutateNewPod } from './extension-points';
import { refusalText, type ApiRefusal } from './api-errors';
import { admitNewPod, updatePod } from './pod-admission';
import { immutableConfigMapRefusal } from './configmaps';
import { roleRefChangeRefusal } from './rbac-objects';
import { decodeBuiltinObject } from './builtin-types';
import { workloadRefusal } from './workload-validation';

/** kubectl's resource names, as printed before the object name. */
export const resourceNames: Readonly<Record<string, string>> = {
  Pod: 'pod',
  Deployment: 'deployment.apps',
  ReplicaSet: 'replicaset.apps',
  DaemonSet: 'daemonset.apps',
  ControllerRevision: 'controllerrevision.apps',
  ReplicationController: 'replicationcontroller',
  Job: 'job.batch',
  ConfigMap: 'configmap',
  Service: 'service',
  Endpoints: 'endpoints',
  Node: 'node',
  Namespace: 'namespace',
  ServiceAccount: 'serviceaccount',
  Secret: 'secret',
  CiliumEndpoint: 'ciliumendpoint.cilium.io',
  CiliumIdentity: 'ciliumidentity.cilium.io',
  CiliumNetworkPolicy: 'ciliumnetworkpolicy.cilium.io',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicy.cilium.io',
  NetworkPolicy: 'networkpolicy.networking.k8s.io',
  Lease: 'lease.coordination.k8s.io',
  PeerAuthentication: 'peerauthentication.security.istio.io',
  AuthorizationPolicy: 'authorizationpolicy.security.istio.io',
  RequestAuthentication: 'requestauthentication.security.istio.io',
  DestinationRule: 'destinationrule.networking.istio.io',
  EnvoyFilter: 'envoyfilter.networking.istio.io',
  Gateway: 'gateway.networking.istio.io',
  ProxyConfig: 'proxyconfig.networking.istio.io',
  ServiceEntry: 'serviceentry.networking.istio.io',
  Sidecar: 'sidecar.networking.istio.io',
  VirtualService: 'virtualservice.networking.istio.io',
  WorkloadEntry: 'workloadentry.networking.istio.io',
  WorkloadGroup: 'workloadgroup.networking.istio.io',
  Telemetry: 'telemetry.telemetry.istio.io',
  WasmPlugin: 'wasmplugin.extensions.istio.io',
  Role: 'role.rbac.authorization.k8s.io',
  ClusterRole: 'clusterrole.rbac.authorization.k8s.io',
  RoleBinding: 'rolebinding.rbac.authorization.k8s.io',
  ClusterRoleBinding: 'clusterrolebinding.rbac.authorization.k8s.io',
};

/** The plural resource of a kind with its group, as API errors name it (`deployments.apps`). */
export function qualifiedResource(kind: string): string {
  const name = resourceNames[kind] ?? kind.toLowerCase();
  const dot = name.indexOf('.');
  const singular = dot < 0 ? name : name.slice(0, dot);
  const group = dot < 0 ? '' : name.slice(dot);
  const plural = singular.endsWith('y')
    ? `${singular.slice(0, -1)}ies`
    : singular.endsWith('s')
      ? singular
      : `${singular}s`;
  return plural + group;
}

/** What happened to one applied object. */
export interface ApplyOutcome {
  kind: string;
  name: string;
  namespace?: string;
  action: 'created' | 'configured' | 'unchanged' | 'refused';
  /** Why the API server refused the object (action `refused`). */
  refusal?: ApiRefusal;
}

/** `deployment.apps/sleep-v1 created`, or the API server's refusal. */
export function formatApplyOutcome(outcome: ApplyOutcome): string {
  if (outcome.refusal !== undefined) return refusalText(outcome.refusal);
  return `${resourceNames[outcome.kind] ?? outcome.kind.toLowerCase()}/${outcome.name} ${outcome.action}`;
}

function withDefaults(
  world: World,
  object: ApiObject,
  existing: ApiObject | undefined,
): ApiObject | ApiRefusal {
  const next = structuredClone(object);
  const namespaced = namespacedKinds.has(next.kind);
  const fresh = newMetadata(
    world,
    next.metadata.name,
    namespaced ? (next.metadata.namespace ?? 'default') : undefined,
    next.metadata.labels,
  );
  next.metadata = {
    ...fresh,
    ...(existing !== undefined
      ? { uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp }
      : {}),
    ...(next.metadata.annotations !== undefined ? { annotations: next.metadata.annotations } : {}),
  };
  if (next.kind === 'Service') {
    const admitted = admitService(world, next, existing?.kind === 'Service' ? existing : undefined);
    return 'refusal' in admitted ? admitted.refusal : admitted.service;
  }
  if (next.kind === 'Deployment')
    defaultDeployment(next, existing?.kind === 'Deployment' ? existing : undefined);
  else if (next.kind === 'DaemonSet')
    defaultDaemonSet(next, existing?.kind === 'DaemonSet' ? existing : undefined);
  else if (next.kind === 'ReplicaSet' || next.kind === 'ReplicationController')
    defaultReplicas(next, existing);
  else if (next.kind === 'Job') defaultJob(world, next, existing?.kind === 'Job' ? existing : undefined);
  if (next.kind === 'Namespace') {
    // The API server labels every namespace with its name and adds the kubernetes finalizer.
    next.metadata.labels = { ...next.metadata.labels, 'kubernetes.io/metadata.name': next.metadata.name };
    next.spec = { finalizers: ['kubernetes'] };
    next.status = existing?.kind === 'Namespace' ? existing.status : { phase: 'Active' };
  }
  // Cilium's policy CRDs have a status subresource: a create or update ignores the status the
  // client sends, which belongs to the operator and the agents (cilium/policy-validator.ts).
  if (next.kind === 'CiliumNetworkPolicy' || next.kind === 'CiliumClusterwideNetworkPolicy') {
    const kept = existing?.kind === next.kind ? existing.status : undefined;
    if (kept === undefined) delete next.status;
    else next.status = kept;
  }
  return next;
}

/**
 * The API server's admission of one object against what it stores: the namespace must exist, a
 * new pod gets its defaults (and Istio's sidecar when the namespace asks for one), an existing
 * pod may change only what a pod update may change, and immutable fields stay.
 */
function admit(world: World, object: ApiObject, existing: ApiObject | undefined): ApiObject | ApiRefusal {
  const cluster = requireCluster(world);
  const namespace = object.metadata.namespace;
  if (namespace !== undefined && existing === undefined) {
    const home = getObject(cluster.api, 'Namespace', namespace);
    if (home === undefined) return { reason: 'NotFound', message: `namespaces "${namespace}" not found` };
    if (home.status.phase === 'Terminating')
      return {
        reason: 'Forbidden',
        message: `${qualifiedResource(object.kind)} "${object.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      };
  }
  // Every workload kind is validated after defaulting, by one model (k8s/workload-validation.ts).
  const invalid = workloadRefusal(object);
  if (invalid !== undefined) return invalid;
  if (object.kind === 'Pod' && existing?.kind === 'Pod') {
    const updated = updatePod(existing, object);
    return 'refusal' in updated ? updated.refusal : updated.pod;
  }
  if (object.kind === 'Pod') {
    const admitted = admitNewPod(cluster, object);
    if ('refusal' in admitted) return admitted.refusal;
    // Mutating admission (Istio's sidecar injection webhook) changes pods when they are created.
    mutateNewPod(world, admitted.pod);
    return admitted.pod;
  }
  if (object.kind === 'ConfigMap' && existing?.kind === 'ConfigMap')
    return immutableConfigMapRefusal(existing, object) ?? object;
  if (
    (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') &&
    (existing?.kind === 'RoleBinding' || existing?.kind === 'ClusterRoleBinding')
  )
    return roleRefChangeRefusal(existing, object) ?? object;
  return object;
}

/** The name an object was sent with, whatever its type, for a refusal. */
function nameOf(object: ApiObject): string {
  const name = (object.metadata as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

const isRefusal = (value: ApiObject | ApiRefusal): value is ApiRefusal => 'reason' in value;

/**
 * SetDefaults_Deployment (pkg/apis/apps/v1/defaults.go): one replica, a RollingUpdate of 25 % and
 * 25 % (each bound defaulted on its own), a history of 10 and a deadline of 600 s. A missing spec
 * or template is the zero value, which validation then refuses.
 */
function defaultDeployment(deployment: Deployment, existing: Deployment | undefined): void {
  const spec = (deployment.spec ??= {} as Deployment['spec']);
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {} as Deployment['spec']['strategy']);
  strategy.type ??= 'RollingUpdate';
  const rollingUpdate = (strategy.rollingUpdate ??= {} as Deployment['spec']['strategy']['rollingUpdate']);
  rollingUpdate.maxSurge ??= '25%';
  rollingUpdate.maxUnavailable ??= '25%';
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.template ??= {} as Deployment['spec']['template'];
  spec.template.metadata ??= {};
  spec.template.spec ??= {} as Deployment['spec']['template']['spec'];
  const specChanged =
    existing === undefined || canonicalJson(existing.spec) !== canonicalJson(deployment.spec);
  deployment.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
  deployment.status = existing?.status ?? {};
}

/** The generation after a write: one more when the spec changed, as the API server counts it. */
function nextGeneration(spec: unknown, existing: ApiObject | undefined): number {
  const before = existing as { spec?: unknown; metadata: { generation?: number } } | undefined;
  const changed = before === undefined || canonicalJson(before.spec) !== canonicalJson(spec);
  return (before?.metadata.generation ?? 0) + (changed ? 1 : 0);
}

/**
 * A DaemonSet's defaults (pkg/apis/apps/v1/defaults.go): RollingUpdate with maxUnavailable 1 and no
 * surge, ten revisions of history, and the template generation the API server keeps in the
 * deprecated.daemonset.template.generation annotation, bumped when the template changes.
 */
function defaultDaemonSet(daemonSet: DaemonSet, existing: DaemonSet | undefined): void {
  // A missing spec or template is the zero value, which validation then refuses.
  daemonSet.spec ??= {} as DaemonSet['spec'];
  daemonSet.spec.template ??= {} as DaemonSet['spec']['template'];
  daemonSet.spec.updateStrategy ??= { type: 'RollingUpdate' };
  if (daemonSet.spec.updateStrategy.type === 'RollingUpdate') {
    const rolling = (daemonSet.spec.updateStrategy.rollingUpdate ??= { maxUnavailable: 1, maxSurge: 0 });
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
  }
  daemonSet.spec.revisionHistoryLimit ??= 10;
  daemonSet.spec.template.metadata ??= {};
  daemonSet.metadata.generation = nextGeneration(daemonSet.spec, existing);
  const previousTemplate =
    existing === undefined ? 0 : Number(existing.metadata.annotations?.[templateGenerationAnnotation] ?? 0);
  const templateChanged =
    existing === undefined ||
    canonicalJson(existing.spec.template) !== canonicalJson(daemonSet.spec.template);
  daemonSet.metadata.annotations = {
    ...daemonSet.metadata.annotations,
    [templateGenerationAnnotation]: String(previousTemplate + (templateChanged ? 1 : 0)),
  };
  daemonSet.status = existing?.status ?? {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  };
}

/** A ReplicaSet's or ReplicationController's defaults: one replica; an RC selects its template's labels. */
function defaultReplicas(object: ReplicaSet | ReplicationController, existing: ApiObject | undefined): void {
  object.spec ??= {} as ReplicaSet['spec'] & ReplicationController['spec'];
  object.spec.template ??= {} as ReplicaSet['spec']['template'];
  object.spec.replicas ??= 1;
  object.spec.template.metadata ??= {};
  if (object.kind === 'ReplicationController' && Object.keys(object.spec.selector ?? {}).length === 0)
    object.spec.selector = { ...object.spec.template.metadata.labels };
  object.metadata.generation = nextGeneration(object.spec, existing);
  const previous = existing as { status?: ReplicaSet['status'] } | undefined;
  object.status = previous?.status ?? { replicas: 0 };
}

/**
 * A Job's defaults (pkg/apis/batch/v1/defaults.go and the API server's job strategy): one completion
 * and parallelism 1 unless set, backoffLimit 6, and a generated selector on the Job's uid that the
 * template's labels carry, with the job-name label (both also under batch.kubernetes.io/ from 1.27).
 */
function defaultJob(world: World, job: Job, existing: Job | undefined): void {
  const spec = (job.spec ??= {} as Job['spec']);
  spec.template ??= {} as Job['spec']['template'];
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  job.spec.template.metadata ??= {};
  if (existing !== undefined) {
    spec.selector = existing.spec.selector;
    spec.template = existing.spec.template;
  } else if (spec.manualSelector !== true) {
    const uid = job.metadata.uid;
    const recent = serverMinor(requireCluster(world)) >= 27;
    const generated: Record<string, string> = recent
      ? { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': job.metadata.name }
      : {};
    generated['controller-uid'] = uid;
    generated['job-name'] = job.metadata.name;
    spec.selector = {
      matchLabels: { [recent ? 'batch.kubernetes.io/controller-uid' : 'controller-uid']: uid },
    };
    spec.template.metadata.labels = { ...generated, ...spec.template.metadata.labels };
  }
  job.metadata.generation = nextGeneration(spec, existing);
  job.status = existing?.status ?? {};
}

/** Applies objects in order; returns one outcome each. */
export function applyObjects(world: World, objects: readonly ApiObject[]): ApplyOutcome[] {
  const cluster = requireCluster(world);
  return objects.map((sent) => {
    // The API server decodes the object into its Go type before anything reads it.
    const decoded = decodeBuiltinObject(sent);
    if ('refusal' in decoded)
      return { kind: sent.kind, name: nameOf(sent), action: 'refused', refusal: decoded.refusal };
    const object = decoded.object;
    const key = keyOf({
      ...object,
      metadata: {
        ...object.metadata,
        namespace: namespacedKinds.has(object.kind) ? (object.metadata.namespace ?? 'default') : undefined,
      },
    } as ApiObject);
    const existing = getObject(cluster.api, object.kind, key);
    const defaulted = withDefaults(world, object, existing);
    const admitted = isRefusal(defaulted) ? defaulted : admit(world, defaulted, existing);
    const outcome: ApplyOutcome = {
      kind: object.kind,
      name: object.metadata.name,
      action: existing === undefined ? 'created' : 'configured',
    };
    if (isRefusal(admitted)) return { ...outcome, action: 'refused', refusal: admitted };
    const next = admitted;
    if (next.metadata.namespace !== undefined) outcome.namespace = next.metadata.namespace;
    if (existing !== undefined) {
      // Status and server-set metadata do not count as a change a user applied.
      const comparable = (value: ApiObject): string => {
        const record: Record<string, unknown> = { ...value };
        delete record.status;
        delete record.metadata;
        return canonicalJson({
          labels: value.metadata.labels,
          annotations: value.metadata.annotations,
          ...record,
        });
      };
      if (comparable(existing) === comparable(next)) return { ...outcome, action: 'unchanged' };
    }
    apiPut(world, next);
    return outcome;
  });
}
