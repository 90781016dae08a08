/**
 * The DaemonSet controller (pkg/controller/daemon): one pod on every node the template may run on
 * (nodeSelector, node affinity, taints against the template's tolerations plus the DaemonSet
 * defaults), replaced node by node on a template change within maxUnavailable (RollingUpdate), and
 * a status that counts desired, current, ready, updated and available pods. Each pod is pinned to
 * its node by a required node affinity on `metadata.name`, which the scheduler honours.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { virtualEpochMs } from '../engine/virtual-time';
import { getObject, listOwnedWithKeys, sortedKeysOf } from './api-store';
import { apiPut } from './api-writes';
import { createControlledPod, isPodReady, requestPodDeletion } from './controlled-pods';
import { cleanupHistory, constructHistory, revisionHashLabel } from './daemonset-history';
import { podMatchesNodeSelectorAndAffinity } from './scheduling/node-affinity';
import { firstUntoleratedTaint, tolerationsTolerateTaint } from './scheduling/taint-toleration';
import type { DaemonSet, Node, Pod, Toleration } from './objects';
import { resolveIntOrPercent } from './workloads';

/**
 * The tolerations every DaemonSet pod gets (pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations):
 * its pods stay on not-ready and unreachable nodes, ignore resource pressure and cordons, and,
 * on the host network, a node whose network is not ready yet.
 */
function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const tolerations: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork)
    tolerations.push({
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  return tolerations;
}

/** withDaemonTolerations by DaemonSet object: stored objects are never mutated. */
const daemonTolerations = new WeakMap<DaemonSet['spec'], Toleration[]>();

/** The template's tolerations with the DaemonSet defaults added where the key and effect are not there yet. */
function withDaemonTolerations(daemonSet: DaemonSet): Toleration[] {
  let tolerations = daemonTolerations.get(daemonSet.spec);
  if (tolerations === undefined) {
    tolerations = computeDaemonTolerations(daemonSet);
    daemonTolerations.set(daemonSet.spec, tolerations);
  }
  return tolerations;
}

function computeDaemonTolerations(daemonSet: DaemonSet): Toleration[] {
  const own = daemonSet.spec.template.spec.tolerations ?? [];
  const added = daemonPodTolerations(daemonSet.spec.template.spec.hostNetwork === true).filter(
    (toleration) => !own.some((mine) => mine.key === toleration.key && mine.effect === toleration.effect),
  );
  return [...own, ...added];
}

/** Where a DaemonSet wants a pod on a node, and whether a pod already there may stay (NodeShouldRunDaemonPod). */
function shouldRunOnNode(
  daemonSet: DaemonSet,
  node: Node,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = daemonSet.spec.template.spec;
  if (spec.nodeName !== undefined && spec.nodeName !== node.metadata.name)
    return { shouldRun: false, shouldContinueRunning: false };
  // The scheduler's NodeAffinity and TaintToleration predicates (k8s/scheduling/).
  if (!podMatchesNodeSelectorAndAffinity({ spec }, node))
    return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(daemonSet);
  if (firstUntoleratedTaint(tolerations, node.spec.taints) === undefined)
    return { shouldRun: true, shouldContinueRunning: true };
  // A pod already there only has to leave for a NoExecute taint it does not tolerate.
  return {
    shouldRun: false,
    shouldContinueRunning: (node.spec.taints ?? []).every(
      (taint) => taint.effect !== 'NoExecute' || tolerationsTolerateTaint(tolerations, taint),
    ),
  };
}

/** The node a DaemonSet pod is for: its nodeName, or before binding the node its affinity names. */
function targetNodeOf(pod: Pod): string | undefined {
  if (pod.spec.nodeName !== undefined) return pod.spec.nodeName;
  const terms =
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const field = terms?.[0]?.matchFields?.find((requirement) => requirement.key === 'metadata.name');
  return field?.values?.[0];
}

type OwnedPod = { key: string; object: Pod };

/** Oldest first; pods created in the same second in name order. */
function olderFirst(a: OwnedPod, b: OwnedPod): number {
  const left = a.object.metadata;
  const right = b.object.metadata;
  if (left.creationTimestamp !== right.creationTimestamp)
    return left.creationTimestamp < right.creationTimestamp ? -1 : 1;
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

/** The DaemonSet's pods by the node they are for, each list oldest first. */
function podsByNode(world: World, daemonSet: DaemonSet): Map<string, OwnedPod[]> {
  const byNode = new Map<string, OwnedPod[]>();
  for (const entry of listOwnedWithKeys(requireCluster(world).api, 'Pod', daemonSet.metadata.uid)) {
    const node = targetNodeOf(entry.object);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list === undefined) byNode.set(node, [entry]);
    else list.push(entry);
  }
  for (const list of byNode.values()) list.sort(olderFirst);
  return byNode;
}

/** The cluster's Nodes in name order. */
function nodesInOrder(world: World): Node[] {
  const api = requireCluster(world).api;
  const nodes: Node[] = [];
  for (const key of sortedKeysOf(api, 'Node')) {
    const node = getObject(api, 'Node', key);
    if (node !== undefined) nodes.push(node);
  }
  return nodes;
}

/** Creates the pod for one node: the template plus the revision labels and the node affinity that pins it. */
function createDaemonPod(world: World, daemonSet: DaemonSet, nodeName: string, hash: string): void {
  const template = daemonSet.spec.template;
  createControlledPod(world, daemonSet, template, daemonSet.metadata.namespace ?? 'default', {
    labels: {
      [revisionHashLabel]: hash,
      'pod-template-generation': templateGenerationOf(daemonSet),
    },
    spec: {
      tolerations: withDaemonTolerations(daemonSet),
      // ReplaceDaemonSetPodNodeNameNodeAffinity: the node checks were done here, so one term remains.
      affinity: {
        ...template.spec.affinity,
        nodeAffinity: {
          ...template.spec.affinity?.nodeAffinity,
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] },
            ],
          },
        },
      },
    },
  });
}

/** The `deprecated.daemonset.template.generation` annotation the API server keeps on a DaemonSet. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

function templateGenerationOf(daemonSet: DaemonSet): string {
  return (
    daemonSet.metadata.annotations?.[templateGenerationAnnotation] ??
    String(daemonSet.metadata.generation ?? 1)
  );
}

/** Whether a pod runs the DaemonSet's current template (util.IsPodUpdated). */
function isUpdated(pod: Pod, hash: string, daemonSet: DaemonSet): boolean {
  const labels = pod.metadata.labels ?? {};
  return (
    labels[revisionHashLabel] === hash ||
    labels['pod-template-generation'] === templateGenerationOf(daemonSet)
  );
}

/** Whether a pod is available: ready for at least minReadySeconds (podutil.IsPodAvailable). */
function isAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const ready = pod.status.conditions?.find((condition) => condition.type === 'Ready');
  const since = ready === undefined ? nowMs : Date.parse(ready.lastTransitionTime) - virtualEpochMs;
  return since + minReadySeconds * 1000 <= nowMs;
}

/** A node with where the DaemonSet belongs on it. */
type Placement = { node: Node; shouldRun: boolean; shouldContinueRunning: boolean };

/** The DaemonSet controller's sync of one DaemonSet. */
export function syncDaemonSet(world: World, key: string): void {
  const daemonSet = getObject(requireCluster(world).api, 'DaemonSet', key);
  if (daemonSet === undefined || daemonSet.metadata.deletionTimestamp !== undefined) return;
  const hash = constructHistory(world, daemonSet);
  // Where the DaemonSet belongs is computed once per sync: nodes change rarely, pods often.
  const nodes = placements(world, daemonSet);
  // The pods are listed again only after a step created or deleted some.
  let byNode = podsByNode(world, daemonSet);
  if (manage(world, daemonSet, nodes, hash, byNode)) byNode = podsByNode(world, daemonSet);
  if (
    daemonSet.spec.updateStrategy.type === 'RollingUpdate' &&
    hasOutdatedPod(byNode, hash, daemonSet) &&
    rollingUpdate(world, daemonSet, nodes, hash, byNode)
  )
    byNode = podsByNode(world, daemonSet);
  cleanupHistory(world, daemonSet, liveHashes(byNode), hash);
  updateStatus(world, key, daemonSet, nodes, byNode, hash);
}

/** Where a DaemonSet belongs on each node, memoised per spec and Node object (never mutated). */
function placements(world: World, daemonSet: DaemonSet): Placement[] {
  let byNode = placementMemo.get(daemonSet.spec);
  if (byNode === undefined) {
    byNode = new WeakMap();
    placementMemo.set(daemonSet.spec, byNode);
  }
  const result: Placement[] = [];
  for (const node of nodesInOrder(world)) {
    let placement = byNode.get(node);
    if (placement === undefined) {
      placement = { node, ...shouldRunOnNode(daemonSet, node) };
      byNode.set(node, placement);
    }
    result.push(placement);
  }
  return result;
}

/** By spec object (a status write shares the spec), then by Node object. */
const placementMemo = new WeakMap<DaemonSet['spec'], WeakMap<Node, Placement>>();

/** Whether some live pod of the DaemonSet still runs an older template. */
function hasOutdatedPod(byNode: Map<string, OwnedPod[]>, hash: string, daemonSet: DaemonSet): boolean {
  for (const pods of byNode.values())
    for (const { object } of pods)
      if (object.metadata.deletionTimestamp === undefined && !isUpdated(object, hash, daemonSet)) return true;
  return false;
}

/** The template hashes the DaemonSet's pods run. */
function liveHashes(byNode: Map<string, OwnedPod[]>): Set<string | undefined> {
  const hashes = new Set<string | undefined>();
  for (const pods of byNode.values())
    for (const { object } of pods) hashes.add(object.metadata.labels?.[revisionHashLabel]);
  return hashes;
}

/** Creates the missing pods and deletes those on nodes they must leave, and failed ones (manage). */
function manage(
  world: World,
  daemonSet: DaemonSet,
  nodes: readonly Placement[],
  hash: string,
  byNode: Map<string, OwnedPod[]>,
): boolean {
  let changed = false;
  const remove = (doomed: readonly OwnedPod[]): void => {
    for (const { key, object } of doomed) {
      if (object.metadata.deletionTimestamp !== undefined) continue;
      requestPodDeletion(world, object, undefined, key);
      changed = true;
    }
  };
  for (const { node, shouldRun, shouldContinueRunning } of nodes) {
    const pods = byNode.get(node.metadata.name) ?? [];
    if (shouldRun && pods.length === 0) {
      createDaemonPod(world, daemonSet, node.metadata.name, hash);
      changed = true;
      continue;
    }
    if (!shouldContinueRunning) {
      remove(pods);
      continue;
    }
    // Failed pods go (a new one comes at the next sync); without surge only the oldest running one stays.
    if (pods.length === 1 && pods[0]?.object.status.phase !== 'Failed') continue;
    const running = pods.filter(({ object }) => object.metadata.deletionTimestamp === undefined);
    remove(running.filter(({ object }) => object.status.phase === 'Failed'));
    remove(running.filter(({ object }) => object.status.phase !== 'Failed').slice(1));
  }
  // Pods for nodes that no longer exist.
  const names = new Set(nodes.map(({ node }) => node.metadata.name));
  for (const [nodeName, pods] of byNode) if (!names.has(nodeName)) remove(pods);
  return changed;
}

/**
 * RollingUpdate without surge (pkg/controller/daemon/update.go rollingUpdate): old pods that are not
 * available go at once; available ones go while fewer than maxUnavailable of the DaemonSet's pods
 * are unavailable. A node gets its new pod once the old one is gone (manage, at the next sync).
 */
function rollingUpdate(
  world: World,
  daemonSet: DaemonSet,
  nodes: readonly Placement[],
  hash: string,
  byNode: Map<string, OwnedPod[]>,
): boolean {
  const desired = nodes.filter((placement) => placement.shouldRun).length;
  const strategy = daemonSet.spec.updateStrategy.rollingUpdate ?? { maxUnavailable: 1, maxSurge: 0 };
  let maxUnavailable = resolveIntOrPercent(strategy.maxUnavailable, desired, true);
  if (maxUnavailable === 0 && resolveIntOrPercent(strategy.maxSurge, desired, true) === 0) maxUnavailable = 1;
  const minReady = daemonSet.spec.minReadySeconds ?? 0;
  let unavailable = 0;
  const replaceNow: OwnedPod[] = [];
  const candidates: OwnedPod[] = [];
  for (const { node, shouldRun } of nodes) {
    if (!shouldRun) continue;
    const live = (byNode.get(node.metadata.name) ?? []).filter(
      ({ object }) => object.metadata.deletionTimestamp === undefined,
    );
    const fresh = live.filter(({ object }) => isUpdated(object, hash, daemonSet));
    const old = live.filter(({ object }) => !isUpdated(object, hash, daemonSet));
    if (fresh.length > 1 || old.length > 1) {
      unavailable += 1;
      continue;
    }
    const [newPod] = fresh;
    const [oldPod] = old;
    if (oldPod === undefined) {
      if (newPod === undefined || !isAvailable(newPod.object, minReady, world.timeMs)) unavailable += 1;
      continue;
    }
    if (newPod !== undefined) continue;
    if (!isAvailable(oldPod.object, minReady, world.timeMs)) replaceNow.push(oldPod);
    else candidates.push(oldPod);
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  const doomed = [...replaceNow, ...candidates.slice(0, room)];
  for (const { key, object } of doomed) requestPodDeletion(world, object, undefined, key);
  return doomed.length > 0;
}

/** Writes the status updateDaemonSetStatus computes, when it changed. */
function updateStatus(
  world: World,
  key: string,
  daemonSet: DaemonSet,
  nodes: readonly Placement[],
  byNode: Map<string, OwnedPod[]>,
  hash: string,
): void {
  const counts = { desired: 0, current: 0, misscheduled: 0, ready: 0, available: 0, updated: 0 };
  const minReady = daemonSet.spec.minReadySeconds ?? 0;
  for (const { node, shouldRun } of nodes) {
    const pods = byNode.get(node.metadata.name) ?? [];
    if (!shouldRun) {
      if (pods.length > 0) counts.misscheduled += 1;
      continue;
    }
    counts.desired += 1;
    const [oldest] = pods;
    if (oldest === undefined) continue;
    counts.current += 1;
    if (isPodReady(oldest.object)) {
      counts.ready += 1;
      if (isAvailable(oldest.object, minReady, world.timeMs)) counts.available += 1;
    }
    if (isUpdated(oldest.object, hash, daemonSet)) counts.updated += 1;
  }
  const status: DaemonSet['status'] = {
    currentNumberScheduled: counts.current,
    numberMisscheduled: counts.misscheduled,
    desiredNumberScheduled: counts.desired,
    numberReady: counts.ready,
    observedGeneration: daemonSet.metadata.generation ?? 1,
    updatedNumberScheduled: counts.updated,
    numberAvailable: counts.available,
  };
  if (counts.desired - counts.available > 0) status.numberUnavailable = counts.desired - counts.available;
  if (JSON.stringify(status) !== JSON.stringify(daemonSet.status))
    apiPut(world, { ...daemonSet, status }, key);
}
