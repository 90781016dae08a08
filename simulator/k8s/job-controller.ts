/**
 * The Job controller (pkg/controller/job): pods that run to completion until `completions` of them
 * succeeded, at most `parallelism` at once; a failed pod is replaced after a back-off (10 s,
 * doubling up to 6 minutes) until the failures (failed pods plus container restarts under
 * OnFailure) pass `backoffLimit`, when the Job fails with BackoffLimitExceeded and its running pods
 * are deleted. A finished Job with ttlSecondsAfterFinished is deleted that long after (the TTL
 * controller), and its pods with it.
 */
import type { World } from '../world';
import { serverMinor } from './kubernetes-versions';
import { requireCluster, schedule } from '../world';
import { toTimestamp, virtualEpochMs } from '../engine/virtual-time';
import { getObject, listOwnedWithKeys } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { createControlledPod, isPodFinished, isPodReady, requestPodDeletion } from './controlled-pods';
import type { Job, JobCondition, Pod } from './objects';

/** The Job controller's back-off for replacing failed pods (DefaultJobBackOff, MaxJobBackOff). */
const jobBackoffMs = 10_000;
const maxJobBackoffMs = 360_000;

type OwnedPod = { key: string; object: Pod };

function hasCondition(job: Job, type: JobCondition['type']): boolean {
  return (
    job.status.conditions?.some((condition) => condition.type === type && condition.status === 'True') ===
    true
  );
}

/** When the last failed pod's container finished, in virtual milliseconds. */
function lastFailureMs(pods: readonly OwnedPod[]): number | undefined {
  let last: number | undefined;
  for (const { object } of pods) {
    if (object.status.phase !== 'Failed') continue;
    const finished = object.status.containerStatuses?.[0]?.state.terminated?.finishedAt;
    const at = finished === undefined ? undefined : Date.parse(finished) - virtualEpochMs;
    if (at !== undefined && (last === undefined || at > last)) last = at;
  }
  return last;
}

/**
 * The conditions a finished Job gets. From Kubernetes 1.31 the controller first adds
 * SuccessCriteriaMet or FailureTarget, then Complete or Failed with the same reason.
 */
function finishedConditions(world: World, job: Job, outcome: 'Complete' | 'Failed'): JobCondition[] {
  const now = toTimestamp(world.timeMs);
  const recent = serverMinor(requireCluster(world)) >= 31;
  const condition = (type: JobCondition['type'], reason?: string, message?: string): JobCondition => {
    const made: JobCondition = { type, status: 'True', lastProbeTime: now, lastTransitionTime: now };
    if (reason !== undefined) made.reason = reason;
    if (message !== undefined) made.message = message;
    return made;
  };
  const added: JobCondition[] = [];
  if (outcome === 'Complete') {
    const reason = 'CompletionsReached';
    const message = 'Reached expected number of succeeded pods';
    if (recent)
      added.push(condition('SuccessCriteriaMet', reason, message), condition('Complete', reason, message));
    else added.push(condition('Complete'));
  } else {
    const reason = 'BackoffLimitExceeded';
    const message = 'Job has reached the specified backoff limit';
    if (recent) added.push(condition('FailureTarget', reason, message));
    added.push(condition('Failed', reason, message));
  }
  return [...(job.status.conditions ?? []), ...added];
}

/** The Job controller's sync of one Job. */
export function syncJob(world: World, key: string): void {
  const cluster = requireCluster(world);
  const job = getObject(cluster.api, 'Job', key);
  if (job === undefined || job.metadata.deletionTimestamp !== undefined) return;
  const pods = listOwnedWithKeys(cluster.api, 'Pod', job.metadata.uid);
  if (hasCondition(job, 'Complete') || hasCondition(job, 'Failed')) {
    expireFinishedJob(world, key, job);
    return;
  }
  const active = pods.filter(
    ({ object }) => !isPodFinished(object) && object.metadata.deletionTimestamp === undefined,
  );
  const succeeded = pods.filter(({ object }) => object.status.phase === 'Succeeded').length;
  const failedPods = pods.filter(({ object }) => object.status.phase === 'Failed').length;
  const restarts = active.reduce(
    (sum, { object }) => sum + (object.status.containerStatuses?.[0]?.restartCount ?? 0),
    0,
  );
  const status: Job['status'] = {
    ...job.status,
    startTime: job.status.startTime ?? toTimestamp(world.timeMs),
  };
  let conditions: JobCondition[] | undefined;
  if (failedPods + restarts > job.spec.backoffLimit) {
    for (const { key: podKey, object } of active) requestPodDeletion(world, object, undefined, podKey);
    conditions = finishedConditions(world, job, 'Failed');
  } else if (
    job.spec.completions !== undefined
      ? succeeded >= job.spec.completions
      : succeeded > 0 && active.length === 0
  ) {
    conditions = finishedConditions(world, job, 'Complete');
    status.completionTime = toTimestamp(world.timeMs);
  } else startPods(world, key, job, pods, active.length, succeeded);
  const remaining = conditions === undefined ? active.length : 0;
  setCount(status, 'active', remaining);
  setCount(status, 'succeeded', succeeded);
  setCount(status, 'failed', failedPods);
  status.ready = conditions === undefined ? active.filter(({ object }) => isPodReady(object)).length : 0;
  if (conditions !== undefined) status.conditions = conditions;
  if (JSON.stringify(status) !== JSON.stringify(job.status)) apiPut(world, { ...job, status }, key);
  if (conditions !== undefined) scheduleExpiry(world, key, job);
}

/** Sets a count the API omits when it is zero. */
function setCount(status: Job['status'], field: 'active' | 'succeeded' | 'failed', value: number): void {
  if (value > 0) status[field] = value;
  else delete status[field];
}

/** Creates pods up to parallelism (and the completions still missing), once any back-off has passed. */
function startPods(
  world: World,
  key: string,
  job: Job,
  pods: readonly OwnedPod[],
  active: number,
  succeeded: number,
): void {
  if (job.spec.suspend) return;
  const missing =
    job.spec.completions === undefined
      ? succeeded > 0
        ? 0
        : job.spec.parallelism
      : job.spec.completions - succeeded;
  const wanted = Math.min(job.spec.parallelism, missing) - active;
  if (wanted <= 0) return;
  const failures = pods.filter(({ object }) => object.status.phase === 'Failed').length;
  const last = lastFailureMs(pods);
  if (failures > 0 && last !== undefined) {
    const delay = Math.min(maxJobBackoffMs, jobBackoffMs * 2 ** (failures - 1));
    if (world.timeMs < last + delay) {
      schedule(world, last + delay - world.timeMs, { type: 'controller.job.sync', key });
      return;
    }
  }
  for (let i = 0; i < wanted; i++)
    createControlledPod(world, job, job.spec.template, job.metadata.namespace ?? 'default');
}

/** The TTL-after-finished controller: a finished Job with a TTL is deleted that long after it finished. */
function scheduleExpiry(world: World, key: string, job: Job): void {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl !== undefined) schedule(world, ttl * 1000, { type: 'controller.job.sync', key });
}

function expireFinishedJob(world: World, key: string, job: Job): void {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined) return;
  const finished = job.status.conditions?.find(
    (condition) => condition.type === 'Complete' || condition.type === 'Failed',
  );
  if (finished === undefined) return;
  if (Date.parse(finished.lastTransitionTime) - virtualEpochMs + ttl * 1000 <= world.timeMs)
    apiRemove(world, 'Job', key);
}
