/**
 * The rows the API server's table printer makes for pods and the workload kinds
 * (pkg/printers/internalversion/printers.go printPod, printDaemonSet, printReplicaSet,
 * printReplicationController, printJob, printControllerRevision), which
 * `kubectl get` prints as they come.
 */
import { formatAge, virtualEpochMs } from '../engine/virtual-time';
import type {
  Container,
  ControllerRevision,
  DaemonSet,
  Job,
  LabelSelector,
  Pod,
  ReplicaSet,
  ReplicationController,
} from '../k8s/objects';

/** A table row: its header cells and its value cells. */
export interface TableRow {
  header: string[];
  cells: string[];
}

const timeMs = (timestamp: string): number => Date.parse(timestamp) - virtualEpochMs;

/** translateTimestampSince: the age of a timestamp, or `<unknown>` without one. */
function since(timestamp: string | undefined, nowMs: number): string {
  return timestamp === undefined || timestamp === '' ? '<unknown>' : formatAge(nowMs - timeMs(timestamp));
}

/** The READY, STATUS and RESTARTS cells of a pod (printPod). */
export function podCells(pod: Pod, nowMs: number): { ready: string; status: string; restarts: string } {
  let reason: string = pod.status.reason ?? pod.status.phase;
  const statuses = pod.status.containerStatuses ?? [];
  // Before the kubelet's first report a bound pod is creating its containers.
  if (pod.status.phase === 'Pending' && pod.spec.nodeName !== undefined && statuses.length === 0)
    reason = 'ContainerCreating';
  let restarts = 0;
  let ready = 0;
  let lastRestartMs: number | undefined;
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const status = statuses[i];
    if (status === undefined) continue;
    restarts += status.restartCount;
    const finished = status.lastState?.terminated?.finishedAt;
    if (finished !== undefined && (lastRestartMs === undefined || timeMs(finished) > lastRestartMs))
      lastRestartMs = timeMs(finished);
    const state = status.state;
    if (state.waiting !== undefined && state.waiting.reason !== '') reason = state.waiting.reason;
    else if (state.terminated !== undefined && state.terminated.reason !== '')
      reason = state.terminated.reason;
    else if (state.terminated !== undefined) reason = `ExitCode:${state.terminated.exitCode}`;
    else if (status.ready && state.running !== undefined) {
      hasRunning = true;
      ready += 1;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    const podReady = pod.status.conditions?.some(
      (condition) => condition.type === 'Ready' && condition.status === 'True',
    );
    reason = podReady === true ? 'Running' : 'NotReady';
  }
  const terminal = pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  if (pod.metadata.deletionTimestamp !== undefined && pod.status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp !== undefined && !terminal) reason = 'Terminating';
  const restartsText =
    restarts !== 0 && lastRestartMs !== undefined
      ? `${restarts} (${formatAge(nowMs - lastRestartMs)} ago)`
      : String(restarts);
  return { ready: `${ready}/${pod.spec.containers.length}`, status: reason, restarts: restartsText };
}

/** The STATUS column of `kubectl get pods`. */
export function podStatus(pod: Pod): string {
  return podCells(pod, 0).status;
}

/** layoutContainerCells: container names and images, comma-separated. */
function containerCells(containers: readonly Container[]): [string, string] {
  return [
    containers.map((container) => container.name).join(','),
    containers.map((container) => container.image).join(','),
  ];
}

/** labels.FormatLabels: sorted `k=v` pairs, or `<none>`. */
function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((key) => `${key}=${labels?.[key] ?? ''}`).join(',');
}

/** metav1.FormatLabelSelector for the wide SELECTOR column. */
function formatSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '<none>';
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector.matchExpressions ?? []).map((expression) => {
      const values = (expression.values ?? []).join(',');
      switch (expression.operator) {
        case 'In':
          return `${expression.key} in (${values})`;
        case 'NotIn':
          return `${expression.key} notin (${values})`;
        case 'Exists':
          return expression.key;
        case 'DoesNotExist':
          return `!${expression.key}`;
      }
    }),
  ];
  return parts.length === 0 ? '<none>' : parts.join(',');
}

export function daemonSetRow(daemonSet: DaemonSet, nowMs: number, wide: boolean): TableRow {
  const status = daemonSet.status;
  const header = ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'];
  const cells = [
    daemonSet.metadata.name,
    String(status.desiredNumberScheduled),
    String(status.currentNumberScheduled),
    String(status.numberReady),
    String(status.updatedNumberScheduled ?? 0),
    String(status.numberAvailable ?? 0),
    formatLabels(daemonSet.spec.template.spec.nodeSelector),
    since(daemonSet.metadata.creationTimestamp, nowMs),
  ];
  if (wide) {
    header.push('CONTAINERS', 'IMAGES', 'SELECTOR');
    cells.push(
      ...containerCells(daemonSet.spec.template.spec.containers),
      formatSelector(daemonSet.spec.selector),
    );
  }
  return { header, cells };
}

export function replicaSetRow(
  replicaSet: ReplicaSet | ReplicationController,
  nowMs: number,
  wide: boolean,
): TableRow {
  const header = ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'];
  const cells = [
    replicaSet.metadata.name,
    String(replicaSet.spec.replicas),
    String(replicaSet.status.replicas),
    String(replicaSet.status.readyReplicas ?? 0),
    since(replicaSet.metadata.creationTimestamp, nowMs),
  ];
  if (wide) {
    header.push('CONTAINERS', 'IMAGES', 'SELECTOR');
    const selector =
      replicaSet.kind === 'ReplicaSet'
        ? formatSelector(replicaSet.spec.selector)
        : formatLabels(replicaSet.spec.selector);
    cells.push(...containerCells(replicaSet.spec.template.spec.containers), selector);
  }
  return { header, cells };
}

/** printJob's STATUS: the first of Complete, Failed, Terminating, Suspended, FailureTarget, else Running. */
function jobStatus(job: Job): string {
  const has = (type: string): boolean =>
    job.status.conditions?.some((condition) => condition.type === type && condition.status === 'True') ===
    true;
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp !== undefined) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** A Job's row; the STATUS column exists from Kubernetes 1.30 (kubernetes/kubernetes#123226). */
export function jobRow(job: Job, nowMs: number, wide: boolean, serverMinor: number): TableRow {
  const succeeded = job.status.succeeded ?? 0;
  const completions =
    job.spec.completions !== undefined
      ? `${succeeded}/${job.spec.completions}`
      : job.spec.parallelism > 1
        ? `${succeeded}/1 of ${job.spec.parallelism}`
        : `${succeeded}/1`;
  const start = job.status.startTime;
  const end = job.status.completionTime;
  const duration =
    start === undefined ? '' : formatAge((end === undefined ? nowMs : timeMs(end)) - timeMs(start));
  const withStatus = serverMinor >= 30;
  const header = withStatus
    ? ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']
    : ['NAME', 'COMPLETIONS', 'DURATION', 'AGE'];
  const cells = withStatus
    ? [job.metadata.name, jobStatus(job), completions, duration, since(job.metadata.creationTimestamp, nowMs)]
    : [job.metadata.name, completions, duration, since(job.metadata.creationTimestamp, nowMs)];
  if (wide) {
    header.push('CONTAINERS', 'IMAGES', 'SELECTOR');
    cells.push(...containerCells(job.spec.template.spec.containers), formatSelector(job.spec.selector));
  }
  return { header, cells };
}

/** A ControllerRevision's row: CONTROLLER is `<kind>.<group>/<name>` in lower case. */
export function controllerRevisionRow(revision: ControllerRevision, nowMs: number): TableRow {
  const owner = revision.metadata.ownerReferences?.find((reference) => reference.controller);
  const group = owner?.apiVersion.includes('/') === true ? `.${owner.apiVersion.split('/')[0] ?? ''}` : '';
  const controller = owner === undefined ? '<none>' : `${owner.kind.toLowerCase()}${group}/${owner.name}`;
  return {
    header: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    cells: [
      revision.metadata.name,
      controller,
      String(revision.revision),
      since(revision.metadata.creationTimestamp, nowMs),
    ],
  };
}
