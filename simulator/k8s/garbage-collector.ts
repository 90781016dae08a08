/**
 * kube-controller-manager's garbage collector (kubernetes pkg/controller/garbagecollector), for the
 * objects controllers create and own: once an owner is gone, the objects whose controller reference
 * names its uid follow (background propagation, kubectl delete's default): a Deployment's
 * ReplicaSets and their pods in turn, a DaemonSet's pods and ControllerRevisions, a Job's or a
 * ReplicationController's pods, and a custom kind's objects that name their owner without
 * `controller` where the kind's registration says so. Pods go through graceful deletion like any
 * other. Cilium's CiliumEndpoints are left to the agents, which delete them when the endpoint goes.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, listOwnedWithKeys, sortedKeysOf } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import type { ApiKind, ApiObject } from './objects';
import { requestPodDeletion } from './controlled-pods';
import { kindsOwningWithoutController } from './extension-points';

/** The kinds that controllers create and own. */
const dependentKinds: readonly ApiKind[] = ['ReplicaSet', 'ControllerRevision', 'Pod'];

const controlledBy = (object: ApiObject, uid: string): boolean =>
  object.metadata.ownerReferences?.some(
    (reference) => reference.controller === true && reference.uid === uid,
  ) === true;

/** Deletes what the (already deleted) owner with this uid controlled. */
export function collectDependents(world: World, ownerUid: string): void {
  const api = requireCluster(world).api;
  // Dependents deleted once their only owner is gone, controller or not: the custom kinds whose
  // registration says their objects own others without `controller` (such as the derivative
  // policies Cilium's operator writes for toGroups). The owner index holds controller references
  // only, so these are looked for.
  for (const kind of kindsOwningWithoutController(world)) {
    for (const key of sortedKeysOf(api, kind)) {
      const references = getObject(api, kind, key)?.metadata.ownerReferences ?? [];
      if (references.length === 1 && references[0]?.uid === ownerUid) apiRemove(world, kind, key);
    }
  }
  for (const kind of dependentKinds) {
    for (const { key, object } of listOwnedWithKeys(api, kind, ownerUid)) {
      if (!controlledBy(object, ownerUid)) continue;
      if (object.kind === 'Pod') requestPodDeletion(world, object, undefined, key);
      else apiRemove(world, kind, key);
    }
  }
}

/**
 * Orphan propagation (`kubectl delete --cascade=orphan`): the collector removes the owner's
 * reference from its dependents before the owner goes, so they stay.
 */
export function orphanDependents(world: World, kind: ApiKind, key: string): void {
  const api = requireCluster(world).api;
  const owner = getObject(api, kind, key);
  if (owner === undefined) return;
  const uid = owner.metadata.uid;
  for (const dependentKind of dependentKinds) {
    for (const { key: dependentKey, object } of listOwnedWithKeys(api, dependentKind, uid)) {
      if (!controlledBy(object, uid)) continue;
      const references = (object.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== uid);
      const metadata = { ...object.metadata };
      if (references.length > 0) metadata.ownerReferences = references;
      else delete metadata.ownerReferences;
      apiPut(world, { ...object, metadata }, dependentKey);
    }
  }
}
