/**
 * `kubectl logs [-p] POD|TYPE/NAME`: what a container printed. The model keeps the output of
 * processes that end by themselves (a Job's `echo`, a crashing agent's fatal line) for the current
 * and the previous run, as the kubelet keeps a restarted container's last log; a running
 * cilium-agent prints its boot options and what it reports about policies it refused.
 */
import { getObject } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import { bootLog, imageVersion } from '../cilium/agent-pod';
import type { Cluster } from '../world';
import { virtualDate, virtualEpochMs } from '../engine/virtual-time';
import { containerLogLines } from '../k8s/container-runs';
import { agentLogLines } from './policy-status';
import { fail, ok, type CommandResult } from './context';

/** When `kubectl logs` reads (virtual time) and whether it asked for `--timestamps`. */
export interface LogReading {
  nowMs: number;
  timestamps: boolean;
}

/**
 * A time as the kubelet writes it before each line with `--timestamps`: RFC 3339 with nine
 * fractional digits (pkg/kubelet/kuberuntime/logs/logs.go, timeFormatOut = RFC3339NanoFixed).
 */
function logTimestamp(atMs: number): string {
  const at = virtualDate(atMs);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${at.year}-${two(at.month)}-${two(at.day)}T${two(at.hours)}:${two(at.minutes)}:${two(at.seconds)}.${String(at.milliseconds).padStart(3, '0')}000000Z`;
}

/** The virtual time of an API timestamp (to the second). */
const timeOf = (stamp: string | undefined): number | undefined =>
  stamp === undefined ? undefined : Date.parse(stamp) - virtualEpochMs;

/**
 * A finished run's output with a time on each line: the times the model's script wrote them when
 * rerunning it gives the same text, else the run's end (a crash's fatal line, an attached program).
 */
function stampFinished(
  pod: Pod,
  name: string,
  output: string,
  run: { startedAtMs: number | undefined; finishedAtMs: number | undefined },
): string {
  const { startedAtMs, finishedAtMs } = run;
  const lines =
    startedAtMs === undefined || finishedAtMs === undefined
      ? undefined
      : containerLogLines(pod, name, startedAtMs, finishedAtMs);
  if (lines !== undefined && lines.map((line) => line.text).join('') === output)
    return lines.map((line) => `${logTimestamp(line.atMs)} ${line.text}`).join('');
  return output.replace(/^(?=.)/gm, `${logTimestamp(finishedAtMs ?? 0)} `);
}

/** What a running container's script has printed by now (nothing for a server the model does not run). */
function runningOutput(pod: Pod, name: string, startedAtMs: number, reading: LogReading | undefined): string {
  if (reading === undefined) return '';
  const lines = containerLogLines(pod, name, startedAtMs, reading.nowMs) ?? [];
  return lines
    .map((line) => (reading.timestamps ? `${logTimestamp(line.atMs)} ${line.text}` : line.text))
    .join('');
}

/** The logs of a pod's container, or kubectl's error. */
export function podLogs(
  cluster: Cluster,
  pod: Pod,
  previous: boolean,
  container?: string,
  reading?: LogReading,
): CommandResult {
  const name = container ?? pod.spec.containers[0]?.name ?? '';
  if (!pod.spec.containers.some((candidate) => candidate.name === name)) {
    // An init container ran to completion before the pod started; what it printed is not modelled.
    if (pod.spec.initContainers?.some((candidate) => candidate.name === name) === true) return ok('');
    return fail(`error: container ${name} is not valid for pod ${pod.metadata.name}`);
  }
  const node = pod.spec.nodeName === undefined ? undefined : cluster.nodes[pod.spec.nodeName];
  const sandbox = node?.kubelet.sandboxes[pod.metadata.uid];
  const kept = node?.kubelet.finishedLogs?.[pod.metadata.uid];
  const run = sandbox?.run;
  const notFoundPrevious = (): CommandResult =>
    fail(
      `Error from server (BadRequest): previous terminated container "${name}" in pod "${pod.metadata.name}" not found`,
    );
  const status = pod.status.containerStatuses?.find((candidate) => candidate.name === name);
  const stamped = (
    output: string,
    times: { startedAtMs: number | undefined; finishedAtMs: number | undefined },
  ): CommandResult => ok(reading?.timestamps === true ? stampFinished(pod, name, output, times) : output);
  if (previous) {
    const output = run?.last?.output ?? kept?.previous;
    if (output === undefined) return notFoundPrevious();
    const last = status?.lastState?.terminated;
    return stamped(output, {
      startedAtMs: run?.last?.startedAtMs ?? timeOf(last?.startedAt),
      finishedAtMs: run?.last?.finishedAtMs ?? timeOf(last?.finishedAt),
    });
  }
  if (kept !== undefined)
    return stamped(kept.output, {
      startedAtMs: timeOf(status?.state.terminated?.startedAt),
      finishedAtMs: timeOf(status?.state.terminated?.finishedAt),
    });
  if (sandbox === undefined || sandbox.state === 'creating' || sandbox.state === 'starting')
    return fail(
      `Error from server (BadRequest): container "${name}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`,
    );
  // A container waiting in CrashLoopBackOff shows the run that just ended.
  if (run !== undefined && run.state !== 'running' && run.termination !== undefined)
    return stamped(run.termination.output, run.termination);
  const agent = Object.values(cluster.cilium?.agents ?? {}).find(
    (candidate) => candidate.podUid === pod.metadata.uid,
  );
  if (agent === undefined) {
    // The model's run of the container's own command: what it printed so far, as time passed.
    const startedAtMs = run?.startedAtMs ?? timeOf(status?.state.running?.startedAt ?? pod.status.startTime);
    return ok(startedAtMs === undefined ? '' : runningOutput(pod, name, startedAtMs, reading));
  }
  const configMap = getObject(
    cluster.api,
    'ConfigMap',
    `${pod.metadata.namespace ?? 'kube-system'}/cilium-config`,
  );
  const version = imageVersion(pod.spec.containers[0]?.image ?? '') ?? '';
  const startedAtMs =
    run?.startedAtMs ?? Date.parse(pod.status.startTime ?? pod.metadata.creationTimestamp) - virtualEpochMs;
  const lines = [
    ...bootLog(version, configMap?.data ?? {}, startedAtMs),
    ...(agent.running ? agentLogLines(cluster, agent) : []),
  ];
  return ok(`${lines.join('\n')}\n`);
}

/** What `kubectl logs` asks of each pod (kubectl pkg/cmd/logs/logs.go, v0.33). */
export interface LogsRequest {
  previous: boolean;
  /** `-c NAME` or the inline `POD CONTAINER`. */
  container: string | undefined;
  /** `--all-containers`: every container of each pod, init containers first. */
  allContainers: boolean;
  /** `--tail N` (10 per container with a selector, unless given; -1 for all lines). */
  tail: number;
  /** `--prefix`: each line starts with `[pod/NAME/CONTAINER] `. */
  prefix: boolean;
  /** `--timestamps`: each line starts with the time it was written. */
  timestamps: boolean;
  /** The virtual time of the reading. */
  nowMs: number;
}

/** The last `count` lines of a log (all when count is negative). */
function lastLines(text: string, count: number): string {
  if (count < 0 || text === '') return text;
  if (count === 0) return '';
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const kept = lines.slice(-count).join('\n');
  return text.endsWith('\n') ? `${kept}\n` : kept;
}

/**
 * The container kubectl reads when none is named: the `kubectl.kubernetes.io/default-container`
 * annotation, else the first, with a note on stderr when the pod has several (podcmd.FindOrDefaultContainerByName).
 */
function defaultContainer(pod: Pod): { name: string; note: string } {
  const names = pod.spec.containers.map((container) => container.name);
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated !== undefined && names.includes(annotated)) return { name: annotated, note: '' };
  const first = names[0] ?? '';
  const all = [...names, ...(pod.spec.initContainers ?? []).map((container) => `${container.name} (init)`)];
  const note = all.length > 1 ? `Defaulted container "${first}" out of: ${all.join(', ')}\n` : '';
  return { name: first, note };
}

/**
 * The logs of several pods one after another, as kubectl reads a selector's pods when not following
 * (sequentialConsumeRequest). kubectl ranges over a Go map there, so its pod order varies from run
 * to run; the model keeps the API server's list order so that a replay prints the same.
 */
export function podsLogs(cluster: Cluster, pods: readonly Pod[], request: LogsRequest): CommandResult {
  let stdout = '';
  let stderr = '';
  for (const pod of pods) {
    const chosen =
      request.container !== undefined
        ? [{ name: request.container, note: '' }]
        : request.allContainers
          ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((container) => ({
              name: container.name,
              note: '',
            }))
          : [defaultContainer(pod)];
    for (const { name, note } of chosen) {
      stderr += note;
      const result = podLogs(cluster, pod, request.previous, name, request);
      if (result.exitCode !== 0) return { stdout, stderr: stderr + result.stderr, exitCode: result.exitCode };
      const text = lastLines(result.stdout, request.tail);
      const prefix = `[pod/${pod.metadata.name}/${name}] `;
      stdout += request.prefix ? text.replace(/^(?=.)/gm, prefix) : text;
    }
  }
  return { stdout, stderr, exitCode: 0 };
}
