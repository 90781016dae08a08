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
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from './objects';

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

/*
 * The last statuses containerStatuses built for containers that never exited, with what decided
 * them. Pods of one ReplicaSet share their spec's containers, and those started in the same second
 * get equal statuses: the stored pods share one list (stored objects are never mutated).
 */
let lastContainers: Pod['spec']['containers'] | undefined;
let lastRunning = false;
let lastReady = false;
let lastNow = '';
let lastStatuses: ContainerStatus[] = [];

function containerStatuses(
  pod: Pod,
  sandbox: Sandbox,
  running: boolean,
  ready: boolean,
  now: string,
): ContainerStatus[] {
  const run = sandbox.run;
  const containers = pod.spec.containers;
  const fresh = run === undefined;
  if (
    fresh &&
    containers === lastContainers &&
    running === lastRunning &&
    ready === lastReady &&
    now === lastNow
  )
    return lastStatuses;
  // One state object for all the pod's containers: they start and stop together in the model.
  const state = fresh
    ? running
      ? { running: { startedAt: now } }
      : { waiting: { reason: 'ContainerCreating' } }
    : runState(sandbox, running);
  const started = running && (fresh || run.state === 'running');
  const restartCount = run?.restartCount ?? 0;
  const lastState = run?.last === undefined ? undefined : terminatedState(run.last);
  // A list of one is a literal, longer ones are pushed: both give lists of one elements kind, and
  // the usual list of one gets no spare room (it is kept as long as its pod version).
  let statuses: ContainerStatus[];
  if (containers.length === 1)
    statuses = [containerStatus(containers[0]!, ready, restartCount, started, state, lastState)];
  else {
    statuses = [];
    for (const container of containers)
      statuses.push(containerStatus(container, ready, restartCount, started, state, lastState));
  }
  if (fresh) {
    lastContainers = containers;
    lastRunning = running;
    lastReady = ready;
    lastNow = now;
    lastStatuses = statuses;
  }
  return statuses;
}

function containerStatus(
  container: Pod['spec']['containers'][number],
  ready: boolean,
  restartCount: number,
  started: boolean,
  state: ContainerState,
  lastState: ContainerState | undefined,
): ContainerStatus {
  const status: ContainerStatus = {
    name: container.name,
    image: container.image,
    ready,
    restartCount,
    started,
    state,
  };
  if (lastState !== undefined) status.lastState = lastState;
  return status;
}

/** The last conditions conditionsOf built: pods that started in the same second share them. */
let lastConditions: PodCondition[] | undefined;
let lastFinished = false;

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
  const initializedSince = transitionTime('True', initialized, now);
  const readySince = transitionTime(readyStatus, readyBefore, now);
  const containersReadySince = transitionTime(readyStatus, containersReady, now);
  const scheduledSince = scheduled?.lastTransitionTime ?? now;
  const last = lastConditions;
  if (
    last !== undefined &&
    finished === lastFinished &&
    last[1]!.status === readyStatus &&
    last[0]!.lastTransitionTime === initializedSince &&
    last[1]!.lastTransitionTime === readySince &&
    last[2]!.lastTransitionTime === containersReadySince &&
    last[3]!.lastTransitionTime === scheduledSince
  )
    return last;
  const conditions: PodCondition[] = [
    carriedCondition('Initialized', 'True', initialized, initializedSince, finished),
    carriedCondition('Ready', readyStatus, readyBefore, readySince, finished),
    carriedCondition('ContainersReady', readyStatus, containersReady, containersReadySince, finished),
    // The scheduler's condition itself when it is the one to write (it is, once a pod is bound).
    scheduled !== undefined && scheduled.status === 'True' && isBareCondition(scheduled, undefined)
      ? scheduled
      : { type: 'PodScheduled', status: 'True', lastTransitionTime: scheduledSince },
  ];
  lastConditions = conditions;
  lastFinished = finished;
  return conditions;
}

/** When a condition with this status took it: its own time if it had it already, else now. */
function transitionTime(
  status: PodCondition['status'],
  before: PodCondition | undefined,
  now: string,
): string {
  return before !== undefined && before.status === status ? before.lastTransitionTime : now;
}

/**
 * Whether a condition holds exactly `type`, `status`, `lastTransitionTime` and, when given, `reason`,
 * in that order: what carriedCondition would build from it.
 */
function isBareCondition(condition: PodCondition, reason: string | undefined): boolean {
  if (condition.reason !== reason) return false;
  let at = 0;
  for (const key in condition) {
    const expected = at === 0 ? 'type' : at === 1 ? 'status' : at === 2 ? 'lastTransitionTime' : 'reason';
    if (key !== expected || (at === 3 && reason === undefined)) return false;
    at += 1;
  }
  return at === (reason === undefined ? 3 : 4);
}

/** A condition with its status now, keeping its transition time when the status did not change. */
function carriedCondition(
  type: PodCondition['type'],
  status: PodCondition['status'],
  before: PodCondition | undefined,
  lastTransitionTime: string,
  finished: boolean,
): PodCondition {
  const reason = finished && status === 'False' && type !== 'Initialized' ? 'PodCompleted' : undefined;
  // An unchanged condition is the previous version's own object (stored objects are never mutated).
  if (before !== undefined && before.status === status && isBareCondition(before, reason)) return before;
  const condition: PodCondition = { type, status, lastTransitionTime };
  if (reason !== undefined) condition.reason = reason;
  return condition;
}

/**
 * The status to write: the stored one with the kubelet's fields set. A status of a pod the kubelet
 * reports for the first time holds only the scheduler's phase and conditions, and gets its fields
 * in one literal, in the order the assignments below would give them.
 */
function nextStatus(
  status: PodStatus,
  ip: string | undefined,
  hostIP: string,
  now: string,
  phase: PodStatus['phase'],
  conditions: PodCondition[],
  containerStatuses: ContainerStatus[],
): PodStatus {
  if (ip !== undefined && hasOnlyPhaseAndConditions(status))
    return { phase, conditions, podIP: ip, podIPs: [{ ip }], hostIP, startTime: now, containerStatuses };
  const next = { ...status };
  if (ip !== undefined) {
    next.podIP = ip;
    next.podIPs = [{ ip }];
  }
  next.hostIP = hostIP;
  next.startTime ??= now;
  next.phase = phase;
  next.conditions = conditions;
  next.containerStatuses = containerStatuses;
  return next;
}

/** Whether a status has `phase` then `conditions` and nothing else (a pod just bound). */
function hasOnlyPhaseAndConditions(status: PodStatus): boolean {
  let at = 0;
  for (const key in status) {
    if (key !== (at === 0 ? 'phase' : 'conditions')) return false;
    at += 1;
    if (at > 2) return false;
  }
  return at === 2;
}

/** Writes a pod's status from its sandbox (only possible while the kubelet reaches the API server). */
export function reportPodStatus(world: World, node: NodeRuntime, sandbox: Sandbox): void {
  if (node.kubelet.connection !== 'connected') return;
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
  if (pod === undefined || pod.metadata.uid !== sandbox.podUid) return;
  const now = toTimestamp(world.timeMs);
  const finished = sandbox.run?.finished === true;
  const containersRunning = sandbox.state === 'running';
  const run = sandbox.run;
  // Every container of a sandbox is ready or not together (containerStatuses).
  const containersReady =
    containersRunning && sandbox.notReady !== true && (run === undefined || run.state === 'running');
  const statuses = containerStatuses(pod, sandbox, containersRunning, containersReady, now);
  const ready = pod.metadata.deletionTimestamp === undefined && statuses.length > 0 && containersReady;
  const next: Pod = {
    ...pod,
    status: nextStatus(
      pod.status,
      sandbox.ip,
      node.internalIP,
      now,
      phaseOf(sandbox, containersRunning || finished),
      conditionsOf(pod, ready, finished, now),
      statuses,
    ),
  };
  // `next` was made for this write; its metadata is the stored pod's.
  apiPut(world, next, sandbox.podKey, 'object');
}
