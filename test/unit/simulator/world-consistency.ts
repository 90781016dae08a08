/**
 * Checks that a world is consistent, for tests that drive it with arbitrary input: every index the
 * API store keeps (in the world, or derived beside it) answers what the slow, obvious walk over the
 * stored objects answers (the owner and node indexes, the controllers' derived indexes, the
 * scheduler's node-info cache), every stored object sits under its own kind and key, and the recorded
 * timeline replays to the same state hash.
 */
import { expect } from 'vitest';
import {
  controlledPodCounts,
  controlsAnyObject,
  countOwnedReplicaSets,
  findOwnedReplicaSetByTemplateHash,
  highestOwnedRevision,
  keyOf,
  keysInStorageOrder,
  listBusyReplicaSetsOwnedBy,
  listObjects,
  listOwnedBy,
  ownedReplicaSetsUnordered,
  sortedKeysOf,
  type ApiStore,
} from '../../../simulator/k8s/api-store';
import type { ApiKind, ApiObject, Pod } from '../../../simulator/k8s/objects';
import { canonicalJson } from '../../../simulator/engine/state-hash';
import { selectorMatches } from '../../../simulator/k8s/metadata';
import { nodeInfoCacheOf } from '../../../simulator/k8s/scheduling/node-info-cache';
import { matchingPodsOn, scoringConstraints } from '../../../simulator/k8s/scheduling/pod-topology-spread';
import { podRequests } from '../../../simulator/k8s/scheduling/resources';
import type { Simulation } from '../../../simulator/simulation';
import type { Cluster, World } from '../../../simulator/world';

/** What the derived indexes must answer, computed the slow way from listOwnedBy. */
export function expectIndexesMatch(store: ApiStore): void {
  // Whether an owner controls anything, as the garbage collector asks of every deleted object.
  const controllers = new Set<string>();
  const uids: string[] = [];
  for (const bucket of Object.values(store.objects)) {
    for (const object of Object.values(bucket ?? {})) {
      uids.push(object.metadata.uid);
      const controller = object.metadata.ownerReferences?.find((reference) => reference.controller);
      if (controller !== undefined) controllers.add(controller.uid);
    }
  }
  for (const uid of [...uids, ...controllers])
    expect(controlsAnyObject(store, uid), `controls anything: ${uid}`).toBe(controllers.has(uid));
  for (const deployment of listObjects(store, 'Deployment'))
    expectHighestRevisionsMatch(store, deployment.metadata.uid);
  for (const deployment of listObjects(store, 'Deployment')) {
    const owned = listOwnedBy(store, 'ReplicaSet', deployment.metadata.uid);
    const activePods = (uid: string) =>
      listOwnedBy(store, 'Pod', uid).filter((pod) => pod.metadata.deletionTimestamp === undefined);
    const busy = owned.filter(
      (replicaSet) => replicaSet.spec.replicas !== 0 || activePods(replicaSet.metadata.uid).length > 0,
    );
    expect(listBusyReplicaSetsOwnedBy(store, deployment.metadata.uid)).toEqual(busy);
    expect(countOwnedReplicaSets(store, deployment.metadata.uid)).toBe(owned.length);
    // The unordered list holds the same stored objects, whatever their order.
    const unordered = ownedReplicaSetsUnordered(store, deployment.metadata.uid);
    expect(unordered).toHaveLength(owned.length);
    for (const replicaSet of owned) expect(unordered).toContain(replicaSet);
    for (const replicaSet of owned) {
      const hash = replicaSet.metadata.labels?.['pod-template-hash'] ?? '';
      expect(findOwnedReplicaSetByTemplateHash(store, deployment.metadata.uid, hash)).toBe(
        owned.find((candidate) => candidate.metadata.labels?.['pod-template-hash'] === hash),
      );
      const pods = activePods(replicaSet.metadata.uid);
      const counts = controlledPodCounts(store, replicaSet.metadata.uid);
      expect(counts?.active ?? 0).toBe(pods.length);
      expect(counts?.ready ?? 0).toBe(
        pods.filter((pod) =>
          pod.status.conditions?.some(
            (condition) => condition.type === 'Ready' && condition.status === 'True',
          ),
        ).length,
      );
      expect(counts?.byTemplateHash.get(hash) ?? 0).toBe(
        pods.filter((pod) => pod.metadata.labels?.['pod-template-hash'] === hash).length,
      );
    }
  }
}

/**
 * The highest revision among an owner's ReplicaSets, as deploymentutil.MaxRevision finds it, with
 * each of them left out in turn (as a Deployment asks about its new ReplicaSet) and none left out.
 */
export function expectHighestRevisionsMatch(store: ApiStore, ownerUid: string): void {
  const owned: ApiObject[] = [];
  for (const key of store.owned[ownerUid]?.keys() ?? []) {
    const object = store.objects.ReplicaSet?.[key];
    if (object !== undefined) owned.push(object);
  }
  const revision = (object: ApiObject): number =>
    Number(object.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0;
  const highestWithout = (uid: string | undefined): number =>
    Math.max(0, ...owned.filter((object) => object.metadata.uid !== uid).map(revision));
  expect(highestOwnedRevision(store, ownerUid)).toBe(highestWithout(undefined));
  for (const object of [...owned, { metadata: { uid: 'no-such-uid' } } as ApiObject])
    expect(highestOwnedRevision(store, ownerUid, object.metadata.uid), `without ${object.metadata.uid}`).toBe(
      highestWithout(object.metadata.uid),
    );
}

/** The scheduler's view of a store, computed the slow way: every pod walked. */
export function expectNodeInfoCacheMatches(store: ApiStore): void {
  const cache = nodeInfoCacheOf(store);
  const pods = listObjects(store, 'Pod').filter(
    (pod) =>
      pod.spec.nodeName !== undefined && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed',
  );
  const nodes = listObjects(store, 'Node');
  expect(cache.nodeCount).toBe(nodes.length);
  for (const node of nodes) {
    const here = pods.filter((pod) => pod.spec.nodeName === node.metadata.name);
    const info = cache.nodes.get(node.metadata.name);
    expect(info?.node).toBe(node);
    expect(info?.podCount).toBe(here.length);
    const sum = (field: 'milliCpu' | 'memory' | 'nonZeroMilliCpu' | 'nonZeroMemory'): number =>
      here.reduce((total, pod) => total + podRequests(pod)[field], 0);
    expect(info?.requestedMilliCpu).toBe(sum('milliCpu'));
    expect(info?.requestedMemory).toBe(sum('memory'));
    expect(info?.nonZeroMilliCpu).toBe(sum('nonZeroMilliCpu'));
    expect(info?.nonZeroMemory).toBe(sum('nonZeroMemory'));
    expect(info?.unschedulable).toBe(node.spec.unschedulable === true);
    expect(info?.taints).toBe(node.spec.taints);
    for (const labelSet of cache.labelSets) {
      const same = here.filter(
        (pod) =>
          (pod.metadata.namespace ?? 'default') === labelSet.namespace &&
          canonicalJson(pod.metadata.labels ?? {}) === canonicalJson(labelSet.labels),
      );
      expect(labelSet.all.get(node.metadata.name) ?? 0).toBe(same.length);
      expect(labelSet.active.get(node.metadata.name) ?? 0).toBe(
        same.filter((pod) => pod.metadata.deletionTimestamp === undefined).length,
      );
    }
  }
  const keyed = (list: Pod[]): string[] => list.map((pod) => keyOf(pod)).sort();
  expect([...cache.podsWithAffinity.keys()].sort()).toEqual(
    keyed(pods.filter((pod) => pod.spec.affinity?.podAffinity ?? pod.spec.affinity?.podAntiAffinity)),
  );
  // The affinity groups count those pods once each, on their nodes, with their group's terms.
  const grouped = new Map<string, number>();
  for (const group of cache.affinityGroups.values())
    for (const [nodeName, count] of group.nodes) grouped.set(nodeName, (grouped.get(nodeName) ?? 0) + count);
  const withAffinity = new Map<string, number>();
  for (const pod of cache.podsWithAffinity.values())
    withAffinity.set(pod.spec.nodeName ?? '', (withAffinity.get(pod.spec.nodeName ?? '') ?? 0) + 1);
  expect(grouped).toEqual(withAffinity);
  expect([...cache.podsWithRequiredAntiAffinity.keys()].sort()).toEqual(
    keyed(
      pods.filter(
        (pod) =>
          (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) >
          0,
      ),
    ),
  );
  for (const key of new Set(nodes.flatMap((node) => Object.keys(node.metadata.labels ?? {}))))
    expect(cache.nodeLabelKeys.get(key)).toBe(
      nodes.filter((node) => key in (node.metadata.labels ?? {})).length,
    );
  // The spreading counts each pending kind of pod would use: its ReplicaSet's active pods per node.
  for (const pod of listObjects(store, 'Pod')) {
    const { constraints } = scoringConstraints(store, cache, pod);
    for (const constraint of constraints)
      for (const node of nodes)
        expect(matchingPodsOn(constraint, node.metadata.name)).toBe(
          pods.filter(
            (other) =>
              other.spec.nodeName === node.metadata.name &&
              other.metadata.deletionTimestamp === undefined &&
              other.metadata.namespace === pod.metadata.namespace &&
              selectorMatches(constraint.selector, other.metadata.labels),
          ).length,
        );
  }
}

/** A record of key sets without its empty buckets (the store keeps those rather than count keys). */
function nonEmptyBuckets(
  index: Record<string, ReadonlyMap<string, true> | Record<string, true>>,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, keys] of Object.entries(index)) {
    const present: string[] =
      keys instanceof Map ? [...(keys as ReadonlyMap<string, true>).keys()] : Object.keys(keys);
    present.sort();
    if (present.length > 0) result[name] = present;
  }
  return result;
}

/**
 * The owner and node indexes the store keeps in the world (`owned`, `podsByNode`) equal the ones
 * rebuilt from its objects.
 */
export function expectStoredIndexesMatch(store: ApiStore): void {
  const owned: Record<string, Record<string, true>> = {};
  const podsByNode: Record<string, Record<string, true>> = {};
  for (const bucket of Object.values(store.objects)) {
    for (const [key, object] of Object.entries(bucket ?? {})) {
      const controller = object.metadata.ownerReferences?.find((reference) => reference.controller);
      if (controller !== undefined) (owned[controller.uid] ??= {})[key] = true;
      if (object.kind === 'Pod' && object.spec.nodeName !== undefined)
        (podsByNode[object.spec.nodeName] ??= {})[key] = true;
    }
  }
  expect(nonEmptyBuckets(store.owned), 'owner index').toEqual(nonEmptyBuckets(owned));
  expect(nonEmptyBuckets(store.podsByNode), 'node index').toEqual(nonEmptyBuckets(podsByNode));
}

/** Every stored object is of its bucket's kind, named, and stored under the key its metadata gives. */
export function expectObjectsWellFormed(store: ApiStore): void {
  for (const [kind, bucket] of Object.entries(store.objects) as [ApiKind, Record<string, ApiObject>][]) {
    for (const [key, object] of Object.entries(bucket)) {
      expect(object.kind, `${kind} ${key}`).toBe(kind);
      expect(typeof object.metadata.name === 'string' && object.metadata.name !== '', `${kind} ${key}`).toBe(
        true,
      );
      expect(keyOf(object), `${kind} ${key}`).toBe(key);
    }
    // The cached key lists follow the bucket.
    expect([...sortedKeysOf(store, kind)]).toEqual(Object.keys(bucket).sort());
    expect([...keysInStorageOrder(store, kind)]).toEqual(Object.keys(bucket));
  }
}

/** Every cluster of a world: the active one and those waiting by name. */
function clustersOf(world: Readonly<World>): Cluster[] {
  return [
    ...(world.cluster === undefined ? [] : [world.cluster]),
    ...Object.values(world.otherClusters ?? {}),
  ];
}

/** Every store of every cluster holds the index checks above. */
export function expectWorldConsistent(world: Readonly<World>): void {
  for (const cluster of clustersOf(world)) {
    expectObjectsWellFormed(cluster.api);
    expectStoredIndexesMatch(cluster.api);
    expectIndexesMatch(cluster.api);
    expectNodeInfoCacheMatches(cluster.api);
  }
}

/**
 * Replaying the run's recorded inputs from an earlier position (through a checkpoint) rebuilds the
 * same world, hash for hash: what the commands did went through inputs and nothing else.
 */
export function expectReplayExact(simulation: Simulation, from: number): void {
  const end = simulation.length;
  const endHash = simulation.hash();
  simulation.seek(from);
  simulation.seek(end);
  expect(simulation.hash(), 'state hash after replay').toBe(endHash);
}
