/**
 * The simulated API server's storage: objects by kind and key, a cluster-wide resourceVersion
 * bumped on every write, and the list of changes each write produces for watchers. Stored objects
 * are never mutated after a write, so watch events and caches can share them safely.
 */
import type { ApiKind, ApiObject } from './objects';
import { objectKey } from './objects';

/** What one write did, as a watch stream reports it. */
export interface WatchChange {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: ApiKind;
  readonly key: string;
  readonly resourceVersion: number;
  /** The object after the write, or the last state before a delete. */
  readonly object: ApiObject;
}

/** The API server's objects. */
export interface ApiStore {
  resourceVersion: number;
  objects: Partial<Record<ApiKind, Record<string, ApiObject>>>;
  /**
   * Owner uid → keys of the objects it controls (ReplicaSets of a Deployment, Pods of a
   * ReplicaSet), as the API server's owner-reference index lets controllers find them quickly.
   */
  owned: Record<string, Record<string, true>>;
  /** Node name → keys of the pods bound to it (the spec.nodeName field index). */
  podsByNode: Record<string, Record<string, true>>;
  /** Node name → how many pods bound to it are not being deleted (what the scheduler spreads by). */
  activePodsByNode: Record<string, number>;
}

/** An empty store. */
export function createApiStore(): ApiStore {
  return { resourceVersion: 1000, objects: {}, owned: {}, podsByNode: {}, activePodsByNode: {} };
}

function indexObject(store: ApiStore, object: ApiObject, key: string, add: boolean): void {
  const controller = object.metadata.ownerReferences?.find((reference) => reference.controller);
  if (controller !== undefined) {
    const bucket = (store.owned[controller.uid] ??= {});
    // Empty buckets stay: counting keys on every delete would cost more than they weigh.
    if (add) bucket[key] = true;
    else delete bucket[key];
  }
  if (object.kind === 'Pod' && object.spec.nodeName !== undefined) {
    const node = object.spec.nodeName;
    const bucket = (store.podsByNode[node] ??= {});
    if (add) bucket[key] = true;
    else delete bucket[key];
    if (object.metadata.deletionTimestamp === undefined && object.spec.hostNetwork !== true) {
      store.activePodsByNode[node] = (store.activePodsByNode[node] ?? 0) + (add ? 1 : -1);
    }
  }
}

function collect<K extends ApiKind>(
  store: ApiStore,
  kind: K,
  keys: Record<string, true> | undefined,
): ObjectOfKind<K>[] {
  const bucket = store.objects[kind];
  if (bucket === undefined || keys === undefined) return [];
  const found: ObjectOfKind<K>[] = [];
  for (const key in keys) {
    const object = bucket[key];
    if (object !== undefined) found.push(object as ObjectOfKind<K>);
  }
  return found;
}

/** Objects of a kind controlled by the owner with this uid, in the (deterministic) order they were indexed. */
export function listOwnedBy<K extends ApiKind>(
  store: ApiStore,
  kind: K,
  ownerUid: string,
): ObjectOfKind<K>[] {
  return collect(store, kind, store.owned[ownerUid]);
}

/** Pods bound to a node, in the (deterministic) order they were indexed. */
export function listPodsOnNode(store: ApiStore, nodeName: string): ObjectOfKind<'Pod'>[] {
  return collect(store, 'Pod', store.podsByNode[nodeName]);
}

/** Narrows a stored object to its kind's type. */
export type ObjectOfKind<K extends ApiKind> = Extract<ApiObject, { kind: K }>;

/** The store key of an object already carrying metadata. */
export function keyOf(object: ApiObject): string {
  return objectKey(object.kind, object.metadata.name, object.metadata.namespace);
}

/** Reads one object, or undefined. */
export function getObject<K extends ApiKind>(
  store: ApiStore,
  kind: K,
  key: string,
): ObjectOfKind<K> | undefined {
  return store.objects[kind]?.[key] as ObjectOfKind<K> | undefined;
}

/** All objects of a kind, in key order (the order kubectl lists them). */
export function listObjects<K extends ApiKind>(store: ApiStore, kind: K): ObjectOfKind<K>[] {
  const bucket = store.objects[kind];
  if (bucket === undefined) return [];
  return Object.keys(bucket)
    .sort()
    .map((key) => bucket[key] as ObjectOfKind<K>);
}

/**
 * All objects of a kind in storage order. Storage order follows the history of writes, so it is as
 * deterministic as the run; controllers use it where the order does not matter, to skip the sort.
 */
export function eachObject<K extends ApiKind>(store: ApiStore, kind: K): ObjectOfKind<K>[] {
  const bucket = store.objects[kind];
  return bucket === undefined ? [] : (Object.values(bucket) as ObjectOfKind<K>[]);
}

/**
 * Stores an object (create or replace) under a new resourceVersion and returns the change. The
 * stored copy gets fresh metadata, so callers may pass an object that shares nested parts with the
 * previous version, as long as they never mutate a stored object afterwards.
 */
export function putObject(store: ApiStore, incoming: ApiObject): WatchChange {
  const key = keyOf(incoming);
  let bucket = store.objects[incoming.kind];
  if (bucket === undefined) {
    bucket = {};
    store.objects[incoming.kind] = bucket;
  }
  store.resourceVersion += 1;
  const object = {
    ...incoming,
    metadata: { ...incoming.metadata, resourceVersion: String(store.resourceVersion) },
  };
  const previous = bucket[key];
  if (previous !== undefined) indexObject(store, previous, key, false);
  bucket[key] = object;
  indexObject(store, object, key, true);
  return {
    type: previous !== undefined ? 'MODIFIED' : 'ADDED',
    kind: object.kind,
    key,
    resourceVersion: store.resourceVersion,
    object,
  };
}

/** Removes an object; returns the change, or undefined when there was nothing to remove. */
export function removeObject(store: ApiStore, kind: ApiKind, key: string): WatchChange | undefined {
  const bucket = store.objects[kind];
  const object = bucket?.[key];
  if (bucket === undefined || object === undefined) return undefined;
  store.resourceVersion += 1;
  delete bucket[key];
  indexObject(store, object, key, false);
  return { type: 'DELETED', kind, key, resourceVersion: store.resourceVersion, object };
}
