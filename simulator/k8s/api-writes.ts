/**
 * Every write to the simulated API server goes through here, so that each one reaches the clients
 * watching it the way a real watch would: controllers in the control plane at once, kubelets and
 * the clients registered in extension-points.ts (Cilium's agents after the watch latency), and
 * nobody on a node that is cut off.
 */
import {
  existingAntiAffinityReason,
  podAffinityReason,
  podAntiAffinityReason,
} from './scheduling/inter-pod-affinity';
import { spreadReason } from './scheduling/pod-topology-spread';
import { schedule, type World } from '../world';
import {
  controllerIn,
  controlsAnyObject,
  createApiStore,
  keysInStorageOrder,
  namespacedKey,
  putObject,
  removeObject,
  replicaSetKeyOf,
  serviceKeysInNamespace,
  sortedKeysOf,
  type Handover,
  type WatchChange,
} from './api-store';
import type { ApiKind, ApiObject, OwnerReference, Pod } from './objects';
import { mapSelectorMatches } from './metadata';
import { customKinds, notifyApiWatchers } from './extension-points';
import type { SyncEventType } from '../events';

/** How long a control-plane controller takes to react to a change it watches. */
const controllerReactionMs = 5;

const emptyStore = createApiStore();

/**
 * Queues a controller sync the way client-go's workqueue does: a key already waiting is not queued
 * twice, so a burst of changes to one object's dependents costs one sync.
 */
export function enqueueSync(world: World, type: SyncEventType, key: string): void {
  const cluster = world.cluster;
  if (cluster === undefined) return;
  // Keyed by event type: without a prototype, as the key sets (newKeySet).
  const syncs = (cluster.queuedSyncs ??= Object.create(null) as NonNullable<typeof cluster.queuedSyncs>);
  const queued = (syncs[type] ??= newKeySet());
  if (queued[key] === true) return;
  queued[key] = true;
  schedule(world, reactionMs(world, type), { type, key });
}

/**
 * An empty set of queued keys. Keys come and go all the time, and most lookups miss (a key not yet
 * queued); an object without a prototype answers a miss without searching Object.prototype for the
 * key as well. It enumerates, hashes and clones as `{}` would.
 */
function newKeySet(): Record<string, true | undefined> {
  return Object.create(null) as Record<string, true | undefined>;
}

/**
 * How long until a queued sync runs. A DaemonSet sync walks every node, and at thousands of nodes
 * one takes tens of milliseconds (assumed: 10 µs a node), so what changes meanwhile is handled by
 * the same sync; the other controllers look at one object's dependents and react at once.
 */
function reactionMs(world: World, type: SyncEventType): number {
  if (type !== 'controller.daemonset.sync') return controllerReactionMs;
  return (
    controllerReactionMs +
    Math.floor(keysInStorageOrder(world.cluster?.api ?? emptyStore, 'Node').length / 100)
  );
}

/** Marks a queued sync as taken off the queue, so the next change queues it again. */
export function dequeueSync(world: World, type: SyncEventType, key: string): void {
  const queued = world.cluster?.queuedSyncs?.[type];
  // Unset rather than deleted: the hash and the clone skip an undefined entry as an absent one,
  // while deleting would shrink V8's dictionary, and the next queueing of the same owner (a
  // Deployment's, a ReplicaSet's syncs come back every few events) would grow it again, both
  // reallocating it. The keys kept are the controllers' owners, which a run has few of.
  if (queued?.[key] !== undefined) queued[key] = undefined;
}

/**
 * Stores an object and notifies its watchers. A caller that read the object by its key may pass
 * that key, which spares working it out again; one that made the object for this write may hand it
 * over (api-store.ts, `Handover`), which spares the store's copy.
 */
export function apiPut(world: World, object: ApiObject, key?: string, handover?: Handover): WatchChange {
  const cluster = world.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  const change = putObject(cluster.api, object, key, handover);
  notifyWatchers(world, change);
  return change;
}

/** Deletes an object and notifies its watchers; returns undefined when it did not exist. */
export function apiRemove(world: World, kind: ApiKind, key: string): WatchChange | undefined {
  const cluster = world.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  const change = removeObject(cluster.api, kind, key);
  if (change !== undefined) notifyWatchers(world, change);
  return change;
}

function notifyWatchers(world: World, change: WatchChange): void {
  const cluster = world.cluster;
  if (cluster === undefined) return;
  // The change's kind, not the object's: every change has one shape, where objects of all kinds
  // make each read of theirs a megamorphic lookup in V8 (api-store.ts, putObject).
  const object = change.object;
  switch (change.kind) {
    case 'Deployment':
      enqueueSync(world, 'controller.deployment.sync', change.key);
      break;
    case 'ReplicaSet': {
      enqueueSync(world, 'controller.replicaset.sync', change.key);
      const owner = deploymentOwnerOf(object.metadata.ownerReferences);
      if (owner !== undefined) {
        enqueueSync(
          world,
          'controller.deployment.sync',
          namespacedKey(object.metadata.namespace ?? 'default', owner.name),
        );
      }
      break;
    }
    case 'Pod':
      notifyPodWatchers(world, change, object as Pod);
      break;
    case 'Service':
      enqueueSync(world, 'controller.endpoints.sync', change.key);
      break;
    case 'Node':
      retryUnschedulable(world);
      // A new node, or new labels or taints, may change where every DaemonSet belongs.
      for (const key of sortedKeysOf(cluster.api, 'DaemonSet'))
        enqueueSync(world, 'controller.daemonset.sync', key);
      break;
    case 'DaemonSet':
      enqueueSync(world, 'controller.daemonset.sync', change.key);
      break;
    case 'ReplicationController':
      enqueueSync(world, 'controller.replicationcontroller.sync', change.key);
      break;
    case 'Job':
      enqueueSync(world, 'controller.job.sync', change.key);
      break;
    case 'Namespace':
    case 'ServiceAccount':
    case 'ConfigMap':
      notifyNamespaceControllers(world, change);
      break;
    case 'ClusterRole':
      enqueueSync(world, 'controller.clusterroleaggregation.sync', 'cluster');
      break;
    default:
      break;
  }
  // The garbage collector deletes the dependents of an owner that is gone (background deletion).
  // A custom kind's object may own others through an owner reference without `controller` (a
  // Cilium policy its toGroups derivative), which the owner index does not hold: its registration
  // says so (CustomKind.ownsWithoutController).
  if (
    change.type === 'DELETED' &&
    (controlsAnyObject(cluster.api, object.metadata.uid) ||
      customKinds(world).get(change.kind)?.ownsWithoutController === true)
  )
    enqueueSync(world, 'controller.garbagecollector.sync', object.metadata.uid);
  // Cilium's operator and agents, and any other client of the API (k8s/extension-points.ts).
  notifyApiWatchers(world, cluster, change);
}

/** The first owner reference to a Deployment (a ReplicaSet has one, or none when orphaned). */
function deploymentOwnerOf(references: readonly OwnerReference[] | undefined): OwnerReference | undefined {
  if (references === undefined) return undefined;
  for (const reference of references) if (reference.kind === 'Deployment') return reference;
  return undefined;
}

/**
 * The per-namespace controllers watch namespaces, and the objects they keep in each: a new or
 * re-activated namespace gets its default ServiceAccount and CA ConfigMap, one that is being deleted
 * is emptied, and a deleted or edited default object is put back.
 */
function notifyNamespaceControllers(world: World, change: WatchChange): void {
  const object = change.object;
  if (object.kind === 'Namespace') {
    if (change.type === 'DELETED') return;
    const name = object.metadata.name;
    if (object.status.phase === 'Terminating') {
      enqueueSync(world, 'controller.namespace.sync', name);
      return;
    }
    enqueueSync(world, 'controller.serviceaccount.sync', name);
    enqueueSync(world, 'controller.rootcacert.sync', name);
    return;
  }
  const namespace = object.metadata.namespace ?? 'default';
  if (object.kind === 'ServiceAccount' && change.type === 'DELETED' && object.metadata.name === 'default')
    enqueueSync(world, 'controller.serviceaccount.sync', namespace);
  if (object.kind === 'ConfigMap' && change.type !== 'ADDED' && object.metadata.name === 'kube-root-ca.crt')
    enqueueSync(world, 'controller.rootcacert.sync', namespace);
}

/**
 * The reasons of the plugins that register for a pod being placed (EventsToRegister in
 * kubernetes/kubernetes pkg/scheduler/framework/plugins at v1.24.0: InterPodAffinity and
 * PodTopologySpread watch pods; TaintToleration, NodeAffinity and NodeUnschedulable only Nodes, and
 * NodeResourcesFit pods going away): a pod that failed for another reason stays where it is.
 */
const podPlacedReasons: readonly string[] = [
  podAffinityReason,
  podAntiAffinityReason,
  existingAntiAffinityReason,
  spreadReason,
];

/**
 * The scheduler retries pods it could not place when something that could make room changes: a
 * Node, a pod going away, or a pod being placed, for those whose failure a placed pod can change
 * (pod affinity waiting for it, a spread it evens out).
 */
export function retryUnschedulable(
  world: World,
  cause: 'node-or-pod-gone' | 'pod-placed' = 'node-or-pod-gone',
): void {
  const waiting = world.cluster?.unschedulablePods;
  if (waiting === undefined || waiting.size === 0) return;
  for (const podKey of [...waiting.keys()].sort()) {
    const message = waiting.get(podKey) ?? '';
    if (cause === 'pod-placed' && !podPlacedReasons.some((reason) => message.includes(reason))) continue;
    schedule(world, controllerReactionMs, { type: 'scheduler.schedule', podKey });
  }
}

/**
 * The sync that a change to one of its pods queues, per kind of controller (a switch: a table
 * looked up by kind at one site is a megamorphic keyed load in V8).
 */
function podOwnerSync(kind: string): SyncEventType | undefined {
  switch (kind) {
    case 'ReplicaSet':
      return 'controller.replicaset.sync';
    case 'DaemonSet':
      return 'controller.daemonset.sync';
    case 'ReplicationController':
      return 'controller.replicationcontroller.sync';
    case 'Job':
      return 'controller.job.sync';
    default:
      return undefined;
  }
}

function notifyPodWatchers(world: World, change: WatchChange, pod: Pod): void {
  const cluster = world.cluster;
  if (cluster === undefined) return;
  if (change.type === 'DELETED') {
    cluster.unschedulablePods?.delete(change.key);
    retryUnschedulable(world);
  }
  // Read once each: pods' metadata and specs come in many shapes (api-store.ts, putObject).
  const metadata = pod.metadata;
  const nodeName = pod.spec.nodeName;
  const namespace = metadata.namespace ?? 'default';
  const owner = controllerIn(metadata);
  const ownerSync = owner === undefined ? undefined : podOwnerSync(owner.kind);
  if (owner !== undefined && ownerSync !== undefined) {
    const ownerKey =
      (owner.kind === 'ReplicaSet' ? replicaSetKeyOf(cluster.api, owner.uid) : undefined) ??
      namespacedKey(namespace, owner.name);
    enqueueSync(world, ownerSync, ownerKey);
  }
  if (change.type !== 'DELETED' && nodeName === undefined && metadata.deletionTimestamp === undefined) {
    schedule(world, controllerReactionMs, { type: 'scheduler.schedule', podKey: change.key });
  }
  if (nodeName !== undefined) {
    const node = cluster.nodes[nodeName];
    if (node !== undefined && node.kubelet.connection === 'connected') {
      schedule(world, cluster.timings.watchLatencyMs, {
        type: 'kubelet.pod.sync',
        node: nodeName,
        podKey: change.key,
      });
    }
  }
  // The Services of the pod's namespace, in key order.
  const services = cluster.api.objects.Service;
  if (services === undefined) return;
  const serviceKeys = serviceKeysInNamespace(cluster.api, namespace);
  for (let i = 0; i < serviceKeys.length; i++) {
    const service = services[serviceKeys[i]!];
    if (service?.kind !== 'Service') continue;
    if (mapSelectorMatches(service.spec.selector, metadata.labels)) {
      schedule(world, controllerReactionMs, {
        type: 'controller.endpoints.sync',
        key: namespacedKey(namespace, service.metadata.name),
      });
    }
  }
}
