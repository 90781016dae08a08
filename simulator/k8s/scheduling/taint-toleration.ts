/**
 * The NodeUnschedulable and TaintToleration plugins (kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go and
 * tainttoleration/taint_toleration.go at v1.24.0): a cordoned node or an untolerated NoSchedule or
 * NoExecute taint keeps a pod off a node; each untolerated PreferNoSchedule taint counts against
 * it.
 */
import type { Taint, Toleration } from '../objects';

/** Whether one toleration tolerates a taint (Toleration.ToleratesTaint in k8s.io/api/core/v1). */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== '' && toleration.effect !== taint.effect)
    return false;
  if (toleration.key !== undefined && toleration.key !== '' && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any of the tolerations tolerates the taint. */
export function tolerationsTolerateTaint(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): boolean {
  if (tolerations === undefined) return false;
  for (const toleration of tolerations) if (toleratesTaint(toleration, taint)) return true;
  return false;
}

/** The taint a cordoned node is treated as having (v1.TaintNodeUnschedulable). */
const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** NodeUnschedulable's reason, an UnschedulableAndUnresolvable status. */
export const nodeUnschedulableReason = 'node(s) were unschedulable';

/** Whether a cordoned node keeps the pod off (a pod tolerating the unschedulable taint may go). */
export function blockedByUnschedulable(
  tolerations: readonly Toleration[] | undefined,
  unschedulable: boolean,
): boolean {
  return unschedulable && !tolerationsTolerateTaint(tolerations, unschedulableTaint);
}

/**
 * The first NoSchedule or NoExecute taint, in the node's order, that no toleration tolerates
 * (v1helper.FindMatchingUntoleratedTaint), or undefined when the pod may go there.
 */
export function firstUntoleratedTaint(
  tolerations: readonly Toleration[] | undefined,
  taints: readonly Taint[] | undefined,
): Taint | undefined {
  if (taints === undefined) return undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/**
 * TaintToleration's reason for a node, an UnschedulableAndUnresolvable status, in the wording of
 * the scheduler's minor version: up to v1.24 "node(s) had taint {key: value}, that the pod didn't
 * tolerate"; from v1.25 "node(s) had untolerated taint {key: value}" (kubernetes/kubernetes#109119,
 * which missed v1.24's code freeze). Late v1.34 patches drop the key and value from pod statuses
 * (#134740), which the model does not follow.
 */
export function untoleratedTaintReason(taint: Taint, minor: number): string {
  const compact = minor >= 25;
  const memo = compact ? compactReasons : longReasons;
  // Memoised per stored taint: the same string each cycle is quicker to count by.
  let reason = memo.get(taint);
  if (reason === undefined) {
    const shown = `{${taint.key}: ${taint.value ?? ''}}`;
    reason = compact
      ? `node(s) had untolerated taint ${shown}`
      : `node(s) had taint ${shown}, that the pod didn't tolerate`;
    memo.set(taint, reason);
  }
  return reason;
}

const longReasons = new WeakMap<Taint, string>();
const compactReasons = new WeakMap<Taint, string>();

const preferNoScheduleMemo = new WeakMap<readonly Toleration[], Toleration[]>();
const noTolerations: Toleration[] = [];

/** The tolerations that can tolerate PreferNoSchedule taints: that effect, or none named (memoised). */
export function preferNoScheduleTolerations(
  tolerations: readonly Toleration[] | undefined,
): readonly Toleration[] {
  if (tolerations === undefined) return noTolerations;
  let chosen = preferNoScheduleMemo.get(tolerations);
  if (chosen === undefined) {
    chosen = tolerations.filter(
      (toleration) =>
        toleration.effect === undefined ||
        toleration.effect === '' ||
        toleration.effect === 'PreferNoSchedule',
    );
    preferNoScheduleMemo.set(tolerations, chosen);
  }
  return chosen;
}

/** TaintToleration's raw score: how many PreferNoSchedule taints of the node are not tolerated. */
export function intolerablePreferNoScheduleTaints(
  tolerations: readonly Toleration[],
  taints: readonly Taint[] | undefined,
): number {
  if (taints === undefined) return 0;
  let count = 0;
  for (const taint of taints)
    if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) count += 1;
  return count;
}
