/**
 * `kubectl describe` of the workload controllers, line for line as kubectl's describers print
 * them (kubectl/pkg/describe/describe.go: DaemonSetDescriber, ReplicaSetDescriber,
 * ReplicationControllerDescriber, JobDescriber).
 */
import { listOwnedBy } from '../k8s/api-store';
import type { DaemonSet, Job, ReplicaSet, ReplicationController } from '../k8s/objects';
import { formatAge, virtualEpochMs } from '../engine/virtual-time';
import type { Cluster } from '../world';
import {
  formatLabelSelector,
  PrefixWriter,
  printAnnotationsMultiline,
  printLabelsMultiline,
  rfc1123z,
  writePodTemplate,
} from './kubectl-describe';

/** labels.FormatLabels: sorted `k=v`, or `<none>`. */
function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((key) => `${key}=${labels?.[key] ?? ''}`).join(',');
}

/** getPodStatusForController: the controller's pods by phase, `2 Running / 0 Waiting / 0 Succeeded / 0 Failed`. */
function podsStatus(cluster: Cluster, ownerUid: string): string {
  const counts = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 };
  for (const pod of listOwnedBy(cluster.api, 'Pod', ownerUid)) {
    const phase = pod.status.phase;
    if (phase in counts) counts[phase as keyof typeof counts] += 1;
  }
  return `${counts.Running} Running / ${counts.Pending} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed`;
}

function controlledBy(
  w: PrefixWriter,
  object: { metadata: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] } },
): void {
  const controller = object.metadata.ownerReferences?.find((reference) => reference.controller === true);
  if (controller !== undefined) w.write(0, `Controlled By:\t${controller.kind}/${controller.name}\n`);
}

export function describeDaemonSet(cluster: Cluster, daemonSet: DaemonSet, events: boolean): string {
  const w = new PrefixWriter();
  const status = daemonSet.status;
  w.write(0, `Name:\t${daemonSet.metadata.name}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(daemonSet.spec.selector)}\n`);
  w.write(0, `Node-Selector:\t${formatLabels(daemonSet.spec.template.spec.nodeSelector)}\n`);
  printLabelsMultiline(w, 'Labels', daemonSet.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', daemonSet.metadata.annotations);
  w.write(0, `Desired Number of Nodes Scheduled: ${status.desiredNumberScheduled}\n`);
  w.write(0, `Current Number of Nodes Scheduled: ${status.currentNumberScheduled}\n`);
  w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${status.updatedNumberScheduled ?? 0}\n`);
  w.write(0, `Number of Nodes Scheduled with Available Pods: ${status.numberAvailable ?? 0}\n`);
  w.write(0, `Number of Nodes Misscheduled: ${status.numberMisscheduled}\n`);
  w.write(0, `Pods Status:\t${podsStatus(cluster, daemonSet.metadata.uid)}\n`);
  writePodTemplate(w, daemonSet.spec.template);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

export function describeReplicaSet(
  cluster: Cluster,
  replicaSet: ReplicaSet | ReplicationController,
  events: boolean,
): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${replicaSet.metadata.name}\n`);
  w.write(0, `Namespace:\t${replicaSet.metadata.namespace ?? 'default'}\n`);
  w.write(
    0,
    `Selector:\t${replicaSet.kind === 'ReplicaSet' ? formatLabelSelector(replicaSet.spec.selector) : formatLabels(replicaSet.spec.selector)}\n`,
  );
  printLabelsMultiline(w, 'Labels', replicaSet.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', replicaSet.metadata.annotations);
  controlledBy(w, replicaSet);
  w.write(0, `Replicas:\t${replicaSet.status.replicas} current / ${replicaSet.spec.replicas} desired\n`);
  w.write(0, `Pods Status:\t${podsStatus(cluster, replicaSet.metadata.uid)}\n`);
  writePodTemplate(w, replicaSet.spec.template);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

const timeMs = (timestamp: string): number => Date.parse(timestamp) - virtualEpochMs;

export function describeJob(job: Job, events: boolean): string {
  const w = new PrefixWriter();
  const status = job.status;
  w.write(0, `Name:\t${job.metadata.name}\n`);
  w.write(0, `Namespace:\t${job.metadata.namespace ?? 'default'}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(job.spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', job.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', job.metadata.annotations);
  controlledBy(w, job);
  w.write(0, `Parallelism:\t${job.spec.parallelism}\n`);
  w.write(0, `Completions:\t${job.spec.completions ?? '<unset>'}\n`);
  w.write(0, `Completion Mode:\t${job.spec.completionMode}\n`);
  if (status.startTime !== undefined) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  if (status.completionTime !== undefined) w.write(0, `Completed At:\t${rfc1123z(status.completionTime)}\n`);
  if (status.startTime !== undefined && status.completionTime !== undefined)
    w.write(0, `Duration:\t${formatAge(timeMs(status.completionTime) - timeMs(status.startTime))}\n`);
  w.write(
    0,
    `Pods Statuses:\t${status.active ?? 0} Active (${status.ready ?? 0} Ready) / ${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed\n`,
  );
  writePodTemplate(w, job.spec.template);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}
