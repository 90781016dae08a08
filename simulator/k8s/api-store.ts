/**
 * The simulated API server's storage: objects by kind and key, a cluster-wide resourceVersion
 * bumped on every write, and the list of changes each write produces for watchers. Stored objects
 * are never mutated after a write, so watch events and caches can share them safely.
 */
import type { ApiKind, ApiObject, ObjectMeta, OwnerReference, Pod, ReplicaSet } from './objects';
import { clusterScopedKinds, namespacedKinds } from './objects';
import { nodeInfoCacheWritten } from './scheduling/node-info-cache';

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
  owned: Record<string, KeySet>;
  /** Node name → keys of the pods bound to it (the spec.nodeName field index). */
  podsByNode: Record<string, KeySet>;
}

/**
 * The keys of one index bucket, in the order they were indexed. A Map rather than a record: a pod's
 * key is new when the pod is, and a record would make V8 internalize it (a search of the whole
 * string table, then an insert) and grow or shrink a dictionary in its runtime as pods come and go.
 * It hashes and clones as the record `{ key: true, … }` (engine/state-hash.ts, engine/clone.ts).
 */
export type KeySet = Map<string, true>;

/**
 * An empty store. Its records are keyed by names the run makes up as it goes (kinds, uids, node
 * names), so each starts as a hash table without a prototype: an ordinary object would
 * pass through a new hidden class per key and make every lookup with a variable key a megamorphic
 * one in V8. They enumerate, hash and clone as `{}` would.
 */
export function createApiStore(): ApiStore {
  return {
    resourceVersion: 1000,
    objects: Object.create(null) as ApiStore['objects'],
    owned: Object.create(null) as ApiStore['owned'],
    podsByNode: Object.create(null) as ApiStore['podsByNode'],
  };
}

/** The owner index's bucket of an owner uid, made (and recorded) on first use. */
function ownedBucket(store: ApiStore, ownerUid: string): KeySet {
  let bucket = store.owned[ownerUid];
  if (bucket === undefined) {
    bucket = new Map();
    store.owned[ownerUid] = bucket;
    builtDerivedOf(store)?.ownerUids.add(ownerUid);
  }
  return bucket;
}

function indexObject(store: ApiStore, kind: ApiKind, object: ApiObject, key: string, add: boolean): void {
  const metadata = object.metadata;
  const controller = controllerIn(metadata);
  if (controller !== undefined) {
    const bucket = ownedBucket(store, controller.uid);
    // Empty buckets stay: counting keys on every delete would cost more than they weigh.
    if (add) bucket.set(key, true);
    else bucket.delete(key);
  }
  const node = kind === 'Pod' ? (object as Pod).spec.nodeName : undefined;
  if (node !== undefined) {
    const bucket = (store.podsByNode[node] ??= new Map());
    if (add) bucket.set(key, true);
    else bucket.delete(key);
  }
  const derived = builtDerivedOf(store);
  if (derived !== undefined) indexDerived(store, derived, kind, object, metadata, key, add, controller);
}

/**
 * Moves an object's index entries from one version to the next, touching only the entries whose
 * inputs changed. Most writes are status updates, and an entry that stays keeps its place: owned
 * objects and a node's pods enumerate in the order they were first indexed (a Deployment's old
 * ReplicaSets in creation order, as its controller orders them).
 */
function reindexObject(
  store: ApiStore,
  kind: ApiKind,
  previous: ApiObject,
  next: ApiObject,
  key: string,
): void {
  const metadataBefore = previous.metadata;
  const metadataAfter = next.metadata;
  const before = controllerIn(metadataBefore);
  // Most writes copy the metadata and keep its owner references (the same array).
  const after =
    metadataAfter.ownerReferences === metadataBefore.ownerReferences ? before : controllerIn(metadataAfter);
  if (before?.uid !== after?.uid) {
    if (before !== undefined) ownedBucket(store, before.uid).delete(key);
    if (after !== undefined) ownedBucket(store, after.uid).set(key, true);
  }
  if (kind === 'Pod') {
    const nodeBefore = (previous as Pod).spec.nodeName;
    const nodeAfter = (next as Pod).spec.nodeName;
    if (nodeBefore !== nodeAfter) {
      if (nodeBefore !== undefined) (store.podsByNode[nodeBefore] ??= new Map()).delete(key);
      if (nodeAfter !== undefined) (store.podsByNode[nodeAfter] ??= new Map()).set(key, true);
    }
  }
  const derived = builtDerivedOf(store);
  if (derived === undefined) return;
  if (!sameDerivedFacts(kind, previous, next, metadataBefore, metadataAfter, before, after)) {
    // A ReplicaSet that keeps its owner keeps its place in the owner's order too, as it does in
    // the owner's bucket (which a clone's rebuilt indexes follow).
    const order = after !== undefined && before?.uid === after.uid ? derived.order.get(after.uid) : undefined;
    const sequence = kind === 'ReplicaSet' ? order?.get(key) : undefined;
    indexDerived(store, derived, kind, previous, metadataBefore, key, false, before);
    indexDerived(store, derived, kind, next, metadataAfter, key, true, after);
    if (sequence !== undefined) order?.set(key, sequence);
  } else if (kind === 'ReplicaSet' && after !== undefined) {
    // The busy index holds the ReplicaSet itself, and its replicas may have changed.
    refreshBusy(derived, next as ReplicaSet, key, after.uid);
    // The Deployment controller rewrites its annotations on every scale; the revision seldom changes.
    const annotations = metadataBefore.annotations;
    if (
      annotations !== metadataAfter.annotations &&
      annotations?.[revisionAnnotation] !== metadataAfter.annotations?.[revisionAnnotation]
    )
      derived.revisions.delete(after.uid);
  }
}

/**
 * Whether two versions of an object count the same in the derived indexes: the same controller and
 * deletion state, and for pods the same readiness and template hash, for ReplicaSets the same uid
 * and template hash.
 */
function sameDerivedFacts(
  kind: ApiKind,
  previous: ApiObject,
  next: ApiObject,
  metadataBefore: ObjectMeta,
  metadataAfter: ObjectMeta,
  before: OwnerReference | undefined,
  after: OwnerReference | undefined,
): boolean {
  if (before?.uid !== after?.uid) return false;
  if ((metadataBefore.deletionTimestamp === undefined) !== (metadataAfter.deletionTimestamp === undefined))
    return false;
  const labels = metadataBefore.labels;
  if (
    labels !== metadataAfter.labels &&
    labels?.[templateHashLabel] !== metadataAfter.labels?.[templateHashLabel]
  )
    return false;
  if (kind === 'Pod') {
    const conditions = (previous as Pod).status.conditions;
    return (
      conditions === (next as Pod).status.conditions ||
      podIsReady(previous as Pod) === podIsReady(next as Pod)
    );
  }
  if (kind === 'ReplicaSet') return metadataBefore.uid === metadataAfter.uid;
  return true;
}

/** The controller among an object's owner references. */
function controllerOf(object: ApiObject): OwnerReference | undefined {
  return controllerIn(object.metadata);
}

/** The controller among the owner references of an object's metadata. */
export function controllerIn(metadata: ObjectMeta): OwnerReference | undefined {
  const references = metadata.ownerReferences;
  if (references === undefined) return undefined;
  for (const reference of references) if (reference.controller) return reference;
  return undefined;
}

/*
 * Derived indexes. They answer the controllers' hot questions (which ReplicaSets of a Deployment
 * still have replicas or live pods, which one carries a template hash, the sorted keys of a kind)
 * without walking every ReplicaSet a long history left behind, or sorting on every call. They are
 * not part of the world's data: they live beside the store (so a clone or a hash of the world never
 * sees them), are kept current by every write, and are rebuilt from the stored objects the first
 * time a store without them (a checkpoint's clone, a store built elsewhere) is asked.
 */

/** The label that names a ReplicaSet's pod template; indexed per owner. */
const templateHashLabel = 'pod-template-hash';

/** The annotation that numbers a Deployment's ReplicaSets; the highest is kept per owner. */
const revisionAnnotation = 'deployment.kubernetes.io/revision';

interface DerivedIndexes {
  nextSequence: number;
  /**
   * Owner uid → key of an owned ReplicaSet → sequence, following the insertion order of
   * `store.owned[uid]`, so that results built from the indexes come out in listOwnedBy's order.
   */
  order: Map<string, Map<string, number>>;
  /** Controller uid → how many of the objects it controls are not being deleted. */
  activeDependents: Map<string, number>;
  /** ReplicaSet uid → its key. */
  replicaSetKeys: Map<string, string>;
  /**
   * Owner uid → key → owned ReplicaSet that is busy: its spec asks for replicas, or pods it
   * controls are not being deleted. A ReplicaSet that is not busy has nothing running.
   */
  busy: Map<string, Map<string, ReplicaSet>>;
  /** Owner uid → pod-template-hash → keys of owned ReplicaSets with that label. */
  byTemplateHash: Map<string, Map<string, Set<string>>>;
  /** Controller uid → counts of the pods it controls that are not being deleted. */
  podCounts: Map<string, ControlledPodCounts>;
  /** Kind → its keys, sorted; dropped whenever a key of that kind comes or goes. */
  sortedKeys: Map<ApiKind, readonly string[]>;
  /** Kind → its keys in storage order; dropped whenever a key of that kind comes or goes. */
  storageKeys: Map<ApiKind, readonly string[]>;
  /**
   * Namespace → the sorted keys of its Services, for the endpoints controller's question on every
   * pod write; dropped on every write of a Service (a rare write).
   */
  serviceKeysByNamespace: Map<string, readonly string[]> | undefined;
  /**
   * The uids `store.owned` has a bucket for, which is every uid that ever controlled an object:
   * asking a Set about the uid of any deleted object is cheap, where looking up a uid that was
   * never a property key makes V8 search its whole string table.
   */
  ownerUids: Set<string>;
  /**
   * Owner uid → the highest revisions among the ReplicaSets it controls. Updated as ReplicaSets
   * come and go where that is certain, dropped (and worked out again when asked) where it is not.
   */
  revisions: Map<string, OwnedRevisions>;
}

/**
 * The highest revision among an owner's ReplicaSets, and the highest among the rest. Any
 * ReplicaSet with the highest revision can stand for it: the answers depend only on the values.
 */
interface OwnedRevisions {
  /** The highest revision (at least 0). */
  highest: number;
  /** The uid of a ReplicaSet with that revision, or undefined when no revision is above 0. */
  highestUid: string | undefined;
  /** The highest revision (at least 0) among the ReplicaSets whose uid is not highestUid. */
  highestOfOthers: number;
}

/** Folds a ReplicaSet that came (add) or went into its owner's highest revisions, or drops them. */
function revisionsChanged(
  derived: DerivedIndexes,
  ownerUid: string,
  replicaSet: ReplicaSet,
  add: boolean,
): void {
  const revisions = derived.revisions.get(ownerUid);
  if (revisions === undefined) return;
  const revision = revisionOf(replicaSet);
  const uid = replicaSet.metadata.uid;
  const { highest, highestUid, highestOfOthers } = revisions;
  if (add) {
    if (revision > highest) {
      // The old highest is among the others, unless it shared this uid (then they are unknown).
      if (uid === highestUid) derived.revisions.delete(ownerUid);
      else derived.revisions.set(ownerUid, { highest: revision, highestUid: uid, highestOfOthers: highest });
    } else if (uid !== highestUid && revision > highestOfOthers)
      derived.revisions.set(ownerUid, { highest, highestUid, highestOfOthers: revision });
  } else if (uid === highestUid || revision >= highestOfOthers) {
    // Below the others' highest, another ReplicaSet still holds each figure; otherwise unknown.
    if (revision > 0 || uid === highestUid) derived.revisions.delete(ownerUid);
  }
}

const derivedIndexes = new WeakMap<ApiStore, DerivedIndexes>();

/**
 * The store whose derived indexes were looked up last, and those indexes. A run writes to one
 * store for long stretches, and every write and most reads look the indexes up several times, so
 * this spares the WeakMap's lookup. An entry of the WeakMap is never replaced once made, so the
 * pair stays right; it only keeps that one store alive until another store is asked about.
 */
let lastStore: ApiStore | undefined;
let lastDerived: DerivedIndexes | undefined;

/** The derived indexes of a store, or undefined when nothing built them yet. */
function builtDerivedOf(store: ApiStore): DerivedIndexes | undefined {
  if (store === lastStore) return lastDerived;
  const derived = derivedIndexes.get(store);
  if (derived !== undefined) {
    lastStore = store;
    lastDerived = derived;
  }
  return derived;
}

/** Pods one controller (a ReplicaSet) controls that are not being deleted. */
export interface ControlledPodCounts {
  active: number;
  /** Of those, pods whose Ready condition is True. */
  ready: number;
  /** Of those, how many carry each pod-template-hash label value. */
  byTemplateHash: Map<string, number>;
}

function podIsReady(pod: ObjectOfKind<'Pod'>): boolean {
  const conditions = pod.status.conditions;
  if (conditions === undefined) return false;
  for (const condition of conditions) {
    if (condition.type === 'Ready' && condition.status === 'True') return true;
  }
  return false;
}

function countControlledPod(
  derived: DerivedIndexes,
  pod: ObjectOfKind<'Pod'>,
  metadata: ObjectMeta,
  ownerUid: string,
  delta: number,
): void {
  let counts = derived.podCounts.get(ownerUid);
  if (counts === undefined) {
    counts = { active: 0, ready: 0, byTemplateHash: new Map() };
    derived.podCounts.set(ownerUid, counts);
  }
  counts.active += delta;
  if (podIsReady(pod)) counts.ready += delta;
  const templateHash = metadata.labels?.[templateHashLabel];
  if (templateHash !== undefined)
    counts.byTemplateHash.set(templateHash, (counts.byTemplateHash.get(templateHash) ?? 0) + delta);
}

function refreshBusy(derived: DerivedIndexes, replicaSet: ReplicaSet, key: string, ownerUid: string): void {
  let entries = derived.busy.get(ownerUid);
  const busy =
    replicaSet.spec.replicas !== 0 || (derived.activeDependents.get(replicaSet.metadata.uid) ?? 0) > 0;
  if (busy) {
    if (entries === undefined) {
      entries = new Map();
      derived.busy.set(ownerUid, entries);
    }
    entries.set(key, replicaSet);
  } else if (entries !== undefined) entries.delete(key);
}

/** Re-evaluates whether the ReplicaSet with this uid is busy, after its pods changed. */
function refreshBusyByUid(store: ApiStore, derived: DerivedIndexes, uid: string): void {
  const key = derived.replicaSetKeys.get(uid);
  if (key === undefined) return;
  const replicaSet = store.objects.ReplicaSet?.[key];
  if (replicaSet?.kind !== 'ReplicaSet') return;
  const controller = controllerOf(replicaSet);
  if (controller !== undefined) refreshBusy(derived, replicaSet, key, controller.uid);
}

function indexDerived(
  store: ApiStore,
  derived: DerivedIndexes,
  kind: ApiKind,
  object: ApiObject,
  metadata: ObjectMeta,
  key: string,
  add: boolean,
  controller: OwnerReference | undefined,
): void {
  if (kind === 'ReplicaSet') {
    const uid = metadata.uid;
    if (add) derived.replicaSetKeys.set(uid, key);
    else if (derived.replicaSetKeys.get(uid) === key) derived.replicaSetKeys.delete(uid);
  }
  if (controller === undefined) return;
  const ownerUid = controller.uid;
  if (metadata.deletionTimestamp === undefined) {
    const before = derived.activeDependents.get(ownerUid) ?? 0;
    const after = before + (add ? 1 : -1);
    derived.activeDependents.set(ownerUid, after);
    if (before > 0 !== after > 0) refreshBusyByUid(store, derived, ownerUid);
    if (kind === 'Pod') countControlledPod(derived, object as Pod, metadata, ownerUid, add ? 1 : -1);
  }
  if (kind !== 'ReplicaSet') return;
  const replicaSet = object as ReplicaSet;
  revisionsChanged(derived, ownerUid, replicaSet, add);
  let order = derived.order.get(ownerUid);
  if (order === undefined) {
    order = new Map();
    derived.order.set(ownerUid, order);
  }
  if (!add) order.delete(key);
  else if (!order.has(key)) order.set(key, derived.nextSequence++);
  if (add) refreshBusy(derived, replicaSet, key, ownerUid);
  else derived.busy.get(ownerUid)?.delete(key);
  const templateHash = metadata.labels?.[templateHashLabel];
  if (templateHash !== undefined) {
    let byHash = derived.byTemplateHash.get(ownerUid);
    if (byHash === undefined) {
      byHash = new Map();
      derived.byTemplateHash.set(ownerUid, byHash);
    }
    let keys = byHash.get(templateHash);
    if (add) {
      if (keys === undefined) {
        keys = new Set();
        byHash.set(templateHash, keys);
      }
      keys.add(key);
    } else keys?.delete(key);
  }
}

/** The derived indexes of a store, built from its objects the first time they are needed. */
function derivedOf(store: ApiStore): DerivedIndexes {
  let derived = builtDerivedOf(store);
  if (derived !== undefined) return derived;
  derived = {
    nextSequence: 0,
    order: new Map(),
    activeDependents: new Map(),
    replicaSetKeys: new Map(),
    busy: new Map(),
    byTemplateHash: new Map(),
    podCounts: new Map(),
    sortedKeys: new Map(),
    storageKeys: new Map(),
    serviceKeysByNamespace: undefined,
    ownerUids: new Set(Object.keys(store.owned)),
    revisions: new Map(),
  };
  // The order mirrors the owned buckets as they stand; indexing below only appends to it.
  for (const ownerUid in store.owned) {
    const order = new Map<string, number>();
    for (const key of store.owned[ownerUid]!.keys()) order.set(key, derived.nextSequence++);
    derived.order.set(ownerUid, order);
  }
  for (const kind in store.objects) {
    const bucket = store.objects[kind as ApiKind];
    for (const key in bucket) {
      const object = bucket[key];
      if (object !== undefined)
        indexDerived(store, derived, object.kind, object, object.metadata, key, true, controllerOf(object));
    }
  }
  // Busy flags computed before all of a ReplicaSet's pods were counted are settled here.
  for (const key in store.objects.ReplicaSet) {
    const replicaSet = store.objects.ReplicaSet[key];
    const controller = replicaSet === undefined ? undefined : controllerOf(replicaSet);
    if (replicaSet?.kind === 'ReplicaSet' && controller !== undefined)
      refreshBusy(derived, replicaSet, key, controller.uid);
  }
  derivedIndexes.set(store, derived);
  return derived;
}

/** Compares two keys of one owner by the order `store.owned[ownerUid]` enumerates them in. */
function compareOwned(order: Map<string, number> | undefined, a: string, b: string): number {
  return (order?.get(a) ?? Infinity) - (order?.get(b) ?? Infinity);
}

/** Sorts keys of one owner into the order `store.owned[ownerUid]` enumerates them. */
function inOwnedOrder(order: Map<string, number> | undefined, keys: string[]): string[] {
  return keys.sort((a, b) => compareOwned(order, a, b));
}

/**
 * ReplicaSets controlled by this owner that are busy (spec.replicas is not zero, or pods they
 * control are not being deleted), in listOwnedBy's order. Every ReplicaSet left out has zero
 * replicas and controls no pod that is still running.
 */
export function listBusyReplicaSetsOwnedBy(store: ApiStore, ownerUid: string): ReplicaSet[] {
  const derived = derivedOf(store);
  const entries = derived.busy.get(ownerUid);
  if (entries === undefined || entries.size === 0) return [];
  if (entries.size === 1) return [...entries.values()];
  const order = derived.order.get(ownerUid);
  if (entries.size === 2) {
    // A rollout in progress: the old ReplicaSet and the new one, in owned order without a sort.
    const keys = entries.keys();
    const first = keys.next().value!;
    const second = keys.next().value!;
    const pair = [entries.get(first)!, entries.get(second)!];
    return compareOwned(order, first, second) > 0 ? [pair[1]!, pair[0]!] : pair;
  }
  return inOwnedOrder(order, [...entries.keys()]).map((key) => entries.get(key)!);
}

/**
 * The first ReplicaSet controlled by this owner whose pod-template-hash label has this value, in
 * listOwnedBy's order: what `listOwnedBy(...).find(...)` on that label finds.
 */
export function findOwnedReplicaSetByTemplateHash(
  store: ApiStore,
  ownerUid: string,
  templateHash: string,
): ReplicaSet | undefined {
  const derived = derivedOf(store);
  const keys = derived.byTemplateHash.get(ownerUid)?.get(templateHash);
  if (keys === undefined || keys.size === 0) return undefined;
  const bucket = store.objects.ReplicaSet;
  const candidates = keys.size === 1 ? [...keys] : inOwnedOrder(derived.order.get(ownerUid), [...keys]);
  for (const key of candidates) {
    const object = bucket?.[key];
    if (object?.kind === 'ReplicaSet') return object;
  }
  return undefined;
}

/**
 * Counts of the pods the controller with this uid controls that are not being deleted (what
 * filtering listOwnedBy(store, 'Pod', uid) would count), or undefined when it never had any.
 */
export function controlledPodCounts(
  store: ApiStore,
  controllerUid: string,
): Readonly<ControlledPodCounts> | undefined {
  return derivedOf(store).podCounts.get(controllerUid);
}

/**
 * The ReplicaSets the owner with this uid controls (what listOwnedBy(store, 'ReplicaSet', uid)
 * lists), in no promised order: for questions whose answer does not depend on it, such as the
 * highest revision. Read from the derived index, which a Map iterates without the walk of a
 * dictionary-mode bucket that `store.owned` becomes once keys come and go.
 */
export function ownedReplicaSetsUnordered(store: ApiStore, ownerUid: string): ReplicaSet[] {
  const keys = derivedOf(store).order.get(ownerUid);
  const bucket = store.objects.ReplicaSet;
  if (keys === undefined || bucket === undefined) return [];
  const found: ReplicaSet[] = [];
  for (const key of keys.keys()) {
    const object = bucket[key];
    if (object?.kind === 'ReplicaSet') found.push(object);
  }
  return found;
}

/** The revision a ReplicaSet's annotation gives, 0 when it has none or it is not a number. */
export function revisionOf(replicaSet: ReplicaSet): number {
  return Number(replicaSet.metadata.annotations?.[revisionAnnotation] ?? 0) || 0;
}

/**
 * The highest revision (at least 0) among the ReplicaSets the owner with this uid controls, leaving
 * out the one whose uid is exceptUid: what the Deployment controller's MaxRevision answers over
 * them (kubernetes v1.30, pkg/controller/deployment/util/deployment_util.go). A Deployment asks
 * on every sync, so the answer is kept beside the store.
 */
export function highestOwnedRevision(store: ApiStore, ownerUid: string, exceptUid?: string): number {
  const derived = derivedOf(store);
  let revisions = derived.revisions.get(ownerUid);
  if (revisions === undefined) {
    revisions = ownedRevisions(ownedReplicaSetsUnordered(store, ownerUid));
    derived.revisions.set(ownerUid, revisions);
  }
  return exceptUid !== undefined && exceptUid === revisions.highestUid
    ? revisions.highestOfOthers
    : revisions.highest;
}

function ownedRevisions(replicaSets: readonly ReplicaSet[]): OwnedRevisions {
  let highest = 0;
  let highestUid: string | undefined;
  for (const replicaSet of replicaSets) {
    const revision = revisionOf(replicaSet);
    if (revision > highest) {
      highest = revision;
      highestUid = replicaSet.metadata.uid;
    }
  }
  let highestOfOthers = 0;
  if (highestUid === undefined) return { highest, highestUid, highestOfOthers };
  for (const replicaSet of replicaSets)
    if (replicaSet.metadata.uid !== highestUid)
      highestOfOthers = Math.max(highestOfOthers, revisionOf(replicaSet));
  return { highest, highestUid, highestOfOthers };
}

/**
 * Whether the owner with this uid controls any stored object (its bucket in `store.owned` has a
 * key), as the garbage collector asks of every object deleted.
 */
export function controlsAnyObject(store: ApiStore, ownerUid: string): boolean {
  if (!derivedOf(store).ownerUids.has(ownerUid)) return false;
  return (store.owned[ownerUid]?.size ?? 0) > 0;
}

/** The store key of the ReplicaSet with this uid, or undefined when none is stored. */
export function replicaSetKeyOf(store: ApiStore, uid: string): string | undefined {
  return derivedOf(store).replicaSetKeys.get(uid);
}

/**
 * How many ReplicaSets the owner with this uid controls (what listOwnedBy(store, 'ReplicaSet', uid)
 * would count).
 */
export function countOwnedReplicaSets(store: ApiStore, ownerUid: string): number {
  return derivedOf(store).order.get(ownerUid)?.size ?? 0;
}

/** The keys of a kind in sorted order (cached until a key of that kind comes or goes). */
export function sortedKeysOf(store: ApiStore, kind: ApiKind): readonly string[] {
  const derived = derivedOf(store);
  let keys = derived.sortedKeys.get(kind);
  if (keys === undefined) {
    keys = Object.keys(store.objects[kind] ?? {}).sort();
    derived.sortedKeys.set(kind, keys);
  }
  return keys;
}

/**
 * The keys of a kind in storage order (cached until a key of that kind comes or goes), for walks
 * over a large kind that must not copy it each time, such as the scheduler's over 5,000 Nodes.
 */
export function keysInStorageOrder(store: ApiStore, kind: ApiKind): readonly string[] {
  const derived = derivedOf(store);
  let keys = derived.storageKeys.get(kind);
  if (keys === undefined) {
    keys = Object.keys(store.objects[kind] ?? {});
    derived.storageKeys.set(kind, keys);
  }
  return keys;
}

/**
 * The sorted keys of the Services in a namespace: those of sortedKeysOf(store, 'Service') whose
 * object's namespace it is, in the same order (cached until the next write of a Service).
 */
export function serviceKeysInNamespace(store: ApiStore, namespace: string): readonly string[] {
  const derived = derivedOf(store);
  let byNamespace = derived.serviceKeysByNamespace;
  if (byNamespace === undefined) {
    const grouped = new Map<string, string[]>();
    const bucket = store.objects.Service;
    for (const key of sortedKeysOf(store, 'Service')) {
      const service = bucket?.[key];
      if (service?.kind !== 'Service') continue;
      const inNamespace = service.metadata.namespace ?? 'default';
      let keys = grouped.get(inNamespace);
      if (keys === undefined) {
        keys = [];
        grouped.set(inNamespace, keys);
      }
      keys.push(key);
    }
    byNamespace = grouped;
    derived.serviceKeysByNamespace = byNamespace;
  }
  return byNamespace.get(namespace) ?? noKeys;
}

const noKeys: readonly string[] = [];

/** Forgets a kind's cached key lists after a key of that kind was added or removed. */
function keysChanged(store: ApiStore, kind: ApiKind): void {
  const derived = builtDerivedOf(store);
  derived?.sortedKeys.delete(kind);
  derived?.storageKeys.delete(kind);
}

/** Forgets what the derived indexes hold about an object's content after it was written. */
function contentChanged(store: ApiStore, kind: ApiKind): void {
  if (kind !== 'Service') return;
  const derived = builtDerivedOf(store);
  if (derived !== undefined) derived.serviceKeysByNamespace = undefined;
}

function collect<K extends ApiKind>(store: ApiStore, kind: K, keys: KeySet | undefined): ObjectOfKind<K>[] {
  const bucket = store.objects[kind];
  if (bucket === undefined || keys === undefined) return [];
  const found: ObjectOfKind<K>[] = [];
  for (const key of keys.keys()) {
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

/** listOwnedBy with each object's store key, for callers that write the objects back. */
export function listOwnedWithKeys<K extends ApiKind>(
  store: ApiStore,
  kind: K,
  ownerUid: string,
): { key: string; object: ObjectOfKind<K> }[] {
  const bucket = store.objects[kind];
  const keys = store.owned[ownerUid];
  if (bucket === undefined || keys === undefined) return [];
  const found: { key: string; object: ObjectOfKind<K> }[] = [];
  for (const key of keys.keys()) {
    const object = bucket[key];
    if (object !== undefined) found.push({ key, object: object as ObjectOfKind<K> });
  }
  return found;
}

/** Pods bound to a node, in the (deterministic) order they were indexed. */
export function listPodsOnNode(store: ApiStore, nodeName: string): ObjectOfKind<'Pod'>[] {
  return collect(store, 'Pod', store.podsByNode[nodeName]);
}

/** Narrows a stored object to its kind's type. */
export type ObjectOfKind<K extends ApiKind> = Extract<ApiObject, { kind: K }>;

/** The store key of an object already carrying metadata. */
export function keyOf(object: ApiObject): string {
  const { name, namespace } = object.metadata;
  if (namespacedKinds.has(object.kind)) return namespacedKey(namespace ?? 'default', name);
  // A stored object of a CRD's kind carries a namespace exactly when its CRD is namespaced.
  if (namespace !== undefined && !clusterScopedKinds.has(object.kind)) return namespacedKey(namespace, name);
  return name;
}

/** Namespace → name → store key, for namespacedKey. */
const namespacedKeys = new Map<string, Map<string, string>>();

/**
 * The store key `namespace/name` of a namespaced object (what objectKey gives). The same string is
 * handed out for the same key every time rather than a new concatenation, which makes every
 * lookup by that key cheap: the engine must hash and intern a fresh string before looking it up.
 */
export function namespacedKey(namespace: string, name: string): string {
  let keys = namespacedKeys.get(namespace);
  if (keys === undefined) {
    keys = new Map();
    namespacedKeys.set(namespace, keys);
  }
  let key = keys.get(name);
  if (key === undefined) {
    if (keys.size >= 100_000) keys.clear();
    key = `${namespace}/${name}`;
    keys.set(name, key);
  }
  return key;
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
  const keys = sortedKeysOf(store, kind);
  const objects: ObjectOfKind<K>[] = new Array<ObjectOfKind<K>>(keys.length);
  for (let i = 0; i < keys.length; i++) objects[i] = bucket[keys[i]!] as ObjectOfKind<K>;
  return objects;
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
 * What a writer hands over to the store with an object, so that the store need not copy it:
 * - `none`: nothing; the store keeps a copy with fresh metadata (the object may be a stored one);
 * - `object`: the object itself was made for this write and its writer keeps no reference it will
 *   change (`{ ...pod, status }`); its metadata may be a stored version's, so that is still copied;
 * - `object-and-metadata`: the object and its metadata were both made for this write, and the store
 *   keeps them as they are, with the new resourceVersion.
 * Either way the stored object has the same fields, in the same order.
 */
export type Handover = 'none' | 'object' | 'object-and-metadata';

/**
 * Stores an object (create or replace) under a new resourceVersion and returns the change. The
 * stored copy gets fresh metadata, so callers may pass an object that shares nested parts with the
 * previous version, as long as they never mutate a stored object afterwards.
 */
export function putObject(
  store: ApiStore,
  incoming: ApiObject,
  key = keyOf(incoming),
  handover: Handover = 'none',
): WatchChange {
  // The kind is read once and handed on: the code below sees objects of every kind, where each
  // read of a property is a megamorphic lookup in V8 (the same holds for the metadata, read once
  // per version by the indexes), and a write would otherwise read it a dozen times.
  const kind = incoming.kind;
  let bucket = store.objects[kind];
  if (bucket === undefined) {
    // Without a prototype, as the store's records (createApiStore): a busy kind's keys come and go, and
    // a lookup of a key not stored (every create; a reader asking after a deleted object) need not
    // search Object.prototype too. A clone keeps them so (engine/clone.ts).
    bucket = Object.create(null) as Record<string, ApiObject>;
    store.objects[kind] = bucket;
  }
  store.resourceVersion += 1;
  const object = storedVersion(incoming, kind, String(store.resourceVersion), handover);
  const previous = bucket[key];
  bucket[key] = object;
  if (previous === undefined) {
    keysChanged(store, kind);
    indexObject(store, kind, object, key, true);
  } else reindexObject(store, kind, previous, object, key);
  contentChanged(store, kind);
  nodeInfoCacheWritten(store, kind, key, previous, object);
  return {
    type: previous !== undefined ? 'MODIFIED' : 'ADDED',
    kind,
    key,
    resourceVersion: store.resourceVersion,
    object,
  };
}

/** The version of an incoming object the store keeps, copied as far as its writer did not hand it over. */
function storedVersion(
  incoming: ApiObject,
  kind: ApiKind,
  resourceVersion: string,
  handover: Handover,
): ApiObject {
  if (handover === 'none') return storedCopy(incoming, kind, resourceVersion);
  // Assigning keeps the field's place when the metadata has one, as the copy's spread would.
  if (handover === 'object-and-metadata') incoming.metadata.resourceVersion = resourceVersion;
  else incoming.metadata = metadataCopy(incoming, kind, resourceVersion);
  return incoming;
}

/**
 * A copy of an object's metadata with a new resourceVersion, spelt out per busy kind as storedCopy
 * is: one spread site that sees the metadata of every kind (a handful of shapes) goes megamorphic
 * in V8 and copies through the runtime, several times slower than a site that sees one or two.
 * The default branch is left with the other kinds' (a network plugin's endpoints, most of all).
 */
function metadataCopy(incoming: ApiObject, kind: ApiKind, resourceVersion: string): ObjectMeta {
  switch (kind) {
    case 'Pod':
      return { ...incoming.metadata, resourceVersion };
    case 'ReplicaSet':
      return { ...incoming.metadata, resourceVersion };
    case 'Deployment':
      return { ...incoming.metadata, resourceVersion };
    default:
      return { ...incoming.metadata, resourceVersion };
  }
}

/**
 * The copy of an incoming object that the store keeps: the same fields, in the same order, with
 * fresh metadata. The copy is spelt out once per busy kind so that each copy site sees objects of
 * few shapes, which keeps it fast; every branch does the same thing.
 */
function storedCopy(incoming: ApiObject, kind: ApiKind, resourceVersion: string): ApiObject {
  switch (kind) {
    case 'Pod':
      return { ...incoming, metadata: { ...incoming.metadata, resourceVersion } };
    case 'ReplicaSet':
      return { ...incoming, metadata: { ...incoming.metadata, resourceVersion } };
    case 'Deployment':
      return { ...incoming, metadata: { ...incoming.metadata, resourceVersion } };
    default:
      return { ...incoming, metadata: { ...incoming.metadata, resourceVersion } };
  }
}

/** Removes an object; returns the change, or undefined when there was nothing to remove. */
export function removeObject(store: ApiStore, kind: ApiKind, key: string): WatchChange | undefined {
  const bucket = store.objects[kind];
  const object = bucket?.[key];
  if (bucket === undefined || object === undefined) return undefined;
  store.resourceVersion += 1;
  delete bucket[key];
  keysChanged(store, kind);
  contentChanged(store, kind);
  indexObject(store, kind, object, key, false);
  nodeInfoCacheWritten(store, kind, key, object, undefined);
  return { type: 'DELETED', kind, key, resourceVersion: store.resourceVersion, object };
}
