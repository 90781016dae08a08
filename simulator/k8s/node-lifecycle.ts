/**
 * The node lifecycle controller (kube-controller-manager): it watches node Leases, marks a node
 * Unknown when its Lease is older than the grace period, taints it unreachable, marks its pods not
 * ready (so Services stop sending them traffic), and evicts them once their 300 s toleration ends.
 */
import { toTimestamp } from '../engine/virtual-time';
import { nextState } from '../machines/step';
import { nodeHealthMachine, type NodeHealthState } from '../machines/node-health';
import type { NodeRuntime, World } from '../world';
import { requireCluster, schedule } from '../world';
import { getObject, keyOf, listPodsOnNode } from './api-store';
import { apiPut } from './api-writes';
import type { Node, NodeCondition, Taint } from './objects';
import { requestPodDeletion } from './workloads';

const unreachableTaints: Taint[] = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];
const notReadyTaint: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

function readyCondition(
  world: World,
  health: NodeHealthState,
  previous: NodeCondition | undefined,
): NodeCondition {
  const now = toTimestamp(world.timeMs);
  const status = health === 'ready' ? 'True' : health === 'unknown' ? 'Unknown' : 'False';
  const changed = previous?.status !== status;
  const lastTransitionTime = changed ? now : (previous?.lastTransitionTime ?? now);
  switch (health) {
    case 'ready':
      return {
        type: 'Ready',
        status,
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: now,
        lastTransitionTime,
      };
    case 'unknown':
      return {
        type: 'Ready',
        status,
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: previous?.lastHeartbeatTime ?? now,
        lastTransitionTime,
      };
    case 'networkNotReady':
      return {
        type: 'Ready',
        status,
        reason: 'KubeletNotReady',
        message:
          'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
        lastHeartbeatTime: now,
        lastTransitionTime,
      };
  }
}

/** Writes a node's Ready condition and condition taints for a health state. */
export function writeNodeHealth(world: World, runtime: NodeRuntime): void {
  const cluster = requireCluster(world);
  const node = getObject(cluster.api, 'Node', runtime.name);
  if (node === undefined) return;
  const next: Node = structuredClone(node);
  const previous = node.status.conditions.find((condition) => condition.type === 'Ready');
  next.status.conditions = [
    ...node.status.conditions.filter((condition) => condition.type !== 'Ready'),
    readyCondition(world, runtime.kubelet.health, previous),
  ];
  const otherTaints = (node.spec.taints ?? []).filter(
    (taint) =>
      !taint.key.startsWith('node.kubernetes.io/unreachable') &&
      !taint.key.startsWith('node.kubernetes.io/not-ready'),
  );
  const healthTaints =
    runtime.kubelet.health === 'unknown'
      ? unreachableTaints
      : runtime.kubelet.health === 'networkNotReady'
        ? [notReadyTaint]
        : [];
  const taints = [
    ...otherTaints,
    ...healthTaints.map((taint) => ({ ...taint, timeAdded: toTimestamp(world.timeMs) })),
  ];
  if (taints.length > 0) next.spec.taints = taints;
  else delete next.spec.taints;
  apiPut(world, next);
}

function moveHealth(
  world: World,
  runtime: NodeRuntime,
  eventType: 'cni.ready' | 'lease.expired' | 'lease.renewed',
): boolean {
  const next = nextState(nodeHealthMachine, runtime.kubelet.health, eventType);
  if (next === undefined || next === runtime.kubelet.health) return false;
  runtime.kubelet.health = next;
  writeNodeHealth(world, runtime);
  return true;
}

/** A node's CNI plugin became ready: the kubelet reports Ready at its next status update. */
export function markNetworkReady(world: World, nodeName: string): void {
  const runtime = requireCluster(world).nodes[nodeName];
  if (runtime !== undefined && runtime.kubelet.connection === 'connected')
    moveHealth(world, runtime, 'cni.ready');
}

/** One pass of the node lifecycle controller over every node's Lease. */
export function monitorNodes(world: World): void {
  const cluster = requireCluster(world);
  for (const name of Object.keys(cluster.nodes).sort()) {
    const runtime = cluster.nodes[name];
    if (runtime === undefined) continue;
    const leaseAgeMs = world.timeMs - runtime.kubelet.lastLeaseRenewMs;
    if (leaseAgeMs > cluster.timings.nodeMonitorGracePeriodMs) {
      if (moveHealth(world, runtime, 'lease.expired')) markPodsNotReadyAndScheduleEviction(world, name);
    } else if (runtime.kubelet.health === 'unknown') {
      moveHealth(world, runtime, 'lease.renewed');
    }
  }
  schedule(world, cluster.timings.nodeMonitorPeriodMs, { type: 'nodelifecycle.monitor' });
}

function markPodsNotReadyAndScheduleEviction(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  for (const pod of listPodsOnNode(cluster.api, nodeName)) {
    const next = structuredClone(pod);
    const now = toTimestamp(world.timeMs);
    next.status.conditions = (pod.status.conditions ?? []).map((condition) =>
      condition.type === 'Ready' ? { ...condition, status: 'False', lastTransitionTime: now } : condition,
    );
    apiPut(world, next);
    if (pod.spec.hostNetwork !== true) {
      const toleration = pod.spec.tolerations?.find(
        (candidate) => candidate.key === 'node.kubernetes.io/unreachable' && candidate.effect === 'NoExecute',
      );
      if (toleration?.tolerationSeconds !== undefined) {
        schedule(world, toleration.tolerationSeconds * 1000, {
          type: 'nodelifecycle.evict',
          podKey: keyOf(pod),
          podUid: pod.metadata.uid,
        });
      }
    }
  }
}

/** The taint manager evicts a pod whose toleration of the unreachable taint ran out. */
export function evictPod(world: World, podKey: string, podUid: string): void {
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', podKey);
  if (pod === undefined || pod.metadata.uid !== podUid || pod.spec.nodeName === undefined) return;
  if (cluster.nodes[pod.spec.nodeName]?.kubelet.health !== 'unknown') return;
  requestPodDeletion(world, pod);
}
