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
  isNamespacedKind,
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
import { customKinds, mutateNewPod, type CustomKinds } from './extension-points';
import { refusalText, type ApiRefusal } from './api-errors';
import { admitNewPod, updatePod } from './pod-admission';
import { immutableConfigMapRefusal } from './configmaps';
import { roleRefChangeRefusal } from './rbac-objects';
import { decodeBuiltinObject } from './builtin-types';
import { workloadRefusal } from './workload-validation';
import { objectMetaCauses } from './object-meta-validation';

/** kubectl's resource names of the built-in kinds, as printed before the object name. */
const resourceNames: Readonly<Record<string, string>> = {
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
  NetworkPolicy: 'networkpolicy.networking.k8s.io',
  Lease: 'lease.coordination.k8s.io',
  Role: 'role.rbac.authorization.k8s.io',
  ClusterRole: 'clusterrole.rbac.authorization.k8s.io',
  RoleBinding: 'rolebinding.rbac.authorization.k8s.io',
  ClusterRoleBinding: 'clusterrolebinding.rbac.authorization.k8s.io',
};

/**
 * The name kubectl prints before an object's name (`deployment.apps`, `ciliumnetworkpolicy.cilium.io`):
 * a built-in kind's, or the singular and group its CRD declares (`kinds`, the world's custom kinds).
 */
export function resourceName(kind: string, kinds?: CustomKinds): string {
  const builtIn = resourceNames[kind];
  if (builtIn !== undefined) return builtIn;
  const custom = kinds?.get(kind);
  return custom === undefined ? kind.toLowerCase() : `${custom.names.singular}.${custom.group}`;
}

/** The plural resource of a kind with its group, as API errors name it (`deployments.apps`). */
export function qualifiedResource(kind: string, kinds?: CustomKinds): string {
  const custom = resourceNames[kind] === undefined ? kinds?.get(kind) : undefined;
  if (custom !== undefined) return `${custom.names.plural}.${custom.group}`;
  const name = resourceName(kind);
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
export function formatApplyOutcome(outcome: ApplyOutcome, kinds?: CustomKinds): string {
  if (outcome.refusal !== undefined) return refusalText(outcome.refusal);
  return `${resourceName(outcome.kind, kinds)}/${outcome.name} ${outcome.action}`;
}

function withDefaults(
  world: World,
  object: ApiObject,
  existing: ApiObject | undefined,
): ApiObject | ApiRefusal {
  const next = structuredClone(object);
  const namespaced = isNamespacedKind(next.kind, customKinds(world));
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
  // A CRD with a status subresource (Cilium's policy CRDs, for one): a create or update ignores the
  // status the client sends, which belongs to the CRD's controllers.
  if (customKinds(world).get(next.kind)?.subresources?.status !== undefined) keepStoredStatus(next, existing);
  return next;
}

/** Replaces the status a client sent with the stored one (none for a new object). */
function keepStoredStatus(next: ApiObject, existing: ApiObject | undefined): void {
  const object = next as { status?: unknown };
  const kept = existing?.kind === next.kind ? (existing as { status?: unknown }).status : undefined;
  if (kept === undefined) delete object.status;
  else object.status = kept;
}

/**
 * The API server's admission of one object against what it stores: the namespace must exist, a
 * new pod gets its defaults (and what mutating admission adds, such as a sidecar), an existing
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
        message: `${qualifiedResource(object.kind, customKinds(world))} "${object.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      };
  }
  // Every object's labels and annotations are validated first (k8s/object-meta-validation.ts), then
  // every workload kind after defaulting, by one model (k8s/workload-validation.ts).
  const metaCauses = objectMetaCauses(object.metadata);
  const invalid = workloadRefusal(object);
  if (metaCauses.length > 0)
    return {
      reason: 'Invalid',
      kind: object.kind,
      name: object.metadata.name,
      causes: [...metaCauses, ...(invalid?.reason === 'Invalid' ? invalid.causes : [])],
    };
  if (invalid !== undefined) return invalid;
  if (object.kind === 'Pod' && existing?.kind === 'Pod') {
    const updated = updatePod(existing, object);
    return 'refusal' in updated ? updated.refusal : updated.pod;
  }
  if (object.kind === 'Pod') {
    const admitted = admitNewPod(cluster, object);
    if ('refusal' in admitted) return admitted.refusal;
    // Mutating admission (a sidecar injection webhook) changes pods when they are created.
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
        namespace: isNamespacedKind(object.kind, customKinds(world))
          ? (object.metadata.namespace ?? 'default')
          : undefined,
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
