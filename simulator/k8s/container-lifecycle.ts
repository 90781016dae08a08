/**
 * What the kubelet does when a container exits by itself: with restartPolicy Always (or OnFailure
 * after a failure) it restarts the container, the first time at once and then after a back-off of
 * 10 s doubling up to 5 minutes, during which the container waits in CrashLoopBackOff
 * (pkg/kubelet/kuberuntime, MaxContainerBackOff); otherwise the pod has finished: Succeeded or
 * Failed, its sandbox torn down, the Pod object kept for its logs and status.
 */
import type { ContainerRun, NodeRuntime, Sandbox, World } from '../world';
import { requireCluster, schedule } from '../world';
import { getObject } from './api-store';
import { podPrintsWhileRunning, podProcessExit } from './container-runs';
import type { Pod } from './objects';
import { reportPodStatus } from './pod-status';

/** The first CrashLoopBackOff delay and its cap (kubelet's backOff: 10 s, MaxContainerBackOff 300 s). */
const initialBackoffMs = 10_000;
const maxBackoffMs = 300_000;
/** A run longer than this resets the back-off (the kubelet's backOffPeriod * 2). */
const backoffResetMs = 600_000;
/** How long after an exit the kubelet's next sync acts on it. */
const syncDelayMs = 1000;

function sandboxOf(
  world: World,
  nodeName: string,
  podUid: string,
): { node: NodeRuntime; sandbox: Sandbox } | undefined {
  const node = requireCluster(world).nodes[nodeName];
  const sandbox = node?.kubelet.sandboxes[podUid];
  return node === undefined || sandbox === undefined ? undefined : { node, sandbox };
}

/** The run record of a sandbox, created on first need. */
function runOf(world: World, sandbox: Sandbox): ContainerRun {
  sandbox.run ??= { restartCount: 0, state: 'running', startedAtMs: world.timeMs };
  return sandbox.run;
}

/** Called when a sandbox's containers (re)started: schedules their exit when the process ends by itself. */
export function scheduleProcessExit(world: World, nodeName: string, sandbox: Sandbox, pod: Pod): void {
  const exit = podProcessExit(pod, world.timeMs);
  if (exit === undefined) {
    // A process that runs until stopped but prints as it goes (a logging loop) keeps its start, for
    // `kubectl logs` to show what it printed by now; one that prints nothing needs no record.
    if (podPrintsWhileRunning(pod)) runOf(world, sandbox).startedAtMs = world.timeMs;
    return;
  }
  const run = runOf(world, sandbox);
  run.startedAtMs = world.timeMs;
  schedule(world, exit.afterMs, {
    type: 'kubelet.container.exited',
    node: nodeName,
    podUid: sandbox.podUid,
    restartCount: run.restartCount,
    exitCode: exit.exitCode,
    output: exit.output,
  });
}

/**
 * A running container's process ends later because of something it was asked to do (a request
 * whose handler crashes the server): the exit reaches the kubelet like any other, for the run that
 * is current now, so a restart in between makes it moot.
 */
export function scheduleRequestedExit(
  world: World,
  nodeName: string,
  sandbox: Sandbox,
  exit: { afterMs: number; exitCode: number; output: string },
): void {
  if (sandbox.state !== 'running') return;
  const run = runOf(world, sandbox);
  if (run.state !== 'running') return;
  schedule(world, exit.afterMs, {
    type: 'kubelet.container.exited',
    node: nodeName,
    podUid: sandbox.podUid,
    restartCount: run.restartCount,
    exitCode: exit.exitCode,
    output: exit.output,
  });
}

/**
 * The program the reader ran attached as a pod's main process (`kubectl run -i`) ended: its exit
 * reaches the kubelet at once, as any exit of the pod's process does. Returns an error when the pod
 * has no running container to end.
 */
export function attachedProcessEnded(
  world: World,
  podKey: string,
  exit: { exitCode: number; output: string },
): string | undefined {
  const pod = getObject(requireCluster(world).api, 'Pod', podKey);
  const found =
    pod?.spec.nodeName === undefined ? undefined : sandboxOf(world, pod.spec.nodeName, pod.metadata.uid);
  if (pod === undefined || found === undefined || found.sandbox.state !== 'running')
    return `pod ${podKey} has no running container`;
  scheduleRequestedExit(world, pod.spec.nodeName ?? '', found.sandbox, { afterMs: 0, ...exit });
  return undefined;
}

/** Whether a pod's restartPolicy restarts a container that exited with this code. */
function restarts(pod: Pod | undefined, exitCode: number): boolean {
  const policy = pod?.spec.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/**
 * A sandbox's containers exited. `restartCount` names the run that exited, so an exit scheduled
 * for an earlier run (before a restart or a deletion) is ignored. Returns `finished` when the pod
 * is done (the kubelet then tears its sandbox down), `restarting` when a restart follows.
 */
export function containerExited(
  world: World,
  nodeName: string,
  podUid: string,
  exit: { restartCount: number; exitCode: number; output: string },
): 'finished' | 'restarting' | undefined {
  const found = sandboxOf(world, nodeName, podUid);
  if (found === undefined || found.sandbox.state !== 'running') return undefined;
  const { node, sandbox } = found;
  const run = runOf(world, sandbox);
  if (run.state !== 'running' || run.restartCount !== exit.restartCount) return undefined;
  const pod = getObject(requireCluster(world).api, 'Pod', sandbox.podKey);
  run.state = 'terminated';
  run.termination = {
    exitCode: exit.exitCode,
    reason: exit.exitCode === 0 ? 'Completed' : 'Error',
    startedAtMs: run.startedAtMs,
    finishedAtMs: world.timeMs,
    output: exit.output,
  };
  if (!restarts(pod, exit.exitCode)) {
    run.finished = true;
    reportPodStatus(world, node, sandbox);
    return 'finished';
  }
  if (world.timeMs - run.startedAtMs > backoffResetMs) delete run.backoffMs;
  reportPodStatus(world, node, sandbox);
  schedule(world, syncDelayMs, {
    type: 'kubelet.container.backoff',
    node: nodeName,
    podUid,
    restartCount: run.restartCount,
  });
  return 'restarting';
}

/**
 * The kubelet's next sync after an exit: the first time the container may restart at once (returns
 * true); after that it waits out the back-off in CrashLoopBackOff and a restart is scheduled.
 */
export function enterBackoff(world: World, nodeName: string, podUid: string, restartCount: number): boolean {
  const found = sandboxOf(world, nodeName, podUid);
  if (found === undefined || found.sandbox.state !== 'running') return false;
  const { node, sandbox } = found;
  const run = sandbox.run;
  if (run?.state !== 'terminated' || run.restartCount !== restartCount) return false;
  const delay = run.backoffMs ?? 0;
  run.backoffMs = nextBackoffMs(delay);
  if (delay === 0) return true;
  const pod = getObject(requireCluster(world).api, 'Pod', sandbox.podKey);
  const container = pod?.spec.containers[0]?.name ?? '';
  run.state = 'waiting';
  run.waitingReason = 'CrashLoopBackOff';
  run.waitingMessage = `back-off ${formatBackoff(delay)} restarting failed container=${container} pod=${pod?.metadata.name ?? ''}_${pod?.metadata.namespace ?? 'default'}(${podUid})`;
  reportPodStatus(world, node, sandbox);
  schedule(world, delay, { type: 'kubelet.container.restart', node: nodeName, podUid, restartCount });
  return false;
}

/**
 * The back-off after one more failed restart: 10 s the first time, then doubling up to 5 minutes
 * (the kubelet's flowcontrol.Backoff with MaxContainerBackOff).
 */
export function nextBackoffMs(currentMs: number | undefined): number {
  return Math.min(
    maxBackoffMs,
    currentMs === undefined || currentMs === 0 ? initialBackoffMs : currentMs * 2,
  );
}

/** Go's duration text for whole seconds and minutes: 10s, 1m20s, 5m0s. */
function formatBackoff(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/**
 * Starts the containers again after an exit: a new run, one more restart, the previous run as
 * lastState. Returns the sandbox, for the kubelet to run what follows a start; undefined when the
 * restart no longer applies (the pod went, or already restarted).
 */
export function restartContainer(
  world: World,
  nodeName: string,
  podUid: string,
  restartCount: number,
): Sandbox | undefined {
  const found = sandboxOf(world, nodeName, podUid);
  if (found === undefined || found.sandbox.state !== 'running') return undefined;
  const { node, sandbox } = found;
  const run = sandbox.run;
  if (run === undefined || run.restartCount !== restartCount || run.state === 'running') return undefined;
  if (run.termination !== undefined) run.last = run.termination;
  delete run.termination;
  delete run.waitingReason;
  delete run.waitingMessage;
  run.restartCount += 1;
  run.state = 'running';
  run.startedAtMs = world.timeMs;
  reportPodStatus(world, node, sandbox);
  return sandbox;
}
