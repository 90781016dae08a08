/**
 * Pods that a controller creates from its template (ReplicaSet, ReplicationController, DaemonSet,
 * Job), with what the API server's admission adds to every new pod, and the graceful deletion
 * that every controller and `kubectl delete` request.
 */
import { randomNameSuffix } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import type { World } from '../world';
import { keyOf } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { newControlledPodMetadata } from './metadata';
import type { ObjectMeta, OwnerReference, Pod, PodSpec, PodTemplate } from './objects';
import { mutateNewPod } from './extension-points';
import { withPodSpecDefaults } from './pod-admission';

/** The controller a pod belongs to, as its ownerReference names it. */
export interface PodOwner {
  apiVersion: string;
  kind: string;
  metadata: Pick<ObjectMeta, 'name' | 'uid'>;
}

/** The controller reference a controller writes on what it creates. */
export function controllerReference(owner: PodOwner): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** What a controller adds to its template for one pod. */
export interface PodExtras {
  labels?: Record<string, string>;
  spec?: Partial<PodSpec>;
}

/**
 * A template's spec with the API server's defaults, made once per template: the pods of a
 * ReplicaSet share it (stored objects are never mutated; a write replaces the spec it changes).
 */
const defaultedSpecs = new WeakMap<PodSpec, PodSpec>();

function defaultedTemplateSpec(spec: PodSpec): PodSpec {
  let defaulted = defaultedSpecs.get(spec);
  if (defaulted === undefined) {
    defaulted = withPodSpecDefaults(spec);
    defaultedSpecs.set(spec, defaulted);
  }
  return defaulted;
}

const noExtras: PodExtras = {};

/** What every pod a controller creates carries for that controller: made once per controller. */
interface OwnerStamp {
  /** `<owner>-`, the pods' generateName. */
  readonly generateName: string;
  /** The pods' ownerReferences: the controller reference alone. */
  readonly ownerReferences: OwnerReference[];
}

/**
 * Controller uid → its stamp. The pods of a ReplicaSet share one ownerReferences array, as they
 * share the template's labels: stored objects are never mutated (the garbage collector writes a
 * new array when it drops a reference). A stamp is made again when the owner's name, kind or
 * apiVersion is not the one it was made for.
 */
const ownerStamps = new Map<string, OwnerStamp>();

function ownerStamp(owner: PodOwner): OwnerStamp {
  const stamp = ownerStamps.get(owner.metadata.uid);
  const reference = stamp?.ownerReferences[0];
  if (
    stamp !== undefined &&
    reference?.name === owner.metadata.name &&
    reference.kind === owner.kind &&
    reference.apiVersion === owner.apiVersion
  )
    return stamp;
  if (ownerStamps.size >= 1000) ownerStamps.clear();
  const made: OwnerStamp = {
    generateName: `${owner.metadata.name}-`,
    ownerReferences: [controllerReference(owner)],
  };
  ownerStamps.set(owner.metadata.uid, made);
  return made;
}

/**
 * The status of a pod just created: one object shared by every new pod (stored objects are never
 * mutated; the kubelet and the scheduler write a new status).
 */
const pendingStatus: Pod['status'] = { phase: 'Pending' };

/**
 * Creates a pod for a controller, named `<owner>-<5 random characters>` as generateName makes it,
 * and returns it. The template's labels object is shared when nothing is added to it, so that every
 * pod of a ReplicaSet hits the caches keyed by its labels object (cilium/cni.ts).
 */
export function createControlledPod(
  world: World,
  owner: PodOwner,
  template: PodTemplate,
  namespace: string,
  extras: PodExtras = noExtras,
): Pod {
  const { generateName, ownerReferences } = ownerStamp(owner);
  const name = generateName + randomNameSuffix(world.random, 5);
  const labels =
    extras.labels === undefined
      ? template.metadata.labels
      : { ...template.metadata.labels, ...extras.labels };
  const metadata = newControlledPodMetadata(
    world,
    name,
    namespace,
    labels,
    generateName,
    template.metadata.annotations,
    ownerReferences,
  );
  // The API server's defaults and admission plugins, as for any pod (k8s/pod-admission.ts).
  const spec =
    extras.spec === undefined
      ? defaultedTemplateSpec(template.spec)
      : withPodSpecDefaults({ ...template.spec, ...extras.spec });
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata, spec, status: pendingStatus };
  // Mutating admission: Istio's sidecar injection webhook, when the namespace asks for it.
  mutateNewPod(world, pod);
  // A new name: its key is built here rather than looked up among the names seen before.
  // The pod and its metadata were made here, so the store keeps them rather than a copy.
  apiPut(world, pod, `${namespace}/${name}`, 'object-and-metadata');
  return pod;
}

/**
 * Graceful deletion: the API server sets deletionTimestamp and the pod stays (Terminating) until
 * its kubelet confirms the containers are gone. An unscheduled pod, or one that already finished,
 * has no containers to stop and goes at once.
 */
export function requestPodDeletion(
  world: World,
  pod: Pod,
  gracePeriodSeconds?: number,
  key: string = keyOf(pod),
): void {
  if (pod.metadata.deletionTimestamp !== undefined) return;
  if (pod.spec.nodeName === undefined) {
    apiRemove(world, 'Pod', key);
    return;
  }
  const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  apiPut(
    world,
    {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: toTimestamp(world.timeMs + grace * 1000),
        deletionGracePeriodSeconds: grace,
      },
    },
    key,
    'object-and-metadata',
  );
}

/** Whether a pod is not being deleted. */
export const isActivePod = (pod: Pod): boolean => pod.metadata.deletionTimestamp === undefined;

/** Whether a pod's Ready condition is True and it is not being deleted (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  if (!isActivePod(pod)) return false;
  const conditions = pod.status.conditions;
  if (conditions === undefined) return false;
  // Indexed rather than for-of: asked for every pod a scale-down ranks.
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i]!;
    if (condition.type === 'Ready' && condition.status === 'True') return true;
  }
  return false;
}

/** Whether a pod has finished for good (phase Succeeded or Failed). */
export const isPodFinished = (pod: Pod): boolean =>
  pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
