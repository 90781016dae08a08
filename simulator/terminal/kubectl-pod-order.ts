/**
 * Which of a controller's pods `kubectl logs TYPE/NAME` reads: GetFirstPod sorts the pods its
 * selector matches with podutils.ByLogging and takes the first (k8s.io/kubectl/pkg/util/podutils/
 * podutils.go and pkg/polymorphichelpers/logsforobject.go at v1.33.0). The order prefers, in turn:
 * a pod bound to a node; phase Running (and any phase but Unknown and Pending) over Unknown over
 * Pending; ready over not ready; ready for longer; more container restarts; older. The pod other
 * commands pick (`kubectl exec`, a port-forward to a Service) follows podutils.ActivePods instead.
 */
import type { Pod } from '../k8s/objects';

/** ByLogging's phase ranks; a phase missing from its map (Succeeded, Failed) ranks as Running. */
const phaseRank = (pod: Pod): number =>
  pod.status.phase === 'Pending' ? 2 : pod.status.phase === 'Unknown' ? 1 : 0;

const readyCondition = (pod: Pod): { status: string; lastTransitionTime: string } | undefined =>
  pod.status.conditions?.find((condition) => condition.type === 'Ready');

const isReady = (pod: Pod): boolean => readyCondition(pod)?.status === 'True';

/** The highest restart count among the pod's containers (podutils maxContainerRestarts). */
const maxRestarts = (pod: Pod): number =>
  Math.max(0, ...(pod.status.containerStatuses ?? []).map((status) => status.restartCount));

/** Orders two RFC 3339 times; an empty one sorts last, as podutils afterOrZero does. */
function earlierFirst(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined || a === '') return 1;
  if (b === undefined || b === '') return -1;
  return Date.parse(a) - Date.parse(b);
}

/** podutils.ByLogging as a comparator: negative when `a` is the better pod to read logs from. */
export function byLogging(a: Pod, b: Pod): number {
  const boundA = (a.spec.nodeName ?? '') !== '';
  const boundB = (b.spec.nodeName ?? '') !== '';
  if (a.spec.nodeName !== b.spec.nodeName && boundA !== boundB) return boundA ? -1 : 1;
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
  if (isReady(a) !== isReady(b)) return isReady(a) ? -1 : 1;
  if (isReady(a) && isReady(b)) {
    const readySince = earlierFirst(
      readyCondition(a)?.lastTransitionTime,
      readyCondition(b)?.lastTransitionTime,
    );
    if (readySince !== 0) return readySince;
  }
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  return earlierFirst(a.metadata.creationTimestamp, b.metadata.creationTimestamp);
}

/** The pod GetFirstPod returns for logs, with how many pods matched. */
export function firstPodForLogs(pods: readonly Pod[]): { pod: Pod; count: number } | undefined {
  const [pod] = [...pods].sort(byLogging);
  return pod === undefined ? undefined : { pod, count: pods.length };
}

/**
 * The pod kubectl attaches to among a controller's (polymorphichelpers GetFirstPod, sorted by
 * podutils.ActivePods reversed): bound before unbound, running before pending, ready before not,
 * fewer restarts, older first.
 */
export function mostActivePod(pods: readonly Pod[]): Pod | undefined {
  const phaseRank = (pod: Pod): number =>
    pod.status.phase === 'Running' ? 2 : pod.status.phase === 'Pending' ? 0 : 1;
  const readyRank = (pod: Pod): number =>
    pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ===
    true
      ? 1
      : 0;
  const restarts = (pod: Pod): number =>
    (pod.status.containerStatuses ?? []).reduce((sum, status) => sum + status.restartCount, 0);
  return [...pods].sort(
    (a, b) =>
      Number(b.spec.nodeName !== undefined) - Number(a.spec.nodeName !== undefined) ||
      phaseRank(b) - phaseRank(a) ||
      readyRank(b) - readyRank(a) ||
      restarts(a) - restarts(b) ||
      (a.metadata.creationTimestamp < b.metadata.creationTimestamp
        ? -1
        : a.metadata.creationTimestamp > b.metadata.creationTimestamp
          ? 1
          : 0),
  )[0];
}
