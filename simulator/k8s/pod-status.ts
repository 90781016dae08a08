/**
 * The pod status a kubelet writes from its sandbox: phase, conditions, addresses and one status per
 * container, with the restarts, the last termination and the CrashLoopBackOff wait of a container
 * that exits (pkg/kubelet/kubelet_pods.go generateAPIPodStatus, reduced).
 */
import { toTimestamp } from '../engine/virtual-time';
import type { ContainerTermination, NodeRuntime, Sandbox, World } from '../world';
import { requireCluster } from '../world';
import { getObject } from './api-store';
import { apiPut } from './api-writes';
import type { ContainerState, ContainerStatus, Pod, PodCondition } from './objects';

function terminatedState(termination: ContainerTermination): ContainerState {
  return {
    terminated: {
      reason: termination.reason,
      exitCode: termination.exitCode,
      startedAt: toTimestamp(termination.startedAtMs),
      finishedAt: toTimestamp(termination.finishedAtMs),
    },
  };
}

/** The state of the containers of a sandbox whose containers exited at least once (or will). */
function runState(sandbox: Sandbox, running: boolean): ContainerState {
  const run = sandbox.run;
  if (run === undefined || run.state === 'running')
    return running
      ? { running: { startedAt: toTimestamp(run?.startedAtMs ?? 0) } }
      : { waiting: { reason: 'ContainerCreating' } };
  if (run.state === 'terminated' && run.termination !== undefined) return terminatedState(run.termination);
  const waiting: { reason: string; message?: string } = { reason: run.waitingReason ?? 'CrashLoopBackOff' };
  if (run.waitingMessage !== undefined) waiting.message = run.waitingMessage;
  return { waiting };
}

/** The pod's phase: Running while a container runs or restarts; Succeeded or Failed once it finished. */
function phaseOf(sandbox: Sandbox, running: boolean): Pod['status']['phase'] {
  const run = sandbox.run;
  if (run?.finished === true) return (run.termination?.exitCode ?? 0) === 0 ? 'Succeeded' : 'Failed';
  return running ? 'Running' : 'Pending';
}

function containerStatuses(pod: Pod, sandbox: Sandbox, running: boolean, now: string): ContainerStatus[] {
  const run = sandbox.run;
  const state = run === undefined ? undefined : runState(sandbox, running);
  const ready = running && sandbox.notReady !== true && (run === undefined || run.state === 'running');
  return pod.spec.containers.map((container) => {
    const status: ContainerStatus = {
      name: container.name,
      image: container.image,
      ready,
      restartCount: run?.restartCount ?? 0,
      started: running && (run === undefined || run.state === 'running'),
      state:
        state ?? (running ? { running: { startedAt: now } } : { waiting: { reason: 'ContainerCreating' } }),
    };
    if (run?.last !== undefined) status.lastState = terminatedState(run.last);
    return status;
  });
}

/** The conditions of a pod whose containers ran: Ready when every container is ready. */
function conditionsOf(pod: Pod, ready: boolean, finished: boolean, now: string): PodCondition[] {
  // The previous conditions, read in one walk: every status report of every pod comes here.
  let initialized: PodCondition | undefined;
  let readyBefore: PodCondition | undefined;
  let containersReady: PodCondition | undefined;
  let scheduled: PodCondition | undefined;
  for (const condition of pod.status.conditions ?? []) {
    // The first of each type, as a find would pick it.
    if (condition.type === 'Initialized') initialized ??= condition;
    else if (condition.type === 'Ready') readyBefore ??= condition;
    else if (condition.type === 'ContainersReady') containersReady ??= condition;
    else if (condition.type === 'PodScheduled') scheduled ??= condition;
  }
  const readyStatus = ready ? 'True' : 'False';
  return [
    carriedCondition('Initialized', 'True', initialized, finished, now),
    carriedCondition('Ready', readyStatus, readyBefore, finished, now),
    carriedCondition('ContainersReady', readyStatus, containersReady, finished, now),
    { type: 'PodScheduled', status: 'True', lastTransitionTime: scheduled?.lastTransitionTime ?? now },
  ];
}

/** A condition with its status now, keeping its transition time when the status did not change. */
function carriedCondition(
  type: PodCondition['type'],
  status: PodCondition['status'],
  before: PodCondition | undefined,
  finished: boolean,
  now: string,
): PodCondition {
  const condition: PodCondition = {
    type,
    status,
    lastTransitionTime: before !== undefined && before.status === status ? before.lastTransitionTime : now,
  };
  if (finished && status === 'False' && type !== 'Initialized') condition.reason = 'PodCompleted';
  return condition;
}

/** Writes a pod's status from its sandbox (only possible while the kubelet reaches the API server). */
export function reportPodStatus(world: World, node: NodeRuntime, sandbox: Sandbox): void {
  if (node.kubelet.connection !== 'connected') return;
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
  if (pod === undefined || pod.metadata.uid !== sandbox.podUid) return;
  const next: Pod = { ...pod, status: { ...pod.status } };
  const now = toTimestamp(world.timeMs);
  const running = sandbox.state === 'running' || sandbox.run?.finished === true;
  if (sandbox.ip !== undefined) {
    next.status.podIP = sandbox.ip;
    next.status.podIPs = [{ ip: sandbox.ip }];
  }
  next.status.hostIP = node.internalIP;
  next.status.startTime ??= now;
  next.status.phase = phaseOf(sandbox, running);
  const statuses = containerStatuses(pod, sandbox, sandbox.state === 'running', now);
  const ready =
    pod.metadata.deletionTimestamp === undefined &&
    statuses.length > 0 &&
    statuses.every((status) => status.ready);
  next.status.conditions = conditionsOf(pod, ready, sandbox.run?.finished === true, now);
  next.status.containerStatuses = statuses;
  // `next` was made for this write; its metadata is the stored pod's.
  apiPut(world, next, sandbox.podKey, 'object');
}
