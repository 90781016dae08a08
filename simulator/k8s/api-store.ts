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
}

/** An empty store. */
export function createApiStore(): ApiStore {
  return { resourceVersion: 1000, objects: {} };
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

/** Stores an object (create or replace), stamping a new resourceVersion; returns the change. */
export function putObject(store: ApiStore, object: ApiObject): WatchChange {
  const key = keyOf(object);
  let bucket = store.objects[object.kind];
  if (bucket === undefined) {
    bucket = {};
    store.objects[object.kind] = bucket;
  }
  store.resourceVersion += 1;
  object.metadata.resourceVersion = String(store.resourceVersion);
  const existed = Object.hasOwn(bucket, key);
  bucket[key] = object;
  return {
    type: existed ? 'MODIFIED' : 'ADDED',
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
  return { type: 'DELETED', kind, key, resourceVersion: store.resourceVersion, object };
}
