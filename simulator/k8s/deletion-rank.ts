/**
 * Which pods a ReplicaSet deletes when it has too many (getPodsToDelete with controller.ActivePods'
 * ranking in pkg/controller/replicaset/replica_set.go and pkg/controller/controller_utils.go,
 * reduced): unscheduled before scheduled, pending before running, not ready before ready, newer
 * before older. The ranking is a total order (pod names are unique), so picking the first few by
 * it gives what sorting every pod and slicing would.
 */
import type { Pod } from './objects';
import { isPodReady } from './controlled-pods';

/** The three 0/1 scores, compared in turn, as one number whose binary digits they are. */
function rankOf(pod: Pod): number {
  return (
    (pod.spec.nodeName === undefined ? 0 : 4) +
    (pod.status.phase === 'Pending' ? 0 : 2) +
    (isPodReady(pod) ? 1 : 0)
  );
}

/** Whether pod `a` (of rank `rankA`) goes before pod `b` (of rank `rankB`). */
function goesFirst(a: Pod, rankA: number, b: Pod, rankB: number): boolean {
  if (rankA !== rankB) return rankA < rankB;
  // Newer pods go first; creation times tie at second precision, so fall back on the name. Both
  // are ASCII of one format (RFC 3339, DNS names), whose code unit order is the alphabetical one.
  const createdA = a.metadata.creationTimestamp;
  const createdB = b.metadata.creationTimestamp;
  if (createdA !== createdB) return createdA > createdB;
  return a.metadata.name < b.metadata.name;
}

/** A pod with its store key. */
export interface OwnedPod {
  readonly key: string;
  readonly object: Pod;
}

/** Past this many pods to pick, one sort of all of them costs less than the insertions below. */
const pickByInsertion = 16;

/**
 * The ranks of the pods picked so far by the insertion below, reused by every call: numbers only,
 * so it holds no pod alive, and a scale-down allocates only the list it returns.
 */
const pickedRanks: number[] = [];

/**
 * The first `count` pods by the deletion ranking, in that order. A scale-down of a few pods (the
 * usual step of a rolling update) keeps a short sorted list of the pods picked so far instead of
 * sorting every pod.
 */
export function podsToDelete(pods: readonly OwnedPod[], count: number): OwnedPod[] {
  if (count <= 0) return [];
  if (count > pickByInsertion) {
    const ranks = new Array<number>(pods.length);
    for (let i = 0; i < pods.length; i++) ranks[i] = rankOf(pods[i]!.object);
    const order = Array.from(pods.keys());
    order.sort((i, j) => {
      if (goesFirst(pods[i]!.object, ranks[i]!, pods[j]!.object, ranks[j]!)) return -1;
      return goesFirst(pods[j]!.object, ranks[j]!, pods[i]!.object, ranks[i]!) ? 1 : i - j;
    });
    return order.slice(0, count).map((i) => pods[i]!);
  }
  // Every pod is picked until the list is full, so it ends with this many: made at its final size.
  const picked = new Array<OwnedPod>(Math.min(count, pods.length));
  let size = 0;
  for (let i = 0; i < pods.length; i++) {
    const entry = pods[i]!;
    const rank = rankOf(entry.object);
    let at = size;
    while (at > 0 && goesFirst(entry.object, rank, picked[at - 1]!.object, pickedRanks[at - 1]!)) at -= 1;
    if (at >= count) continue;
    // Insert at `at`, dropping the last one when the list is full.
    let last = size;
    if (size < count) size += 1;
    else last -= 1;
    for (let j = last; j > at; j--) {
      picked[j] = picked[j - 1]!;
      pickedRanks[j] = pickedRanks[j - 1]!;
    }
    picked[at] = entry;
    pickedRanks[at] = rank;
  }
  return picked;
}
