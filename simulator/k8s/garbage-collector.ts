/**
 * kube-controller-manager's garbage collector, for the owners kubectl deletes: when a Deployment or
 * a ReplicaSet is gone, the objects it controlled follow (background propagation, kubectl delete's
 * default), ReplicaSets at once and pods gracefully, which in turn takes a ReplicaSet's pods away
 * (kubernetes pkg/controller/garbagecollector). Cilium's CiliumEndpoints are left to the agents,
 * which delete them when the endpoint goes, as the model's agents already do.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, listOwnedWithKeys } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import type { ApiKind, ApiObject } from './objects';
import { requestPodDeletion } from './workloads';

/** The kinds whose deletion the collector follows, and the kinds of their dependents. */
export const collectedOwnerKinds: ReadonlySet<ApiKind> = new Set<ApiKind>(['Deployment', 'ReplicaSet']);
const dependentKinds: readonly ApiKind[] = ['ReplicaSet', 'Pod'];

const ownedBy = (object: ApiObject, uid: string): boolean =>
  object.metadata.ownerReferences?.some((reference) => reference.uid === uid) === true;

/** Deletes what the (already deleted) owner with this uid controlled. */
export function collectDependents(world: World, ownerUid: string): void {
  const api = requireCluster(world).api;
  for (const kind of dependentKinds) {
    for (const { key, object } of listOwnedWithKeys(api, kind, ownerUid)) {
      if (!ownedBy(object, ownerUid)) continue;
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
  if (owner === undefined || !collectedOwnerKinds.has(kind)) return;
  const uid = owner.metadata.uid;
  for (const dependentKind of dependentKinds) {
    for (const { key: dependentKey, object } of listOwnedWithKeys(api, dependentKind, uid)) {
      if (!ownedBy(object, uid)) continue;
      const references = (object.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== uid);
      const metadata = { ...object.metadata };
      if (references.length > 0) metadata.ownerReferences = references;
      else delete metadata.ownerReferences;
      apiPut(world, { ...object, metadata }, dependentKey);
    }
  }
}
