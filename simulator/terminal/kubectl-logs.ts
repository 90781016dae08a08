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
import { virtualEpochMs } from '../engine/virtual-time';
import { agentLogLines } from './policy-status';
import { fail, ok, type CommandResult } from './context';

/** The logs of a pod's container, or kubectl's error. */
export function podLogs(cluster: Cluster, pod: Pod, previous: boolean, container?: string): CommandResult {
  const name = container ?? pod.spec.containers[0]?.name ?? '';
  if (!pod.spec.containers.some((candidate) => candidate.name === name))
    return fail(`error: container ${name} is not valid for pod ${pod.metadata.name}`);
  const node = pod.spec.nodeName === undefined ? undefined : cluster.nodes[pod.spec.nodeName];
  const sandbox = node?.kubelet.sandboxes[pod.metadata.uid];
  const kept = node?.kubelet.finishedLogs?.[pod.metadata.uid];
  const run = sandbox?.run;
  const notFoundPrevious = (): CommandResult =>
    fail(
      `Error from server (BadRequest): previous terminated container "${name}" in pod "${pod.metadata.name}" not found`,
    );
  if (previous) {
    const output = run?.last?.output ?? kept?.previous;
    return output === undefined ? notFoundPrevious() : ok(output);
  }
  if (kept !== undefined) return ok(kept.output);
  if (sandbox === undefined || sandbox.state === 'creating' || sandbox.state === 'starting')
    return fail(
      `Error from server (BadRequest): container "${name}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`,
    );
  // A container waiting in CrashLoopBackOff shows the run that just ended.
  if (run !== undefined && run.state !== 'running' && run.termination !== undefined)
    return ok(run.termination.output);
  const agent = Object.values(cluster.cilium?.agents ?? {}).find(
    (candidate) => candidate.podUid === pod.metadata.uid,
  );
  if (agent === undefined) return ok('');
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
